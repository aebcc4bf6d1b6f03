/** Discovery (RFC 8414, OpenID Connect Discovery) and the identity probe's reading of answers. */
import { describe, expect, it } from "vitest";
import { discoverIssuer } from "../../src/oauth/discover.ts";
import { accountFrom, probeAccount, readBearerChallenge } from "../../src/oauth/identity.ts";
import type { RelayLookups, RelayTokenResult } from "../../src/oauth/relay-client.ts";
import { discoveryUrl, draftCustomClient, parseMetadata } from "../../src/providers/discovery.ts";
import { findRecipe } from "../../src/providers/index.ts";

const ISSUER = "https://auth.example.test";
const META = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  userinfo_endpoint: `${ISSUER}/userinfo`,
  revocation_endpoint: `${ISSUER}/revoke`,
  code_challenge_methods_supported: ["S256"],
  token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt"],
  scopes_supported: ["openid", "email", "offline_access"],
};

function _envelope(status: number, body: string, contentType = "application/json"): RelayTokenResult {
  return {
    kind: "envelope",
    envelope: {
      sent: { method: "GET", url: "", headers: {}, body: "" },
      upstream: { status, headers: { "content-type": contentType }, body },
      ms: 1,
    },
  };
}

function _lookups(answers: { probe?: RelayTokenResult; discover?: RelayTokenResult[] }) {
  const calls: unknown[] = [];
  const lookups: RelayLookups = {
    probe: async (request) => {
      calls.push(["probe", request]);
      return answers.probe ?? _envelope(500, "");
    },
    discover: async (request) => {
      calls.push(["discover", request]);
      return answers.discover?.shift() ?? _envelope(404, "");
    },
    introspect: async (request) => {
      calls.push(["introspect", request]);
      return _envelope(500, "");
    },
    jwks: async (request) => {
      calls.push(["jwks", request]);
      return _envelope(404, "");
    },
  };
  return { lookups, calls };
}

describe("discoveryUrl", () => {
  it("inserts RFC 8414's path before the issuer's path and appends OpenID's after it", () => {
    expect(discoveryUrl("https://a.test", "oauth-authorization-server")).toBe(
      "https://a.test/.well-known/oauth-authorization-server",
    );
    expect(discoveryUrl("https://a.test/t/1/", "oauth-authorization-server")).toBe(
      "https://a.test/.well-known/oauth-authorization-server/t/1",
    );
    expect(discoveryUrl("https://a.test/t/1", "openid-configuration")).toBe(
      "https://a.test/t/1/.well-known/openid-configuration",
    );
  });
});

describe("parseMetadata", () => {
  it("refuses metadata that names another issuer (RFC 8414 §3.3)", () => {
    const result = parseMetadata(JSON.stringify({ ...META, issuer: "https://evil.test" }), ISSUER);
    expect(result).toMatchObject({
      ok: false,
      problem: expect.stringMatching(
        /^The metadata names issuer https:\/\/evil\.test, not https:\/\/auth\.example\.test: they differ in the host/,
      ),
      mismatch: { named: "https://evil.test", suggestion: null },
    });
  });

  it("refuses http endpoints on a public host and reads RFC 8414's default client authentication", () => {
    expect(
      parseMetadata(JSON.stringify({ ...META, token_endpoint: "http://auth.example.test/token" }), ISSUER),
    ).toEqual({
      ok: false,
      problem: '"token_endpoint" must be an https URL (http only on loopback).',
    });
    const { token_endpoint_auth_methods_supported: _, ...rest } = META;
    const parsed = parseMetadata(JSON.stringify(rest), ISSUER);
    expect(parsed.ok && parsed.metadata.token_endpoint_auth_methods_supported).toEqual([
      "client_secret_basic",
    ]);
  });
});

describe("draftCustomClient", () => {
  it("uses client_secret_post when Basic is not offered, and asks for openid and offline_access", () => {
    const parsed = parseMetadata(JSON.stringify(META), ISSUER);
    if (!parsed.ok) throw new Error(parsed.problem);
    const draft = draftCustomClient(parsed.metadata, {
      id: "auth",
      redirectUri: "http://127.0.0.1:5173/callback/",
    });
    expect(draft.ok && draft.client.token_endpoint_auth_method).toBe("client_secret_post");
    expect(draft.ok && draft.client.scope).toBe("openid offline_access");
    expect(draft.ok && draft.client.userinfo_endpoint).toBe(`${ISSUER}/userinfo`);
    expect(draft.ok && draft.client.revocation_endpoint).toBe(`${ISSUER}/revoke`);
    expect(draft.ok && draft.pkce).toBe(true);
  });

  it("says so when the server takes no client secret the relay can send", () => {
    const parsed = parseMetadata(
      JSON.stringify({ ...META, token_endpoint_auth_methods_supported: ["private_key_jwt"] }),
      ISSUER,
    );
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(draftCustomClient(parsed.metadata, { id: "x", redirectUri: "https://a/cb" })).toEqual({
      ok: false,
      problem:
        "The token endpoint takes only private_key_jwt; the relay can send a client secret with client_secret_basic or client_secret_post only.",
    });
  });
});

describe("discoverIssuer", () => {
  it("reads from the page when it can, and never asks the relay then", async () => {
    const { lookups, calls } = _lookups({});
    const fetched: string[] = [];
    const result = await discoverIssuer(ISSUER, {
      fetch: async (url) => {
        fetched.push(String(url));
        return new Response(JSON.stringify(META), { status: 200 });
      },
      lookups,
    });
    expect(result.ok && result.via).toBe("browser");
    expect(fetched).toEqual([`${ISSUER}/.well-known/openid-configuration`]);
    expect(calls).toEqual([]);
  });

  it("asks the relay when the page cannot read the issuer, trying OpenID then RFC 8414", async () => {
    const { lookups, calls } = _lookups({
      discover: [_envelope(404, "nope"), _envelope(200, JSON.stringify(META))],
    });
    const result = await discoverIssuer(ISSUER, {
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
      lookups,
    });
    expect(result.ok && result.via).toBe("relay");
    expect(result.ok && result.url).toBe(`${ISSUER}/.well-known/oauth-authorization-server`);
    expect(calls).toEqual([
      ["discover", { issuer: ISSUER, well_known: "openid-configuration" }],
      ["discover", { issuer: ISSUER, well_known: "oauth-authorization-server" }],
    ]);
  });

  it("refuses an issuer that is not https before fetching anything", async () => {
    const { lookups, calls } = _lookups({});
    const result = await discoverIssuer("http://auth.example.test", {
      fetch: async () => {
        throw new Error("must not fetch");
      },
      lookups,
    });
    expect(result).toEqual({
      ok: false,
      problem: "The issuer must use https (http only for a loopback host such as 127.0.0.1).",
      attempts: [],
    });
    expect(calls).toEqual([]);
  });
});

describe("the identity probe", () => {
  it("reads the account the recipe points at, including Xero's array of tenants", () => {
    expect(accountFrom({ user: { email: "ada@example.test" } }, ["user.email"])).toBe("ada@example.test");
    expect(accountFrom([{ tenantName: "Demo Company (UK)" }], ["0.tenantName"])).toBe("Demo Company (UK)");
    expect(accountFrom({ id: 42 }, ["login", "id"])).toBe("42");
    expect(accountFrom({ user: null }, ["user.email"])).toBeNull();
  });

  it("explains a 401 after a FreshBooks refresh: the refresh ended that access token", async () => {
    const recipe = findRecipe("freshbooks");
    if (recipe === undefined) throw new Error("no recipe");
    const { lookups, calls } = _lookups({ probe: _envelope(401, '{"error":"unauthenticated"}') });
    const outcome = await probeAccount(lookups, { client: "fb", accessToken: "at" }, recipe);
    expect(calls).toEqual([["probe", { client: "fb", access_token: "at" }]]);
    expect(outcome.account).toBeNull();
    expect(outcome.problem).toEqual({
      title: "The provider refused the access token (401)",
      detail:
        "It expired or was revoked, or a refresh replaced it: at FreshBooks a refresh ends the previous access token at once.",
    });
  });

  it("reads the Bearer challenge of a refusal (RFC 6750 §3), and says what the server said", async () => {
    const recipe = findRecipe("custom");
    if (recipe === undefined) throw new Error("no recipe");
    // django-oauth-toolkit's answer to a revoked token, as it sends it.
    const refused: RelayTokenResult = {
      kind: "envelope",
      envelope: {
        sent: { method: "GET", url: "", headers: {}, body: "" },
        upstream: {
          status: 401,
          headers: {
            "www-authenticate":
              'Bearer error="invalid_token", error_description="The access token provided is expired, revoked, malformed, or invalid for other reasons."',
          },
          body: "",
        },
        ms: 1,
      },
    };
    const { lookups } = _lookups({ probe: refused });
    const outcome = await probeAccount(lookups, { client: "dot", accessToken: "at" }, recipe);
    expect(outcome.problem).toEqual({
      title: "The provider refused the access token (401)",
      detail:
        'It expired or was revoked. Refresh, then identify again. Its WWW-Authenticate says invalid_token ("The access token provided is expired, revoked, malformed, or invalid for other reasons.").',
    });
  });

  it("reads a challenge leniently and says how it departs from RFC 6750", () => {
    expect(
      readBearerChallenge(
        'Bearer realm="http://127.0.0.1:1", error="invalid_token", error_description="a, b"',
      ),
    ).toEqual({ error: "invalid_token", description: "a, b", scope: null, malformed: null });
    expect(
      readBearerChallenge('Basic realm="x", Bearer error="insufficient_scope", scope="read write"'),
    ).toEqual({ error: "insufficient_scope", description: null, scope: "read write", malformed: null });
    // LemonLDAP::NG 2.16's userinfo: no scheme, and a value with a space unquoted.
    expect(readBearerChallenge("error=invalid_request,error_description=Invalid request")).toEqual({
      error: "invalid_request",
      description: "Invalid request",
      scope: null,
      malformed:
        'it names no scheme: RFC 6750 §3 starts the challenge with "Bearer", and a value with spaces or other characters that need quotes is not quoted',
    });
    expect(readBearerChallenge("Bearer")).toEqual({
      error: null,
      description: null,
      scope: null,
      malformed: null,
    });
    expect(readBearerChallenge('Basic realm="Application"')).toBeNull();
    expect(readBearerChallenge(undefined)).toBeNull();
  });

  it("names the Xero organisation from /connections", async () => {
    const recipe = findRecipe("xero");
    if (recipe === undefined) throw new Error("no recipe");
    const { lookups } = _lookups({
      probe: _envelope(200, JSON.stringify([{ tenantId: "t1", tenantName: "Demo Co" }])),
    });
    expect((await probeAccount(lookups, { client: "x", accessToken: "at" }, recipe)).account).toBe("Demo Co");
  });
});
