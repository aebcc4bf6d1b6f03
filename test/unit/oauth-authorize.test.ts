import { describe, expect, it } from "vitest";
import {
  authorizationEndpointOf,
  buildAuthorizationUrl,
  challengeFor,
  createNonceFor,
  createPkce,
  createState,
} from "../../src/oauth/authorize.ts";
import { custom } from "../../src/providers/custom.ts";
import { google } from "../../src/providers/google.ts";

describe("PKCE", () => {
  it("computes the S256 challenge of RFC 7636 appendix B", async () => {
    expect(await challengeFor("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("makes a fresh 43-character verifier whose challenge matches, every time", async () => {
    const a = await createPkce();
    const b = await createPkce();
    expect(a.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.codeChallenge).toBe(await challengeFor(a.codeVerifier));
  });

  it("makes states of at least 128 random bits that never repeat", () => {
    const states = new Set(Array.from({ length: 100 }, () => createState()));
    expect(states.size).toBe(100);
    for (const s of states) expect(s.length).toBeGreaterThanOrEqual(22);
  });
});

describe("nonce (OpenID Connect Core §3.1.2.1)", () => {
  it("is a fresh value of 256 random bits whenever the scope asks for an ID token", () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createNonceFor("openid email")));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createNonceFor("email,openid")).not.toBeNull();
  });

  it("is not sent when the scope does not ask for an ID token", () => {
    expect(createNonceFor("accounting.read openid_extra")).toBeNull();
    expect(createNonceFor("")).toBeNull();
  });
});

describe("authorizationEndpointOf", () => {
  it("takes the relay's endpoint, else the recipe's for the environment, else says what to configure", () => {
    const client = { id: "c", authorization_endpoint: null, environment: "production" };
    expect(authorizationEndpointOf(client, google)).toBe("https://accounts.google.com/o/oauth2/v2/auth");
    expect(
      authorizationEndpointOf({ ...client, authorization_endpoint: "https://a.test/auth" }, google),
    ).toBe("https://a.test/auth");
    expect(() => authorizationEndpointOf(client, custom)).toThrow(
      'Client "c" has no authorization endpoint: add "authorization_endpoint" to it in TOKENDESK_CLIENTS.',
    );
  });
});

describe("buildAuthorizationUrl", () => {
  const base = {
    authorizationEndpoint: "https://as.example/authorize?tenant=x",
    clientId: "app 1",
    redirectUri: "http://127.0.0.1:5173/callback/",
    scope: "openid demo:read",
    state: "st",
    codeChallenge: "ch",
  };

  it("sets every code-grant parameter and keeps the endpoint's own query", () => {
    const url = buildAuthorizationUrl({ ...base, extraParams: { access_type: "offline" } });
    expect(url.origin + url.pathname).toBe("https://as.example/authorize");
    expect([...url.searchParams]).toEqual([
      ["tenant", "x"],
      ["response_type", "code"],
      ["client_id", "app 1"],
      ["redirect_uri", "http://127.0.0.1:5173/callback/"],
      ["scope", "openid demo:read"],
      ["state", "st"],
      ["code_challenge", "ch"],
      ["code_challenge_method", "S256"],
      ["access_type", "offline"],
    ]);
  });

  it("sends the nonce after PKCE, and lets no extra parameter replace it", () => {
    const url = buildAuthorizationUrl({ ...base, nonce: "n-1" });
    expect([...url.searchParams].slice(-2)).toEqual([
      ["code_challenge_method", "S256"],
      ["nonce", "n-1"],
    ]);
    expect(buildAuthorizationUrl({ ...base, nonce: null }).searchParams.has("nonce")).toBe(false);
    expect(() => buildAuthorizationUrl({ ...base, nonce: "n-1", extraParams: { nonce: "x" } })).toThrow(
      'extra parameter "nonce" would override one tokendesk sets itself; remove it',
    );
  });

  it("leaves scope out when it is empty", () => {
    expect(buildAuthorizationUrl({ ...base, scope: "  " }).searchParams.has("scope")).toBe(false);
  });

  it("refuses an extra parameter that would override its own", () => {
    expect(() => buildAuthorizationUrl({ ...base, extraParams: { state: "evil" } })).toThrow(
      'extra parameter "state" would override one tokendesk sets itself; remove it',
    );
  });

  it("refuses an endpoint that is not an http(s) URL", () => {
    expect(() => buildAuthorizationUrl({ ...base, authorizationEndpoint: "javascript:alert(1)" })).toThrow(
      /must use https/,
    );
    expect(() => buildAuthorizationUrl({ ...base, authorizationEndpoint: "/relative" })).toThrow(
      /must be an absolute URL/,
    );
  });
});
