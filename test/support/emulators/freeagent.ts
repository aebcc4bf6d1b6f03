/**
 * A FreeAgent-like authorization server, as ../../../shared/PROVIDERS.md describes FreeAgent: HTTP Basic
 * client authentication only, form bodies, a User-Agent on every request, codes that live 15 minutes,
 * `refresh_token_expires_in` in every token answer, refresh tokens that rotate, more than 15 refreshes
 * a minute answered `429` with `Retry-After: 60` and a plain-text body, and a used or expired code (or
 * wrong credentials) answered with the HTML `401 HTTP Basic: Access denied.`. Its API under `/v2/`:
 * `GET /v2/users/me` (the identity probe) and `GET /v2/company`, each needing a User-Agent (400
 * without) and a live access token (401 in FreeAgent's error shape otherwise).
 */
import { timingSafeEqual } from "node:crypto";
import { authorizeRoutes, bearer, type Exchange, type ProviderEmulator, serve, token } from "./core.ts";

export interface FreeAgentEmulatorOptions {
  /** Redirect URIs registered for the client; more can be added with `register`. */
  readonly redirectUris?: readonly string[];
  readonly clientId?: string;
  readonly clientSecret?: string;
  /**
   * Refreshes allowed per user in any 60 s. Default 15, as FreeAgent documents; a request with
   * `X-RateLimit-Test: true` meets 5, as in FreeAgent's sandbox.
   */
  readonly refreshesPerMinute?: number;
  /** The emulator's clock (ms). Default Date.now. */
  readonly now?: () => number;
}

export interface FreeAgentEmulator extends ProviderEmulator {
  /** Whether a refresh token would still be accepted. */
  refreshTokenActive(refreshToken: string): boolean;
  /** Ends every access token issued so far, as their hour running out would. */
  expireAccessTokens(): void;
}

const CODE_TTL_MS = 15 * 60_000;
const ACCESS_TTL_S = 3600;
// The documentation's example value: about 20 years. Clients must read it from each answer.
const REFRESH_TTL_S = 631_151_957;
const WINDOW_MS = 60_000;

const USER = {
  url: "https://api.freeagent.com/v2/users/1",
  first_name: "Ada",
  last_name: "Lovelace",
  email: "ada@example.test",
  role: "Director",
  permission_level: 8,
};

const COMPANY = {
  url: "https://api.freeagent.com/v2/company",
  id: "1",
  name: "Analytical Engines Ltd",
  subdomain: "analytical-engines",
  type: "UkLimitedCompany",
  currency: "GBP",
  mileage_units: "miles",
  company_start_date: "2024-04-01",
  sales_tax_registration_status: "Registered",
};

export async function startFreeAgentEmulator(options: FreeAgentEmulatorOptions): Promise<FreeAgentEmulator> {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? "freeagent-emulated-client";
  const clientSecret = options.clientSecret ?? token("fa-secret-");
  const limit = options.refreshesPerMinute ?? 15;
  const redirectUris = [...(options.redirectUris ?? [])];
  const codes = new Map<string, { redirectUri: string; issuedAt: number; used: boolean }>();
  const refreshTokens = new Map<string, { active: boolean }>();
  const accessTokens = new Map<string, number>();
  const refreshAttempts: number[] = [];

  const denied = (exchange: Exchange) =>
    exchange.send(
      401,
      { "content-type": "text/html; charset=utf-8", "www-authenticate": 'Basic realm="Application"' },
      "HTTP Basic: Access denied.\n",
    );

  const basicAuthenticated = (exchange: Exchange): boolean => {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(exchange.req.headers.authorization ?? "");
    if (match?.[1] === undefined) return false;
    const expected = Buffer.from(`${clientId}:${clientSecret}`);
    const given = Buffer.from(match[1], "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const issue = (exchange: Exchange) => {
    const access = token("fa-at-");
    const refresh = token("fa-rt-");
    accessTokens.set(access, now() + ACCESS_TTL_S * 1000);
    refreshTokens.set(refresh, { active: true });
    exchange.send(
      200,
      { "content-type": "application/json; charset=utf-8" },
      JSON.stringify({
        access_token: access,
        token_type: "bearer",
        expires_in: ACCESS_TTL_S,
        refresh_token: refresh,
        refresh_token_expires_in: REFRESH_TTL_S,
      }),
    );
  };

  /** An API answer: a User-Agent and a live access token first, as FreeAgent wants them. */
  const api = (exchange: Exchange, body: unknown) => {
    if (!exchange.req.headers["user-agent"]) {
      exchange.send(400, { "content-type": "text/plain" }, "A User-Agent header is required.\n");
      return;
    }
    const access = bearer(exchange.req);
    const expiresAt = access === null ? undefined : accessTokens.get(access);
    if (expiresAt === undefined || expiresAt <= now()) {
      exchange.send(
        401,
        { "content-type": "application/json; charset=utf-8" },
        JSON.stringify({ errors: { error: { message: "Access token not recognised" } } }),
      );
      return;
    }
    exchange.send(200, { "content-type": "application/json; charset=utf-8" }, JSON.stringify(body));
  };

  const running = await serve(
    {
      ...authorizeRoutes({
        provider: "FreeAgent",
        path: "/v2/approve_app",
        clientId,
        redirectProblem: (uri) => (redirectUris.includes(uri) ? null : "Unknown redirect URI."),
        issueCode: (redirectUri) => {
          const code = token("fa-code-");
          codes.set(code, { redirectUri, issuedAt: now(), used: false });
          return code;
        },
      }),
      "POST /v2/token_endpoint": (exchange) => {
        const form = new URLSearchParams(exchange.body);
        const grantType = form.get("grant_type") ?? "";
        exchange.record.grantType = grantType;
        if (!exchange.req.headers["user-agent"]) {
          exchange.send(400, { "content-type": "text/plain" }, "A User-Agent header is required.\n");
          return;
        }
        // Credentials in the body do not count: FreeAgent wants HTTP Basic.
        if (!basicAuthenticated(exchange)) return denied(exchange);
        if (grantType === "authorization_code") {
          const code = codes.get(form.get("code") ?? "");
          const usable =
            code !== undefined &&
            !code.used &&
            now() - code.issuedAt < CODE_TTL_MS &&
            code.redirectUri === form.get("redirect_uri");
          if (code !== undefined) code.used = true;
          if (!usable) return denied(exchange);
          return issue(exchange);
        }
        if (grantType === "refresh_token") {
          const since = now() - WINDOW_MS;
          while (refreshAttempts.length > 0 && (refreshAttempts[0] ?? 0) <= since) refreshAttempts.shift();
          const allowed = exchange.req.headers["x-ratelimit-test"] === "true" ? 5 : limit;
          if (refreshAttempts.length >= allowed) {
            exchange.send(
              429,
              { "content-type": "text/plain; charset=utf-8", "retry-after": "60" },
              `You must not exceed ${allowed} requests per 60 seconds\n`,
            );
            return;
          }
          refreshAttempts.push(now());
          const presented = refreshTokens.get(form.get("refresh_token") ?? "");
          if (presented?.active !== true) {
            exchange.send(
              400,
              { "content-type": "application/json; charset=utf-8" },
              JSON.stringify({
                error: "invalid_grant",
                error_description:
                  "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
              }),
            );
            return;
          }
          presented.active = false;
          return issue(exchange);
        }
        exchange.send(
          400,
          { "content-type": "application/json; charset=utf-8" },
          JSON.stringify({ error: "unsupported_grant_type" }),
        );
      },
      "GET /v2/users/me": (exchange) => api(exchange, { user: USER }),
      "GET /v2/company": (exchange) => api(exchange, { company: COMPANY }),
    },
    now,
  );

  return {
    origin: running.origin,
    authorization_endpoint: `${running.origin}/v2/approve_app`,
    token_endpoint: `${running.origin}/v2/token_endpoint`,
    identity_endpoint: `${running.origin}/v2/users/me`,
    api_base_urls: [`${running.origin}/v2/`],
    clientId,
    clientSecret,
    requests: running.requests,
    register: (uri) => void redirectUris.push(uri),
    refreshTokenActive: (refreshToken) => refreshTokens.get(refreshToken)?.active === true,
    expireAccessTokens: () => {
      for (const access of accessTokens.keys()) accessTokens.set(access, now());
    },
    close: running.close,
  };
}
