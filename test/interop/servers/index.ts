/**
 * The interop matrix's authorization servers, by name: `startInteropServer(name, { redirectUri })`
 * starts one on 127.0.0.1 with a client registered for exactly that redirect URI. The walk gives the
 * relay that client as a person would: discovered in the page, then completed in `.env.local`.
 */
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
