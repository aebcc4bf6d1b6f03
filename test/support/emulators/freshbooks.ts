/**
 * A FreshBooks-like authorization server, as ../../../shared/PROVIDERS.md describes FreshBooks: client
 * credentials in a JSON body, redirect URIs that must be https and carry no query, codes that live 5
 * minutes, refresh tokens that work once, a refresh that ends the previous access token at once, and
 * `created_at` in every token answer. `GET /auth/api/v1/users/me` is the identity probe, with the
 * business memberships whose account id names the business in `GET /accounting/account/{id}/users/clients`. It also
 * publishes RFC 8414 metadata without CORS headers, like an issuer a page cannot read cross-origin.
 */
import { timingSafeEqual } from "node:crypto";
import { authorizeRoutes, bearer, type Exchange, type ProviderEmulator, serve, token } from "./core.ts";

export interface FreshBooksEmulatorOptions {
  /** Redirect URIs registered for the client; more can be added with `register`. */
  readonly redirectUris?: readonly string[];
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** The emulator's clock (ms). Default Date.now. */
  readonly now?: () => number;
}

/** `register` refuses what FreshBooks refuses: http, a query string. */
export type FreshBooksEmulator = ProviderEmulator;

const CODE_TTL_MS = 5 * 60_000;
/** The one business the emulated user belongs to, as FreshBooks names it in accounting URLs. */
const ACCOUNT_ID = "xZNQ1X";
const ACCESS_TTL_S = 43_200;
const SCOPE = "user:profile:read user:clients:read";
const INVALID_GRANT =
  "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";

/** Why FreshBooks would refuse this redirect URI, or null: https only, no query string. */
export function freshBooksRedirectProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "The redirect URI is not a URL.";
  }
  if (url.protocol !== "https:") return "Redirect URIs must use https.";
  if (url.search !== "") return "Redirect URIs cannot contain query string parameters.";
  return null;
}

export async function startFreshBooksEmulator(
  options: FreshBooksEmulatorOptions,
): Promise<FreshBooksEmulator> {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? "freshbooks-emulated-client";
  const clientSecret = options.clientSecret ?? token("fb-secret-");
  const redirectUris: string[] = [];
  const register = (uri: string) => {
    const problem = freshBooksRedirectProblem(uri);
    if (problem !== null) throw new Error(`FreshBooks would not register ${uri}: ${problem}`);
    redirectUris.push(uri);
  };
  for (const uri of options.redirectUris ?? []) register(uri);
  const codes = new Map<string, { redirectUri: string; issuedAt: number; used: boolean }>();
  // One grant per authorization: its current refresh token and access token; older ones are dead.
  const grants: { refresh: string; access: string; accessExpiresAt: number }[] = [];

  const json = (exchange: Exchange, status: number, body: unknown) =>
    exchange.send(status, { "content-type": "application/json; charset=utf-8" }, JSON.stringify(body));

  const clientAuthenticated = (body: Record<string, unknown>): boolean => {
    if (body.client_id !== clientId || typeof body.client_secret !== "string") return false;
    const given = Buffer.from(body.client_secret);
    const expected = Buffer.from(clientSecret);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const issue = (exchange: Exchange, grant?: (typeof grants)[number]) => {
    const tokens = {
      refresh: token("fb-rt-"),
      access: token("fb-at-"),
      accessExpiresAt: now() + ACCESS_TTL_S * 1000,
    };
    // A refresh replaces both tokens of the grant: the previous access token stops working at once.
    if (grant === undefined) grants.push(tokens);
    else Object.assign(grant, tokens);
    json(exchange, 200, {
      access_token: tokens.access,
      token_type: "Bearer",
      expires_in: ACCESS_TTL_S,
      refresh_token: tokens.refresh,
      scope: SCOPE,
      created_at: Math.floor(now() / 1000),
      direct_buy_tokens: {},
    });
  };

  const running = await serve(
    {
      ...authorizeRoutes({
        provider: "FreshBooks",
        path: "/oauth/authorize/",
        clientId,
        redirectProblem: (uri) =>
          freshBooksRedirectProblem(uri) ?? (redirectUris.includes(uri) ? null : "Unknown redirect URI."),
        issueCode: (redirectUri) => {
          const code = token("fb-code-");
          codes.set(code, { redirectUri, issuedAt: now(), used: false });
          return code;
        },
      }),
      "POST /auth/oauth/token": (exchange) => {
        let body: Record<string, unknown> = {};
        try {
          const parsed: unknown = JSON.parse(exchange.body);
          if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
            body = parsed as Record<string, unknown>;
          }
        } catch {
          // Not JSON: no credentials can be read, answered below as unauthenticated.
        }
        const grantType = typeof body.grant_type === "string" ? body.grant_type : "";
        exchange.record.grantType = grantType;
        if (!clientAuthenticated(body)) {
          json(exchange, 401, {
            error: "invalid_client",
            error_description:
              "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
          });
          return;
        }
        if (grantType === "authorization_code") {
          const code = codes.get(typeof body.code === "string" ? body.code : "");
          const usable =
            code !== undefined &&
            !code.used &&
            now() - code.issuedAt < CODE_TTL_MS &&
            code.redirectUri === body.redirect_uri;
          if (code !== undefined) code.used = true;
          if (!usable)
            return json(exchange, 400, { error: "invalid_grant", error_description: INVALID_GRANT });
          return issue(exchange);
        }
        if (grantType === "refresh_token") {
          const grant = grants.find((g) => g.refresh === body.refresh_token);
          if (grant === undefined)
            return json(exchange, 400, { error: "invalid_grant", error_description: INVALID_GRANT });
          return issue(exchange, grant);
        }
        json(exchange, 400, { error: "unsupported_grant_type" });
      },
      "GET /auth/api/v1/users/me": (exchange) => {
        const access = bearer(exchange.req);
        const grant = grants.find((g) => g.access === access && g.accessExpiresAt > now());
        if (access === null || grant === undefined) {
          json(exchange, 401, {
            error: "unauthenticated",
            error_description: "This action requires authentication to continue.",
          });
          return;
        }
        json(exchange, 200, {
          response: {
            id: 2131,
            email: "ada@example.test",
            first_name: "Ada",
            last_name: "Lovelace",
            business_memberships: [
              {
                id: 1,
                role: "owner",
                business: { id: 77, name: "Lovelace Analytics", account_id: ACCOUNT_ID },
              },
            ],
          },
        });
      },
      [`GET /accounting/account/${ACCOUNT_ID}/users/clients`]: (exchange) => {
        const access = bearer(exchange.req);
        if (access === null || !grants.some((g) => g.access === access && g.accessExpiresAt > now())) {
          json(exchange, 401, {
            error: "unauthenticated",
            error_description: "This action requires authentication to continue.",
          });
          return;
        }
        json(exchange, 200, {
          response: {
            result: {
              clients: [
                {
                  id: 501,
                  organization: "Babbage & Co",
                  email: "charles@example.test",
                  currency_code: "GBP",
                },
                {
                  id: 502,
                  organization: "Somerville Instruments",
                  email: "mary@example.test",
                  currency_code: "GBP",
                },
              ],
              page: 1,
              pages: 1,
              per_page: 15,
              total: 2,
            },
          },
        });
      },
      "GET /.well-known/oauth-authorization-server": (exchange) => {
        const origin = `http://${exchange.req.headers.host ?? ""}`;
        json(exchange, 200, {
          issuer: origin,
          authorization_endpoint: `${origin}/oauth/authorize/`,
          token_endpoint: `${origin}/auth/oauth/token`,
          response_types_supported: ["code"],
          grant_types_supported: ["authorization_code", "refresh_token"],
          token_endpoint_auth_methods_supported: ["client_secret_post"],
          scopes_supported: SCOPE.split(" "),
        });
      },
    },
    now,
  );

  return {
    origin: running.origin,
    authorization_endpoint: `${running.origin}/oauth/authorize/`,
    token_endpoint: `${running.origin}/auth/oauth/token`,
    identity_endpoint: `${running.origin}/auth/api/v1/users/me`,
    api_base_urls: [`${running.origin}/`],
    clientId,
    clientSecret,
    requests: running.requests,
    register,
    close: running.close,
  };
}
