/**
 * The JWKS route's rules, pure: which client may have its keys read, from where, and which `jwks_uri`
 * an issuer's metadata may point the relay at. The case table (cases/jwks.ts) drives the route itself
 * in Node and workerd; these are the cases no loopback upstream can stage.
 */
import { describe, expect, it } from "vitest";
import { checkJwksRequest, jwksUriFromMetadata } from "../../src/relay/jwks.ts";

const ISSUER = "https://id.example.test";
const META = `${ISSUER}/.well-known/openid-configuration`;

function _metadata(jwksUri: unknown, issuer: unknown = ISSUER): string {
  return JSON.stringify({ issuer, jwks_uri: jwksUri });
}

describe("jwksUriFromMetadata", () => {
  it("takes the issuer's own https jwks_uri, on another host too (Google's keys live on googleapis.com)", () => {
    expect(jwksUriFromMetadata(200, _metadata("https://www.keys.example.test/certs"), ISSUER, META)).toEqual({
      ok: true,
      url: "https://www.keys.example.test/certs",
    });
  });

  it.each([
    ["https://10.0.0.7/keys", /names a jwks_uri on an IP address/],
    ["https://[fd00::1]/keys", /names a jwks_uri on an IP address/],
    ["https://127.0.0.1/keys", /names a jwks_uri on a loopback host/],
    ["https://localhost./keys", /names a jwks_uri on a loopback host/],
    ["https://app.localhost/keys", /names a jwks_uri on a loopback host/],
    ["http://keys.example.test/jwks", /must use https/],
    ["https://user:pw@keys.example.test/jwks", /must not contain a user name or password/],
    ["/relative/jwks", /must be an absolute URL/],
    [42, /names no "jwks_uri"/],
  ])("refuses a jwks_uri of %s from an internet issuer", (uri, why) => {
    const found = jwksUriFromMetadata(200, _metadata(uri), ISSUER, META);
    expect(found.ok).toBe(false);
    if (!found.ok) {
      expect(found.problem).toMatch(why);
      expect(found.problem).toMatch(
        /^The issuer's metadata at https:\/\/id\.example\.test\/\.well-known\/openid-configuration /,
      );
      expect(found.problem).toMatch(/; the relay read no keys\.$/);
    }
  });

  it("takes a loopback jwks_uri from a loopback issuer (a development server)", () => {
    const issuer = "http://127.0.0.1:4000";
    expect(jwksUriFromMetadata(200, _metadata("http://127.0.0.1:4000/jwks", issuer), issuer, META)).toEqual({
      ok: true,
      url: "http://127.0.0.1:4000/jwks",
    });
  });

  it("takes an IP-address jwks_uri on the issuer's own host", () => {
    const issuer = "https://192.0.2.10";
    expect(jwksUriFromMetadata(200, _metadata("https://192.0.2.10/jwks", issuer), issuer, META).ok).toBe(
      true,
    );
  });

  it("uses no metadata that is another issuer's, not JSON, or not an answer", () => {
    const problem = (status: number, body: string) => {
      const found = jwksUriFromMetadata(status, body, ISSUER, META);
      return found.ok ? null : found.problem;
    };
    expect(problem(200, _metadata("https://k.example.test/jwks", "https://id.example.test/"))).toMatch(
      /names the issuer "https:\/\/id\.example\.test\/", not "https:\/\/id\.example\.test" \(OpenID Connect Discovery §4\.3/,
    );
    expect(problem(200, "<html>")).toMatch(/is not JSON/);
    expect(problem(200, "[]")).toMatch(/is not a JSON object/);
    expect(problem(301, "")).toMatch(/answered 301, not 200/);
  });
});

describe("checkJwksRequest", () => {
  const clients = new Map([
    ["configured", { id: "configured", issuer: ISSUER, jwksUri: "https://k.example.test/jwks" }],
    ["discovered", { id: "discovered", issuer: `${ISSUER}/tenant/`, jwksUri: null }],
    ["template", { id: "template", issuer: "https://login.example.test/{tenantid}/v2.0", jwksUri: null }],
    ["bare", { id: "bare", issuer: null, jwksUri: null }],
  ]);

  it("reads a configured jwks_uri before anything else", () => {
    expect(checkJwksRequest({ client: "configured" }, clients)).toMatchObject({
      ok: true,
      source: { kind: "configured", url: "https://k.example.test/jwks" },
    });
  });

  it("discovers from the issuer's OpenID metadata, appended to the issuer's path", () => {
    expect(checkJwksRequest({ client: "discovered" }, clients)).toMatchObject({
      ok: true,
      source: {
        kind: "discover",
        issuer: `${ISSUER}/tenant/`,
        metadataUrl: `${ISSUER}/tenant/.well-known/openid-configuration`,
      },
    });
  });

  it("discovers nothing from a templated issuer or none, and says what to configure", () => {
    for (const id of ["template", "bare"]) {
      expect(checkJwksRequest({ client: id }, clients)).toMatchObject({
        ok: false,
        error: "jwks_unknown",
        client: id,
        description: expect.stringContaining(
          'Add "jwks_uri" (or "issuer") to the client in TOKENDESK_CLIENTS.',
        ),
      });
    }
  });

  it("lets no caller name a URL or send credentials", () => {
    expect(checkJwksRequest({ client: "bare", jwks_uri: "https://evil.test" }, clients)).toMatchObject({
      ok: false,
      error: "invalid_request",
    });
    expect(checkJwksRequest({ client: "bare", client_assertion: "x" }, clients)).toMatchObject({
      ok: false,
      error: "credentials_not_allowed",
    });
    expect(checkJwksRequest({ client: "ghost" }, clients)).toMatchObject({
      ok: false,
      error: "unknown_client",
    });
    expect(checkJwksRequest("configured", clients)).toMatchObject({ ok: false, error: "invalid_request" });
  });
});
