/**
 * From metadata to a drafted client: the issuer check explained (RFC 8414 §3.3, OpenID Connect
 * Discovery §4.3), every endpoint carried, client authentication chosen and explained, and the draft
 * accepted by the relay's own configuration loader once the id and secret are filled in.
 */
import { describe, expect, it } from "vitest";
import {
  type DiscoveredMetadata,
  draftCustomClient,
  explainIssuerMismatch,
  parseMetadata,
} from "../../src/providers/discovery.ts";
import { loadRelayOptions, resolveRelayOptions, toPublicClient } from "../../src/relay/config.ts";

const ISSUER = "https://auth.example.test/o";
const EXACT =
  "Issuers are compared character for character (RFC 8414 §3.3, OpenID Connect Discovery §4.3): the issuer is what tokens and authorization responses will name, so tokendesk uses no metadata that names another.";
const FULL = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize/`,
  token_endpoint: `${ISSUER}/token/`,
  userinfo_endpoint: `${ISSUER}/userinfo/`,
  revocation_endpoint: `${ISSUER}/revoke_token/`,
  introspection_endpoint: `${ISSUER}/introspect/`,
  jwks_uri: `${ISSUER}/.well-known/jwks.json`,
  token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
  code_challenge_methods_supported: ["plain", "S256"],
  scopes_supported: ["openid", "read", "write"],
};

function _metadata(doc: Record<string, unknown>, issuer = ISSUER): DiscoveredMetadata {
  const parsed = parseMetadata(JSON.stringify(doc), issuer);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.metadata;
}

describe("the issuer check, explained", () => {
  it("names a trailing slash the typed issuer has and the metadata's lacks, and offers the metadata's", () => {
    const parsed = parseMetadata(JSON.stringify(FULL), `${ISSUER}/`);
    expect(parsed).toEqual({
      ok: false,
      problem: `The metadata names issuer ${ISSUER}, not ${ISSUER}/: they differ in the trailing slash (the metadata's issuer has none). ${EXACT} If ${ISSUER} is the issuer you mean, discover it instead.`,
      mismatch: { named: ISSUER, suggestion: ISSUER },
    });
  });

  it("names a trailing slash the metadata's issuer has, as Auth0-style issuers do", () => {
    const { problem, mismatch } = explainIssuerMismatch(
      "https://tenant.example.test",
      "https://tenant.example.test/",
    );
    expect(problem).toContain("they differ in the trailing slash (the metadata's issuer has one).");
    expect(mismatch.suggestion).toBe("https://tenant.example.test/");
  });

  it("names another path on the same origin and offers it", () => {
    const { problem, mismatch } = explainIssuerMismatch(
      "https://auth.example.test/realms/a",
      "https://auth.example.test/realms/b",
    );
    expect(problem).toBe(
      `The metadata names issuer https://auth.example.test/realms/b, not https://auth.example.test/realms/a: they differ in the path (/realms/b, not /realms/a). ${EXACT} If https://auth.example.test/realms/b is the issuer you mean, discover it instead.`,
    );
    expect(mismatch).toEqual({
      named: "https://auth.example.test/realms/b",
      suggestion: "https://auth.example.test/realms/b",
    });
  });

  it("names another host, and offers nothing: one server must not send the user to another", () => {
    const { problem, mismatch } = explainIssuerMismatch(
      "https://auth.example.test",
      "https://evil.example.test",
    );
    expect(problem).toBe(
      `The metadata names issuer https://evil.example.test, not https://auth.example.test: they differ in the host (evil.example.test, not auth.example.test). ${EXACT} It is on another origin, so tokendesk does not offer it: if https://evil.example.test really is your issuer, type it yourself.`,
    );
    expect(mismatch.suggestion).toBeNull();
  });

  it("names the scheme and the port", () => {
    expect(
      explainIssuerMismatch("https://auth.example.test", "http://auth.example.test:8000").problem,
    ).toContain("they differ in the scheme (http, not https), the port (8000, not the default).");
  });

  it("names a difference of letter case that URLs hide", () => {
    const { problem, mismatch } = explainIssuerMismatch(
      "https://Auth.example.test",
      "https://auth.example.test",
    );
    expect(problem).toContain("they differ in how the URL is written (letter case or escaping).");
    expect(mismatch.suggestion).toBe("https://auth.example.test");
  });

  it("does not offer a same-origin issuer that is not a valid issuer (a query)", () => {
    expect(explainIssuerMismatch(ISSUER, `${ISSUER}?tenant=a`).mismatch.suggestion).toBeNull();
  });

  it("says so when the metadata names no issuer, or one that is not a URL", () => {
    const { issuer: _, ...noIssuer } = FULL;
    expect(parseMetadata(JSON.stringify(noIssuer), ISSUER)).toEqual({
      ok: false,
      problem:
        'The metadata names no issuer (RFC 8414 §2 requires "issuer"), so tokendesk cannot tell whose it is and does not use it.',
      mismatch: { named: null, suggestion: null },
    });
    expect(explainIssuerMismatch(ISSUER, "auth").problem).toBe(
      `The metadata names issuer "auth", which is not a URL, while you asked for ${ISSUER}. ${EXACT}`,
    );
  });
});

describe("parseMetadata", () => {
  it("reads every endpoint a drafted client carries", () => {
    expect(_metadata(FULL)).toEqual({
      issuer: ISSUER,
      authorization_endpoint: FULL.authorization_endpoint,
      token_endpoint: FULL.token_endpoint,
      revocation_endpoint: FULL.revocation_endpoint,
      introspection_endpoint: FULL.introspection_endpoint,
      userinfo_endpoint: FULL.userinfo_endpoint,
      jwks_uri: FULL.jwks_uri,
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      authMethodsStated: true,
      code_challenge_methods_supported: ["plain", "S256"],
      scopes_supported: ["openid", "read", "write"],
      openIdProvider: false,
    });
  });

  it("refuses an http introspection endpoint or JWKS on a public host", () => {
    expect(
      parseMetadata(JSON.stringify({ ...FULL, jwks_uri: "http://auth.example.test/jwks" }), ISSUER),
    ).toEqual({
      ok: false,
      problem: '"jwks_uri" must be an https URL (http only on loopback).',
    });
    expect(parseMetadata(JSON.stringify({ ...FULL, introspection_endpoint: 42 }), ISSUER)).toEqual({
      ok: false,
      problem: '"introspection_endpoint" must be an https URL (http only on loopback).',
    });
  });
});

describe("draftCustomClient", () => {
  const options = { id: "auth.example.test", redirectUri: "http://127.0.0.1:5173/callback/" };

  it("carries every endpoint, the userinfo endpoint as the identity probe's, and prefers Basic", () => {
    const draft = draftCustomClient(_metadata(FULL), options);
    expect(draft).toEqual({
      ok: true,
      pkce: true,
      authMethodReason:
        "client_secret_basic: the server lists it (client_secret_post is listed too), and it is OAuth's default, which every server that issues secrets must support (RFC 6749 §2.3.1); the secret travels in the Authorization header, not in the body.",
      client: {
        id: "auth.example.test",
        provider: "custom",
        client_id: "<client id from the provider>",
        client_secret: "<client secret from the provider>",
        redirect_uris: ["http://127.0.0.1:5173/callback/"],
        scope: "openid",
        issuer: ISSUER,
        authorization_endpoint: FULL.authorization_endpoint,
        token_endpoint: FULL.token_endpoint,
        userinfo_endpoint: FULL.userinfo_endpoint,
        revocation_endpoint: FULL.revocation_endpoint,
        introspection_endpoint: FULL.introspection_endpoint,
        jwks_uri: FULL.jwks_uri,
        token_endpoint_auth_method: "client_secret_basic",
        body_encoding: "form",
      },
    });
  });

  it("asks for openid from an OpenID provider that lists no scopes, as Django OAuth Toolkit does", () => {
    const { scopes_supported: _, ...dot } = FULL;
    const openId = draftCustomClient(
      _metadata({ ...dot, id_token_signing_alg_values_supported: ["RS256", "HS256"] }),
      options,
    );
    expect(openId.ok && openId.client.scope).toBe("openid");
    // Plain RFC 8414 metadata without scopes: nothing is assumed.
    const plain = draftCustomClient(_metadata(dot), options);
    expect(plain.ok && plain.client.scope).toBeUndefined();
  });

  it("leaves out what the metadata does not publish", () => {
    const {
      userinfo_endpoint: _u,
      introspection_endpoint: _i,
      jwks_uri: _j,
      revocation_endpoint: _r,
      ...bare
    } = FULL;
    const draft = draftCustomClient(_metadata(bare), options);
    expect(draft.ok && Object.keys(draft.client)).toEqual([
      "id",
      "provider",
      "client_id",
      "client_secret",
      "redirect_uris",
      "scope",
      "issuer",
      "authorization_endpoint",
      "token_endpoint",
      "token_endpoint_auth_method",
      "body_encoding",
    ]);
  });

  it("explains Basic by default when no methods are listed (RFC 8414 §2), and post when Basic is missing", () => {
    const { token_endpoint_auth_methods_supported: _, ...unstated } = FULL;
    const byDefault = draftCustomClient(_metadata(unstated), options);
    expect(byDefault.ok && [byDefault.client.token_endpoint_auth_method, byDefault.authMethodReason]).toEqual(
      [
        "client_secret_basic",
        "client_secret_basic: the metadata lists no methods, and RFC 8414 §2 makes Basic the default then.",
      ],
    );
    const post = draftCustomClient(
      _metadata({
        ...FULL,
        token_endpoint_auth_methods_supported: ["private_key_jwt", "client_secret_post"],
      }),
      options,
    );
    expect(post.ok && [post.client.token_endpoint_auth_method, post.authMethodReason]).toEqual([
      "client_secret_post",
      "client_secret_post: the server lists it and not client_secret_basic, so the relay sends the secret in the body.",
    ]);
  });

  it("says an empty list of methods leaves nothing the relay can send", () => {
    expect(
      draftCustomClient(_metadata({ ...FULL, token_endpoint_auth_methods_supported: [] }), options),
    ).toEqual({
      ok: false,
      problem:
        "The token endpoint takes only no client secret (its list of methods is empty); the relay can send a client secret with client_secret_basic or client_secret_post only.",
    });
  });

  it("is a configuration the relay loads once the id and secret are filled in", () => {
    const draft = draftCustomClient(
      _metadata(
        {
          ...FULL,
          issuer: "http://127.0.0.1:8000/o",
          authorization_endpoint: "http://127.0.0.1:8000/o/authorize/",
          token_endpoint: "http://127.0.0.1:8000/o/token/",
          userinfo_endpoint: "http://127.0.0.1:8000/o/userinfo/",
          revocation_endpoint: "http://127.0.0.1:8000/o/revoke_token/",
          introspection_endpoint: "http://127.0.0.1:8000/o/introspect/",
          jwks_uri: "http://127.0.0.1:8000/o/.well-known/jwks.json",
        },
        "http://127.0.0.1:8000/o",
      ),
      options,
    );
    if (!draft.ok) throw new Error(draft.problem);
    const relay = resolveRelayOptions(
      loadRelayOptions({
        TOKENDESK_CLIENTS: JSON.stringify([
          { ...draft.client, client_id: "dot-id", client_secret: "dot-secret" },
        ]),
      }),
    );
    const resolved = relay.clients.get("auth.example.test");
    if (resolved === undefined) throw new Error("the drafted client was not loaded");
    const listed = toPublicClient(resolved);
    expect(listed).toMatchObject({
      issuer: "http://127.0.0.1:8000/o",
      identity_endpoint: "http://127.0.0.1:8000/o/userinfo/",
      revocation_endpoint: "http://127.0.0.1:8000/o/revoke_token/",
      introspection_endpoint: "http://127.0.0.1:8000/o/introspect/",
      jwks_uri: "http://127.0.0.1:8000/o/.well-known/jwks.json",
      token_endpoint_auth_method: "client_secret_basic",
    });
  });
});
