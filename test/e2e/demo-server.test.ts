// The embedded demo authorization server, driven at the HTTP level (no browser): a full authorization code
// flow with PKCE, login and consent, exchange, rotating refresh, reuse detection and client authentication.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type DemoServer, fingerprint, startDemoServer } from "../../src/dev/demo-server.ts";
import {
  authorizeForCode,
  authorizeThroughForms,
  basicAuthorization,
  buildAuthorizationRequest,
  CookieJar,
  exchangeCode,
  refreshTokens,
  tokenRequest,
} from "../support/demo-flow.ts";

const REDIRECT_URI = "http://127.0.0.1:5173/callback";
const ACCESS_TTL = 60;
const REFRESH_TTL = 3600;

let server: DemoServer;

beforeAll(async () => {
  server = await startDemoServer({
    redirectUris: [REDIRECT_URI],
    codeTtl: 60,
    accessTtl: ACCESS_TTL,
    refreshTtl: REFRESH_TTL,
  });
});

afterAll(async () => {
  await server?.close();
});

afterEach(() => {
  vi.useRealTimers();
});

function num(value: unknown): number {
  expect(typeof value).toBe("number");
  return value as number;
}

function str(value: unknown): string {
  expect(typeof value).toBe("string");
  return value as string;
}

describe("demo authorization server", () => {
  it("listens on 127.0.0.1 and publishes its metadata", async () => {
    expect(server.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.authorization_endpoint).toBe(`${server.issuer}/auth`);
    expect(server.token_endpoint).toBe(`${server.issuer}/token`);
    expect(server.revocation_endpoint).toBe(`${server.issuer}/token/revocation`);
    expect(server.clientId).toBe("tokendesk-demo");
    expect(server.clientSecret).toMatch(/^[\w-]{43}$/);
    expect(server.scope).toBe("openid demo:read");

    const response = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(server.issuer);
    expect(metadata.token_endpoint).toBe(server.token_endpoint);
    expect(metadata.revocation_endpoint).toBe(server.revocation_endpoint);
    expect(metadata.introspection_endpoint).toBe(server.introspection_endpoint);
    expect(server.introspection_endpoint).toBe(`${server.issuer}/token/introspection`);
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
    expect(metadata.response_types_supported).toEqual(["code"]);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(["client_secret_basic"]);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(["openid", "demo:read", "offline_access"]),
    );
  });

  it("runs a full code flow: login, consent, exchange, rotating refresh, reuse refused", async () => {
    const first = server.tokenRequests.length;
    const request = await buildAuthorizationRequest(server, REDIRECT_URI);
    const callback = await authorizeThroughForms(request.url, REDIRECT_URI, { login: "ada" });

    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    const code = str(callback.searchParams.get("code"));
    expect(callback.searchParams.get("state")).toBe(request.state);
    expect(callback.searchParams.get("iss")).toBe(server.issuer);

    const exchanged = await exchangeCode(server, request, code);
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.token_type).toBe("Bearer");
    expect(exchanged.body.scope).toBe("openid demo:read");
    str(exchanged.body.access_token);
    str(exchanged.body.id_token);
    const refreshToken = str(exchanged.body.refresh_token);
    expect(Math.abs(num(exchanged.body.expires_in) - ACCESS_TTL)).toBeLessThanOrEqual(1);
    const firstDeadline = num(exchanged.body.refresh_token_expires_in);
    expect(firstDeadline).toBeLessThanOrEqual(REFRESH_TTL);
    expect(firstDeadline).toBeGreaterThan(REFRESH_TTL - 5);

    const refreshed = await refreshTokens(server, refreshToken);
    expect(refreshed.status).toBe(200);
    const rotated = str(refreshed.body.refresh_token);
    expect(rotated).not.toBe(refreshToken);
    str(refreshed.body.access_token);
    expect(Math.abs(num(refreshed.body.expires_in) - ACCESS_TTL)).toBeLessThanOrEqual(1);
    expect(num(refreshed.body.refresh_token_expires_in)).toBeLessThanOrEqual(firstDeadline);

    const reused = await refreshTokens(server, refreshToken);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe("invalid_grant");

    expect(server.tokenRequests.slice(first)).toEqual([
      { at: expect.any(Number), grantType: "authorization_code", status: 200 },
      {
        at: expect.any(Number),
        grantType: "refresh_token",
        status: 200,
        refreshTokenFingerprint: fingerprint(refreshToken),
      },
      {
        at: expect.any(Number),
        grantType: "refresh_token",
        status: 400,
        error: "invalid_grant",
        refreshTokenFingerprint: fingerprint(refreshToken),
      },
    ]);

    // Reuse of a rotated token revoked the whole grant: the newest refresh token is dead too.
    const afterReuse = await refreshTokens(server, rotated);
    expect(afterReuse.status).toBe(400);
    expect(afterReuse.body.error).toBe("invalid_grant");
  });

  it("keeps the first refresh token's deadline across rotations", async () => {
    const { request, code } = await authorizeForCode(server, REDIRECT_URI);
    const exchanged = await exchangeCode(server, request, code);
    const deadline = num(exchanged.body.refresh_token_expires_in);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 600_000);
    const refreshed = await refreshTokens(server, str(exchanged.body.refresh_token));
    expect(refreshed.status).toBe(200);
    const remaining = num(refreshed.body.refresh_token_expires_in);
    expect(remaining).toBeLessThanOrEqual(deadline - 600);
    expect(remaining).toBeGreaterThan(deadline - 605);
    expect(Math.abs(num(refreshed.body.expires_in) - ACCESS_TTL)).toBeLessThanOrEqual(1);
  });

  it("refuses an exchange without code_verifier", async () => {
    const { request, code } = await authorizeForCode(server, REDIRECT_URI);
    const { status, body } = await tokenRequest(server, {
      grant_type: "authorization_code",
      code,
      redirect_uri: request.redirectUri,
    });
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_grant");
  });

  it("refuses an authorization request without PKCE", async () => {
    const request = await buildAuthorizationRequest(server, REDIRECT_URI);
    const url = new URL(request.url);
    url.searchParams.delete("code_challenge");
    url.searchParams.delete("code_challenge_method");
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(str(response.headers.get("location")));
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("state")).toBe(request.state);
  });

  it("authenticates the client only with HTTP Basic and the right secret", async () => {
    const params = {
      grant_type: "authorization_code",
      code: "not-a-code",
      redirect_uri: REDIRECT_URI,
      code_verifier: "x".repeat(43),
    };
    const post = await tokenRequest(server, params, { method: "post" });
    expect(post.status).toBe(401);
    expect(post.body.error).toBe("invalid_client");

    const wrongSecret = await tokenRequest(server, params, { method: "basic", clientSecret: "wrong" });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe("invalid_client");

    const none = await tokenRequest(server, params, { method: "none" });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe("invalid_client");

    expect(server.tokenRequests.slice(-3)).toEqual(
      Array.from({ length: 3 }, () => ({
        at: expect.any(Number),
        grantType: "authorization_code",
        status: 401,
        error: "invalid_client",
      })),
    );
  });

  it("introspects its client's access and refresh tokens, and calls both inactive once the grant is revoked", async () => {
    const { request, code } = await authorizeForCode(server, REDIRECT_URI, { login: "ines" });
    const tokens = await exchangeCode(server, request, code);
    const access = str(tokens.body.access_token);
    const refresh = str(tokens.body.refresh_token);
    const post = async (url: string, body: Record<string, string>, auth = true) => {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          ...(auth ? { authorization: basicAuthorization(server.clientId, server.clientSecret) } : {}),
        },
        body: new URLSearchParams(body).toString(),
      });
      return {
        status: response.status,
        body: (await response.json().catch(() => null)) as Record<string, unknown>,
      };
    };
    const first = server.introspectionRequests.length;

    const accessAnswer = await post(server.introspection_endpoint, {
      token: access,
      token_type_hint: "access_token",
    });
    expect(accessAnswer.status).toBe(200);
    expect(accessAnswer.body).toMatchObject({
      active: true,
      client_id: server.clientId,
      sub: "ines",
      scope: "openid demo:read",
      token_type: "Bearer",
      iss: server.issuer,
    });
    expect(num(accessAnswer.body.exp) - num(accessAnswer.body.iat)).toBe(ACCESS_TTL);
    const refreshAnswer = await post(server.introspection_endpoint, { token: refresh });
    expect(refreshAnswer.body).toMatchObject({ active: true, client_id: server.clientId, sub: "ines" });
    // oidc-provider names no token_type for refresh tokens.
    expect(refreshAnswer.body.token_type).toBeUndefined();
    // Without client authentication it describes nothing.
    const anonymous = await post(server.introspection_endpoint, { token: access }, false);
    expect(anonymous).toMatchObject({ status: 400, body: { error: "invalid_request" } });

    // Revoking the access token ends the whole grant at oidc-provider (RFC 7009 §2.1 allows it).
    expect((await post(server.revocation_endpoint, { token: access })).status).toBe(200);
    expect((await post(server.introspection_endpoint, { token: access })).body).toEqual({ active: false });
    expect((await post(server.introspection_endpoint, { token: refresh })).body).toEqual({ active: false });
    expect(server.introspectionRequests.slice(first)).toEqual([
      { at: expect.any(Number), status: 200, active: true },
      { at: expect.any(Number), status: 200, active: true },
      { at: expect.any(Number), status: 400 },
      { at: expect.any(Number), status: 200, active: false },
      { at: expect.any(Number), status: 200, active: false },
    ]);
  });

  it("serves its login page without third-party requests", async () => {
    const request = await buildAuthorizationRequest(server, REDIRECT_URI);
    const jar = new CookieJar();
    const redirect = await fetch(request.url, { redirect: "manual" });
    jar.store(redirect);
    const loginUrl = new URL(str(redirect.headers.get("location")), request.url).href;
    const response = await fetch(loginUrl, { headers: { cookie: jar.header(loginUrl) } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('name="prompt" value="login"');
    expect(html).not.toContain("fonts.googleapis.com");
  });

  it("closes promptly with connections still open", async () => {
    const other = await startDemoServer({ redirectUris: [REDIRECT_URI], clientSecret: "s3cret" });
    expect(other.clientSecret).toBe("s3cret");
    expect(other.issuer).not.toBe(server.issuer);
    await (await fetch(`${other.issuer}/.well-known/openid-configuration`)).json(); // leaves a keep-alive socket
    const started = Date.now();
    await other.close();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(`${other.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });
});
