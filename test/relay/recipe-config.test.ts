/**
 * Clients of the built-in provider recipes: the recipe decides the endpoints, including the identity
 * probe's; a Microsoft client names its tenant; nothing in a client can move a provider's endpoints.
 */
import { describe, expect, it } from "vitest";
import { recipes } from "../../src/providers/index.ts";
import { parseClients, RelayConfigError, resolveRelayOptions } from "../../src/relay/config.ts";

const REDIRECT = ["http://127.0.0.1:5173/callback/"];

function _client(provider: string, extra: Record<string, unknown> = {}) {
  return {
    id: provider,
    provider,
    client_id: "id",
    client_secret: "s3cret",
    redirect_uris: REDIRECT,
    ...extra,
  };
}

function _resolved(provider: string, extra: Record<string, unknown> = {}) {
  const options = resolveRelayOptions({
    clients: parseClients(JSON.stringify([_client(provider, extra)])),
    allowedOrigins: [],
  });
  const client = options.clients.get(provider);
  if (client === undefined) throw new Error("not resolved");
  return client;
}

function _refusal(provider: string, extra: Record<string, unknown>): string {
  try {
    parseClients(JSON.stringify([_client(provider, extra)]));
  } catch (error) {
    expect(error).toBeInstanceOf(RelayConfigError);
    return (error as RelayConfigError).message;
  }
  throw new Error("expected a refusal");
}

describe("clients of built-in recipes", () => {
  it("every recipe with endpoints resolves a minimal client to https endpoints of its default environment", () => {
    for (const recipe of Object.values(recipes)) {
      if (recipe.environments === null) continue;
      const client = _resolved(recipe.id);
      expect(client.environment, recipe.id).toBe(recipe.defaultEnvironment);
      expect(client.tokenEndpoint.startsWith("https://"), recipe.id).toBe(true);
      expect(client.identityEndpoint?.startsWith("https://"), recipe.id).toBe(true);
      expect(client.authMethod, recipe.id).toBe(recipe.tokenEndpointAuthMethod);
    }
  });

  it("refuses an identity endpoint that would override a provider's", () => {
    expect(_refusal("freeagent", { identity_endpoint: "https://evil.example.test/me" })).toBe(
      'TOKENDESK_CLIENTS[0].identity_endpoint cannot override provider freeagent\'s "production" environment (https://api.freeagent.com/v2/users/me); remove it, or use provider custom for other endpoints.',
    );
  });

  it("takes a custom client's identity endpoint, https or loopback only", () => {
    const custom = {
      token_endpoint: "https://auth.example.test/token",
      token_endpoint_auth_method: "client_secret_basic",
      body_encoding: "form",
    };
    expect(
      _resolved("custom", { ...custom, identity_endpoint: "https://auth.example.test/me" }).identityEndpoint,
    ).toBe("https://auth.example.test/me");
    expect(_resolved("custom", custom).identityEndpoint).toBeNull();
    expect(_refusal("custom", { ...custom, identity_endpoint: "http://auth.example.test/me" })).toContain(
      "identity_endpoint must use https",
    );
  });

  it("takes a revocation endpoint from the recipe, refuses an override, and takes a custom client's, https or loopback only", () => {
    expect(_resolved("google").revocationEndpoint).toBe("https://oauth2.googleapis.com/revoke");
    expect(_resolved("freeagent").revocationEndpoint).toBeNull();
    expect(_refusal("xero", { revocation_endpoint: "https://evil.example.test/revoke" })).toBe(
      'TOKENDESK_CLIENTS[0].revocation_endpoint cannot override provider xero\'s "production" environment (https://identity.xero.com/connect/revocation); remove it, or use provider custom for other endpoints.',
    );
    const custom = {
      token_endpoint: "https://auth.example.test/token",
      token_endpoint_auth_method: "client_secret_basic",
      body_encoding: "form",
    };
    expect(
      _resolved("custom", { ...custom, revocation_endpoint: "https://auth.example.test/revoke" })
        .revocationEndpoint,
    ).toBe("https://auth.example.test/revoke");
    expect(
      _resolved("custom", { ...custom, revocation_endpoint: "http://127.0.0.1:9000/revoke" })
        .revocationEndpoint,
    ).toBe("http://127.0.0.1:9000/revoke");
    expect(
      _refusal("custom", { ...custom, revocation_endpoint: "http://auth.example.test/revoke" }),
    ).toContain("revocation_endpoint must use https");
  });

  it("takes a custom client's introspection endpoint and JWKS, https or loopback only, and lists both", () => {
    const custom = {
      token_endpoint: "https://auth.example.test/token",
      token_endpoint_auth_method: "client_secret_post",
      body_encoding: "form",
    };
    const client = _resolved("custom", {
      ...custom,
      introspection_endpoint: "https://auth.example.test/introspect",
      jwks_uri: "http://127.0.0.1:9000/jwks",
    });
    expect(client.introspectionEndpoint).toBe("https://auth.example.test/introspect");
    expect(client.jwksUri).toBe("http://127.0.0.1:9000/jwks");
    expect(_resolved("custom", custom).introspectionEndpoint).toBeNull();
    expect(_refusal("custom", { ...custom, introspection_endpoint: "http://auth.example.test/i" })).toContain(
      "introspection_endpoint must use https",
    );
    expect(_refusal("custom", { ...custom, jwks_uri: "ftp://auth.example.test/jwks" })).toContain("jwks_uri");
  });

  it("takes userinfo_endpoint as the identity endpoint, and refuses it when it differs from identity_endpoint", () => {
    const custom = {
      token_endpoint: "https://auth.example.test/token",
      token_endpoint_auth_method: "client_secret_basic",
      body_encoding: "form",
    };
    expect(
      _resolved("custom", { ...custom, userinfo_endpoint: "https://auth.example.test/userinfo" })
        .identityEndpoint,
    ).toBe("https://auth.example.test/userinfo");
    expect(
      _refusal("custom", {
        ...custom,
        userinfo_endpoint: "https://auth.example.test/userinfo",
        identity_endpoint: "https://auth.example.test/me",
      }),
    ).toBe(
      "TOKENDESK_CLIENTS[0].userinfo_endpoint differs from identity_endpoint; they name the same endpoint, so give only one of them.",
    );
    expect(_refusal("xero", { userinfo_endpoint: "https://evil.example.test/me" })).toContain(
      "TOKENDESK_CLIENTS[0].userinfo_endpoint cannot override provider xero's",
    );
  });

  it("puts a Microsoft tenant id or domain into the endpoints' path", () => {
    const byId = _resolved("microsoft", { environment: "11112222-bbbb-3333-cccc-4444dddd5555" });
    expect(byId.tokenEndpoint).toBe(
      "https://login.microsoftonline.com/11112222-bbbb-3333-cccc-4444dddd5555/oauth2/v2.0/token",
    );
    expect(_resolved("microsoft", { environment: "contoso.onmicrosoft.com" }).authorizationEndpoint).toBe(
      "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize",
    );
    expect(_resolved("microsoft", { environment: "organizations" }).environment).toBe("organizations");
  });

  it.each(["evil.example.test/x", "a@b", "a?b", "a#b", "..", "-x"])(
    "refuses the Microsoft environment %j: a tenant is one path segment",
    (environment) => {
      expect(_refusal("microsoft", { environment })).toContain("is not an environment of provider microsoft");
    },
  );

  it("refuses a tenant-like environment for a provider that has no template", () => {
    expect(_refusal("freeagent", { environment: "contoso.onmicrosoft.com" })).toBe(
      'TOKENDESK_CLIENTS[0].environment "contoso.onmicrosoft.com" is not an environment of provider freeagent; use one of production, sandbox.',
    );
  });
});
