import { describe, expect, it } from "vitest";
import { buildAuthorizationUrl, challengeFor, createPkce, createState } from "../../src/oauth/authorize.ts";

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
