/**
 * {@link toPublicClient}: what `GET {base}/clients` shows of a resolved client. Apart from the parsing
 * so the one place that decides what leaves the relay about a client is easy to find and review.
 */
import type { ResolvedClient } from "../config.ts";
import type { PublicClient } from "../contract.ts";

/** A client as `GET {base}/clients` lists it: public facts only, never the secret. */
export function toPublicClient(client: ResolvedClient): PublicClient {
  return {
    id: client.id,
    provider: client.recipe.id,
    environment: client.environment,
    client_id: client.config.client_id,
    redirect_uris: [...client.redirect_uris],
    scope: client.config.scope ?? null,
    issuer: client.issuer,
    authorization_endpoint: client.authorizationEndpoint,
    token_endpoint: client.tokenEndpoint,
    identity_endpoint: client.identityEndpoint,
    revocation_endpoint: client.revocationEndpoint,
    introspection_endpoint: client.introspectionEndpoint,
    jwks_uri: client.jwksUri,
    token_endpoint_auth_method: client.authMethod,
    body_encoding: client.bodyEncoding,
    api_base_urls: [...client.apiBaseUrls],
  };
}
