/**
 * The interop matrix's authorization servers, by name: `startInteropServer(name, { redirectUri })`
 * starts one on 127.0.0.1 with a client registered for exactly that redirect URI.
 */
import type { RelayClientConfig } from "../../../src/relay/config.ts";
import { startDjangoOAuthToolkit } from "./django-oauth-toolkit.ts";
import { startLemonLdapNg } from "./lemonldap-ng.ts";
import { startOidcProvider } from "./oidc-provider.ts";
import type { InteropServer, InteropServerName, InteropServerOptions } from "./types.ts";

export type { InteropServer, InteropServerName } from "./types.ts";

export function startInteropServer(
  name: InteropServerName,
  options: InteropServerOptions,
): Promise<InteropServer> {
  switch (name) {
    case "oidc-provider-a":
      return startOidcProvider("a", options);
    case "oidc-provider-b":
      return startOidcProvider("b", options);
    case "django-oauth-toolkit":
      return startDjangoOAuthToolkit(options);
    case "lemonldap-ng":
      return startLemonLdapNg(options);
  }
}

/**
 * The relay's `custom` client for a server, its endpoints typed in from the server's documentation as
 * a user does today (not discovered): the revocation endpoint only where the server has one.
 */
export function relayClientFor(server: InteropServer, id: string = server.name): RelayClientConfig {
  return {
    id,
    provider: "custom",
    client_id: server.client.client_id,
    client_secret: server.client.client_secret,
    redirect_uris: [server.client.redirect_uri],
    scope: server.client.scope,
    issuer: server.issuer,
    authorization_endpoint: server.endpoints.authorization_endpoint,
    token_endpoint: server.endpoints.token_endpoint,
    identity_endpoint: server.endpoints.userinfo_endpoint,
    ...(server.endpoints.revocation_endpoint === null
      ? {}
      : { revocation_endpoint: server.endpoints.revocation_endpoint }),
    token_endpoint_auth_method: server.client.token_endpoint_auth_method,
    body_encoding: "form",
  };
}
