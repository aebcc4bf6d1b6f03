import { describe, expect, it } from "vitest";
import { recipes } from "../../src/providers/index.ts";
import {
  loadRelayOptions,
  parseAllowedOrigins,
  parseClients,
  type RelayClientConfig,
  RelayConfigError,
} from "../../src/relay/config.ts";
import { createRelay } from "../../src/relay/handler.ts";
import { _ACME, _DEMO, _secretForms } from "./_helpers.ts";

const RECIPES = { ...recipes, acme: _ACME };

function _configError(run: () => unknown): { code: string; field: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RelayConfigError);
    const { code, field, message } = error as RelayConfigError;
    for (const secret of _secretForms()) expect(message).not.toContain(secret);
    return { code, field, message };
  }
  throw new Error("expected a RelayConfigError");
}

/** TOKENDESK_CLIENTS holding one client: the demo client with `change` applied (undefined deletes). */
function _oneClient(change: Record<string, unknown>): string {
  const client: Record<string, unknown> = { ..._DEMO, ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete client[key];
  return JSON.stringify([client]);
}

const CUSTOM = {
  id: "mine",
  provider: "custom",
  client_id: "c",
  client_secret: "custom-secret-1",
  redirect_uris: ["https://app.example.test/cb"],
  token_endpoint: "https://auth.example.test/token",
  token_endpoint_auth_method: "client_secret_post",
  body_encoding: "json",
};

describe("parseClients", () => {
  it("returns the configured clients, keeping only known fields", () => {
    expect(parseClients(JSON.stringify([_DEMO, CUSTOM]))).toEqual([_DEMO, CUSTOM]);
  });

  it("accepts an explicit empty list", () => {
    expect(parseClients("[]")).toEqual([]);
  });

  it.each([undefined, "", "   "])("refuses an unset TOKENDESK_CLIENTS (%j)", (value) => {
    expect(_configError(() => parseClients(value))).toEqual({
      code: "missing",
      field: "TOKENDESK_CLIENTS",
      message:
        'TOKENDESK_CLIENTS is not set: set it to a JSON array of clients, each {"id","provider","client_id","client_secret","redirect_uris":[…]} (see DESIGN.md, "The relay\'s contract").',
    });
  });

  it("refuses invalid JSON with the position only, never quoting the input (it holds secrets)", () => {
    const json = `[{"id":"demo","client_secret":"${_DEMO.client_secret}",}]`;
    expect(_configError(() => parseClients(json))).toEqual({
      code: "invalid_json",
      field: "TOKENDESK_CLIENTS",
      message: expect.stringMatching(
        /^TOKENDESK_CLIENTS is not valid JSON( \(at position \d+\))?; it must be a JSON array of clients \(in a \.env file, wrap the value in single quotes\)\.$/,
      ),
    });
  });

  it.each([
    ['{"id":"demo"}', "an object"],
    ['"demo"', "a string"],
    ["null", "null"],
  ])("refuses a TOKENDESK_CLIENTS that is not an array (%s)", (json, what) => {
    expect(_configError(() => parseClients(json)).message).toBe(
      `TOKENDESK_CLIENTS must be a JSON array of clients, e.g. [{"id":"my-app",…}], not ${what}.`,
    );
  });

  it.each([
    [
      "a client that is not an object",
      '["demo"]',
      "TOKENDESK_CLIENTS[0]",
      "invalid_client",
      "TOKENDESK_CLIENTS[0] must be a JSON object with id, provider, client_id, client_secret and redirect_uris.",
    ],
    [
      "an unknown field (a likely typo)",
      _oneClient({ redirect_uri: "x" }),
      "TOKENDESK_CLIENTS[0]",
      "invalid_client",
      'TOKENDESK_CLIENTS[0] has an unknown field "redirect_uri"; remove it (allowed fields: id, provider, environment, client_id, client_secret, redirect_uris, scope, issuer, authorization_endpoint, token_endpoint, identity_endpoint, revocation_endpoint, introspection_endpoint, jwks_uri, userinfo_endpoint, token_endpoint_auth_method, body_encoding, api_base_urls).',
    ],
    [
      "a missing id",
      _oneClient({ id: undefined }),
      "TOKENDESK_CLIENTS[0].id",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].id must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    ],
    [
      "an id with spaces",
      _oneClient({ id: "my app" }),
      "TOKENDESK_CLIENTS[0].id",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].id must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    ],
    [
      "a missing provider",
      _oneClient({ provider: undefined }),
      "TOKENDESK_CLIENTS[0].provider",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].provider must be a string naming a provider recipe: one of demo, freeagent, freshbooks, xero, quickbooks, google, microsoft, github, github-app, custom.",
    ],
    [
      "an unknown provider",
      _oneClient({ provider: "nope" }),
      "TOKENDESK_CLIENTS[0].provider",
      "unknown_provider",
      'TOKENDESK_CLIENTS[0].provider "nope" is not a known provider; use one of demo, freeagent, freshbooks, xero, quickbooks, google, microsoft, github, github-app, custom.',
    ],
    [
      "a missing client_id",
      _oneClient({ client_id: undefined }),
      "TOKENDESK_CLIENTS[0].client_id",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].client_id must be a non-empty string: the client identifier the provider issued.",
    ],
    [
      "an empty client_secret",
      _oneClient({ client_secret: "" }),
      "TOKENDESK_CLIENTS[0].client_secret",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].client_secret must be a non-empty string: the client secret the provider issued.",
    ],
    [
      "a numeric client_secret",
      _oneClient({ client_secret: 1234 }),
      "TOKENDESK_CLIENTS[0].client_secret",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].client_secret must be a non-empty string: the client secret the provider issued.",
    ],
    [
      "missing redirect_uris",
      _oneClient({ redirect_uris: undefined }),
      "TOKENDESK_CLIENTS[0].redirect_uris",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].redirect_uris must be a non-empty array of absolute URLs.",
    ],
    [
      "empty redirect_uris",
      _oneClient({ redirect_uris: [] }),
      "TOKENDESK_CLIENTS[0].redirect_uris",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].redirect_uris must be a non-empty array of absolute URLs.",
    ],
    [
      "a string for redirect_uris",
      _oneClient({ redirect_uris: "https://a.test/cb" }),
      "TOKENDESK_CLIENTS[0].redirect_uris",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].redirect_uris must be a non-empty array of absolute URLs.",
    ],
    [
      "a relative redirect URI",
      _oneClient({ redirect_uris: ["https://a.test/cb", "/callback"] }),
      "TOKENDESK_CLIENTS[0].redirect_uris[1]",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].redirect_uris[1] "/callback" must be an absolute http or https URL (redirect_uris must be a non-empty array of absolute URLs).',
    ],
    [
      "a non-string redirect URI",
      _oneClient({ redirect_uris: [42] }),
      "TOKENDESK_CLIENTS[0].redirect_uris[0]",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].redirect_uris[0] must be an absolute http or https URL (redirect_uris must be a non-empty array of absolute URLs), not a number.",
    ],
    [
      "a redirect URI with another scheme",
      _oneClient({ redirect_uris: ["com.example.app:/cb"] }),
      "TOKENDESK_CLIENTS[0].redirect_uris[0]",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].redirect_uris[0] "com.example.app:/cb" must be an absolute http or https URL (redirect_uris must be a non-empty array of absolute URLs): the page receives the callback.',
    ],
    [
      "a redirect URI with a fragment",
      _oneClient({ redirect_uris: ["https://a.test/cb#x"] }),
      "TOKENDESK_CLIENTS[0].redirect_uris[0]",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].redirect_uris[0] "https://a.test/cb#x" must not contain a fragment (RFC 6749 §3.1.2); remove the #… part.',
    ],
    [
      "an empty scope",
      _oneClient({ scope: "" }),
      "TOKENDESK_CLIENTS[0].scope",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].scope must be a non-empty string when present; remove it or give it a value.",
    ],
    [
      "a demo client without token_endpoint",
      _oneClient({ token_endpoint: undefined }),
      "TOKENDESK_CLIENTS[0].token_endpoint",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].token_endpoint is required for provider demo (its endpoints come from the client configuration): an https URL, or http on a loopback host.",
    ],
    [
      "an http token endpoint on a public host",
      _oneClient({ token_endpoint: "http://auth.example.test/token" }),
      "TOKENDESK_CLIENTS[0].token_endpoint",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].token_endpoint must use https; http is allowed only for loopback hosts (127.0.0.0/8, [::1], localhost).",
    ],
    [
      "an http token endpoint on a private address",
      _oneClient({ token_endpoint: "http://10.0.0.5/token" }),
      "TOKENDESK_CLIENTS[0].token_endpoint",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].token_endpoint must use https; http is allowed only for loopback hosts (127.0.0.0/8, [::1], localhost).",
    ],
    [
      "a token endpoint with another scheme",
      _oneClient({ token_endpoint: "ftp://auth.example.test/token" }),
      "TOKENDESK_CLIENTS[0].token_endpoint",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].token_endpoint must use https (or http on a loopback host: 127.0.0.0/8, [::1], localhost).",
    ],
    [
      "a relative token endpoint",
      _oneClient({ token_endpoint: "/token" }),
      "TOKENDESK_CLIENTS[0].token_endpoint",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].token_endpoint must be an absolute URL, e.g. https://provider.example/oauth/token.",
    ],
    [
      "credentials in the token endpoint",
      _oneClient({ token_endpoint: "https://id:pw@auth.example.test/token" }),
      "TOKENDESK_CLIENTS[0].token_endpoint",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].token_endpoint must not contain a user name or password; put the client secret in client_secret.",
    ],
    [
      "a fragment in the token endpoint",
      _oneClient({ token_endpoint: "https://auth.example.test/token#x" }),
      "TOKENDESK_CLIENTS[0].token_endpoint",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].token_endpoint must not contain a fragment (#…).",
    ],
    [
      "an http authorization endpoint on a public host",
      _oneClient({ authorization_endpoint: "http://auth.example.test/a" }),
      "TOKENDESK_CLIENTS[0].authorization_endpoint",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].authorization_endpoint must use https; http is allowed only for loopback hosts (127.0.0.0/8, [::1], localhost).",
    ],
    [
      "an environment on a provider without environments",
      _oneClient({ environment: "sandbox" }),
      "TOKENDESK_CLIENTS[0].environment",
      "invalid_client",
      "TOKENDESK_CLIENTS[0].environment cannot be set for provider demo: it has no environments, its endpoints come from this client's configuration; remove it.",
    ],
    [
      "a demo client overriding the recipe's client authentication",
      _oneClient({ token_endpoint_auth_method: "client_secret_post" }),
      "TOKENDESK_CLIENTS[0].token_endpoint_auth_method",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].token_endpoint_auth_method cannot override provider demo\'s "client_secret_basic"; remove it.',
    ],
    [
      "a demo client overriding the recipe's body encoding",
      _oneClient({ body_encoding: "json" }),
      "TOKENDESK_CLIENTS[0].body_encoding",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].body_encoding cannot override provider demo\'s "form"; remove it.',
    ],
    [
      "an unknown client authentication",
      _oneClient({ token_endpoint_auth_method: "private_key_jwt" }),
      "TOKENDESK_CLIENTS[0].token_endpoint_auth_method",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].token_endpoint_auth_method must be "client_secret_basic" or "client_secret_post".',
    ],
    [
      "an unknown body encoding",
      _oneClient({ body_encoding: "xml" }),
      "TOKENDESK_CLIENTS[0].body_encoding",
      "invalid_client",
      'TOKENDESK_CLIENTS[0].body_encoding must be "form" or "json".',
    ],
  ])("refuses %s", (_name, json, field, code, message) => {
    expect(_configError(() => parseClients(json))).toEqual({ code, field, message });
  });

  it.each([
    [
      "token_endpoint",
      { token_endpoint: undefined },
      "TOKENDESK_CLIENTS[0].token_endpoint is required for provider custom (its endpoints come from the client configuration): an https URL, or http on a loopback host.",
    ],
    [
      "token_endpoint_auth_method",
      { token_endpoint_auth_method: undefined },
      'TOKENDESK_CLIENTS[0].token_endpoint_auth_method is required for provider custom: "client_secret_basic" or "client_secret_post".',
    ],
    [
      "body_encoding",
      { body_encoding: undefined },
      'TOKENDESK_CLIENTS[0].body_encoding is required for provider custom: "form" or "json".',
    ],
  ])("requires %s for a custom client", (field, change, message) => {
    const client: Record<string, unknown> = { ...CUSTOM, ...change };
    delete client[field];
    expect(_configError(() => parseClients(JSON.stringify([client])))).toEqual({
      code: "invalid_client",
      field: `TOKENDESK_CLIENTS[0].${field}`,
      message,
    });
  });

  it("refuses a second client with the same id, naming both", () => {
    const json = JSON.stringify([CUSTOM, _DEMO, { ...CUSTOM, client_id: "other" }]);
    expect(_configError(() => parseClients(json))).toEqual({
      code: "duplicate_client",
      field: "TOKENDESK_CLIENTS[2].id",
      message:
        'TOKENDESK_CLIENTS[2].id "mine" is already used by TOKENDESK_CLIENTS[0]; give each client its own id.',
    });
  });

  it.each([
    "http://127.0.0.1:4000/token",
    "http://127.9.8.7/token",
    "http://[::1]:4000/token",
    "http://localhost:4000/token",
    "https://auth.example.test/token?tenant=x",
  ])("accepts the token endpoint %s", (endpoint) => {
    expect(parseClients(_oneClient({ token_endpoint: endpoint }))[0]?.token_endpoint).toBe(endpoint);
  });

  it("accepts a demo client restating the recipe's own client authentication", () => {
    const json = _oneClient({ token_endpoint_auth_method: "client_secret_basic", body_encoding: "form" });
    expect(parseClients(json)[0]?.token_endpoint_auth_method).toBe("client_secret_basic");
  });

  describe("for a recipe with environments", () => {
    const acme = {
      id: "acme",
      provider: "acme",
      client_id: "a",
      client_secret: "acme-secret-x",
      redirect_uris: ["https://a.test/cb"],
    };

    it("accepts a client without environment (the recipe's default applies)", () => {
      expect(parseClients(JSON.stringify([acme]), RECIPES)).toEqual([acme]);
    });

    it("accepts a named environment", () => {
      expect(
        parseClients(JSON.stringify([{ ...acme, environment: "sandbox" }]), RECIPES)[0]?.environment,
      ).toBe("sandbox");
    });

    it("refuses an environment the recipe does not have, listing those it has", () => {
      const json = JSON.stringify([{ ...acme, environment: "staging" }]);
      expect(_configError(() => parseClients(json, RECIPES))).toEqual({
        code: "invalid_client",
        field: "TOKENDESK_CLIENTS[0].environment",
        message:
          'TOKENDESK_CLIENTS[0].environment "staging" is not an environment of provider acme; use one of production, sandbox.',
      });
    });

    it("refuses a token_endpoint that would override the recipe's", () => {
      const json = JSON.stringify([{ ...acme, token_endpoint: "https://evil.example.test/token" }]);
      expect(_configError(() => parseClients(json, RECIPES))).toEqual({
        code: "invalid_client",
        field: "TOKENDESK_CLIENTS[0].token_endpoint",
        message:
          'TOKENDESK_CLIENTS[0].token_endpoint cannot override provider acme\'s "production" environment (https://api.acme.example.test/v2/token_endpoint); remove it, or use provider custom for other endpoints.',
      });
    });

    it("refuses an authorization_endpoint that would override the sandbox's", () => {
      const json = JSON.stringify([
        { ...acme, environment: "sandbox", authorization_endpoint: "https://acme.example.test/approve_app" },
      ]);
      expect(_configError(() => parseClients(json, RECIPES)).field).toBe(
        "TOKENDESK_CLIENTS[0].authorization_endpoint",
      );
    });

    it("takes the first environment when the recipe names no default", () => {
      const noDefault = { ..._ACME, defaultEnvironment: undefined };
      const relay = createRelay({
        clients: [{ ...acme, id: "acme" }],
        allowedOrigins: [],
        recipes: { acme: noDefault },
      });
      return relay(new Request("http://127.0.0.1:8787/relay/clients")).then(async (response) => {
        const body = (await response.json()) as {
          clients: { environment: string; token_endpoint: string }[];
        };
        expect(body.clients[0]).toMatchObject({
          environment: "production",
          token_endpoint: "https://api.acme.example.test/v2/token_endpoint",
        });
      });
    });

    it("refuses a recipe that sets a header the relay owns", () => {
      const bad = { ..._ACME, requestHeaders: { Authorization: "Bearer x" } };
      expect(_configError(() => parseClients(JSON.stringify([acme]), { acme: bad }))).toEqual({
        code: "invalid_client",
        field: "TOKENDESK_CLIENTS[0].provider",
        message:
          "TOKENDESK_CLIENTS[0].provider acme's recipe sets the reserved header Authorization; the relay owns it, so fix the recipe.",
      });
    });
  });
});

describe("parseAllowedOrigins", () => {
  it("reads comma-separated exact origins, trimming spaces and dropping empty items and duplicates", () => {
    expect(
      parseAllowedOrigins(" https://app.example.test, http://127.0.0.1:4173,,https://app.example.test ,"),
    ).toEqual(["https://app.example.test", "http://127.0.0.1:4173"]);
  });

  it.each([undefined, "", " , "])("reads %j as no origins", (value) => {
    expect(parseAllowedOrigins(value)).toEqual([]);
  });

  it.each([
    ["*", '"*" is a wildcard, which is never allowed; list each exact origin, e.g. https://app.example.'],
    [
      "null",
      '"null" is never allowed: sandboxed frames and file: pages all send it; list each exact origin instead.',
    ],
    [
      "app.example.test",
      '"app.example.test" is not an origin; write scheme://host[:port], e.g. https://app.example.',
    ],
    [
      "https://*.example.test",
      '"https://*.example.test" is a wildcard, which is never allowed; list each exact origin, e.g. https://app.example.',
    ],
    [
      "ftp://files.example.test",
      '"ftp://files.example.test" must use http or https, e.g. https://app.example.',
    ],
    [
      "https://app.example.test/",
      '"https://app.example.test/" is not an exact origin (scheme://host[:port], lower case, no path, no default port); write https://app.example.test.',
    ],
    [
      "https://app.example.test/callback",
      '"https://app.example.test/callback" is not an exact origin (scheme://host[:port], lower case, no path, no default port); write https://app.example.test.',
    ],
    [
      "https://App.Example.test",
      '"https://App.Example.test" is not an exact origin (scheme://host[:port], lower case, no path, no default port); write https://app.example.test.',
    ],
    [
      "https://app.example.test:443",
      '"https://app.example.test:443" is not an exact origin (scheme://host[:port], lower case, no path, no default port); write https://app.example.test.',
    ],
    [
      "http://127.0.0.1:4173?x=1",
      '"http://127.0.0.1:4173?x=1" is not an exact origin (scheme://host[:port], lower case, no path, no default port); write http://127.0.0.1:4173.',
    ],
  ])("refuses %s with a message saying what to write", (origin, problem) => {
    expect(_configError(() => parseAllowedOrigins(`https://ok.example.test,${origin}`))).toEqual({
      code: "invalid_origin",
      field: "TOKENDESK_ALLOWED_ORIGINS",
      message: `TOKENDESK_ALLOWED_ORIGINS: ${problem}`,
    });
  });
});

describe("loadRelayOptions", () => {
  it("reads TOKENDESK_CLIENTS and TOKENDESK_ALLOWED_ORIGINS", () => {
    const options = loadRelayOptions({
      TOKENDESK_CLIENTS: JSON.stringify([_DEMO]),
      TOKENDESK_ALLOWED_ORIGINS: "http://127.0.0.1:4173",
      UNRELATED: "x",
    });
    expect(options.clients).toEqual([_DEMO]);
    expect(options.allowedOrigins).toEqual(["http://127.0.0.1:4173"]);
  });

  it("refuses an environment without TOKENDESK_CLIENTS", () => {
    expect(_configError(() => loadRelayOptions({ TOKENDESK_ALLOWED_ORIGINS: "" })).code).toBe("missing");
  });
});

describe("createRelay", () => {
  const base = { clients: [_DEMO], allowedOrigins: [] as string[] };

  it.each([
    ["timeoutMs", { timeoutMs: 0 }, "timeoutMs must be a positive integer, not 0."],
    ["maxRequestBytes", { maxRequestBytes: -1 }, "maxRequestBytes must be a positive integer, not -1."],
    ["maxResponseBytes", { maxResponseBytes: 1.5 }, "maxResponseBytes must be a positive integer, not 1.5."],
  ])("refuses a bad %s", (field, change, message) => {
    expect(_configError(() => createRelay({ ...base, ...change }))).toEqual({
      code: "invalid_option",
      field,
      message,
    });
  });

  it("refuses a wildcard among allowedOrigins", () => {
    expect(_configError(() => createRelay({ ...base, allowedOrigins: ["*"] }))).toEqual({
      code: "invalid_origin",
      field: "allowedOrigins",
      message:
        'allowedOrigins: "*" is a wildcard, which is never allowed; list each exact origin, e.g. https://app.example.',
    });
  });

  it("validates clients given in code like those from the environment", () => {
    const clients: RelayClientConfig[] = [_DEMO, { ..._DEMO, redirect_uris: [] }];
    expect(_configError(() => createRelay({ ...base, clients }))).toEqual({
      code: "invalid_client",
      field: "clients[1].redirect_uris",
      message: "clients[1].redirect_uris must be a non-empty array of absolute URLs.",
    });
  });
});
