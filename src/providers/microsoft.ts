import type { Endpoints, Recipe } from "./types.ts";

/**
 * Microsoft identity platform (Entra ID, v2.0 endpoints).
 *
 * Sources, checked for this recipe:
 * - https://learn.microsoft.com/entra/identity-platform/refresh-tokens — refresh tokens live 90 days
 *   (24 hours when redeemed for a redirect URI registered as "single-page application"), each use
 *   returns a new one, and "The Microsoft identity platform doesn't revoke old refresh tokens when used
 *   to fetch new access tokens".
 * - https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow — the authorize and
 *   token endpoints per tenant, `offline_access` for a refresh token, client_secret in the form body.
 * - https://learn.microsoft.com/en-us/answers/questions/1526860 (Microsoft staff answer) — access
 *   tokens get a random lifetime of 60 to 90 minutes: read expires_in, never assume.
 * - https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc — each tenant's metadata at
 *   `https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration`, whose jwks_uri is
 *   `https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys`; for `common` and `organizations`
 *   the metadata's issuer is the template `https://login.microsoftonline.com/{tenantid}/v2.0`.
 * - https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer — a multi-tenant
 *   app fills `{tenantid}` with the token's `tid` claim and compares. tokendesk does so for every
 *   environment, a named tenant's too (a domain name there is not the tenant id the issuer carries); the
 *   audience, the app's own client id, still ties the token to this registration. The callback's `iss`
 *   (RFC 9207), were Microsoft to send one, is compared against the same template.
 * Unconfirmed: the code lifetime ("about 10 minutes" is commonly quoted).
 * Single-tenant registrations must use their own tenant id (or domain) as the environment: /common
 * refuses them.
 */
function tenant(name: string): Endpoints {
  return {
    issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
    authorization_endpoint: `https://login.microsoftonline.com/${name}/oauth2/v2.0/authorize`,
    token_endpoint: `https://login.microsoftonline.com/${name}/oauth2/v2.0/token`,
    identity_endpoint: "https://graph.microsoft.com/v1.0/me",
    jwks_uri: `https://login.microsoftonline.com/${name}/discovery/v2.0/keys`,
    api_base_urls: ["https://graph.microsoft.com/v1.0/", "https://graph.microsoft.com/beta/"],
  };
}

export const microsoft: Recipe = {
  id: "microsoft",
  name: "Microsoft identity platform",
  environments: {
    common: tenant("common"),
    organizations: tenant("organizations"),
    consumers: tenant("consumers"),
  },
  defaultEnvironment: "common",
  // A tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com: one path segment.
  environmentTemplate: {
    pattern: "[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\\.){0,8}[A-Za-z0-9-]{1,63}",
    endpoints: tenant("{environment}"),
    example: "a tenant id such as 11112222-bbbb-3333-cccc-4444dddd5555, or contoso.onmicrosoft.com",
  },
  tokenEndpointAuthMethod: "client_secret_post",
  bodyEncoding: "form",
  pkce: "supported",
  authorizeParams: {},
  scope: {
    required: true,
    separator: " ",
    suggestions: ["offline_access", "openid", "profile", "email", "User.Read"],
    mustInclude: ["offline_access"],
  },
  lifetimes: {
    code: { seconds: 600, confirmed: false },
    access: {
      seconds: null,
      confirmed: true,
      source: "https://learn.microsoft.com/en-us/answers/questions/1526860",
      note: "live 60 to 90 minutes, chosen at random; each answer's expires_in says which",
    },
    refresh: {
      seconds: 7_776_000,
      confirmed: true,
      source: "https://learn.microsoft.com/entra/identity-platform/refresh-tokens",
      note: "24 hours for single-page-application registrations",
    },
  },
  refreshPolicy: "reusable",
  refreshRateLimit: null,
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: ["refresh_token_expires_in"],
  identityFields: ["userPrincipalName", "mail", "displayName"],
  api: {
    docs: "https://learn.microsoft.com/graph/use-the-api",
    // Advanced queries ($count, $search) need ConsistencyLevel: eventual.
    headers: ["ConsistencyLevel"],
    samples: [
      {
        id: "me",
        label: "Who am I (Microsoft Graph)",
        method: "GET",
        path: "me",
        source: "https://learn.microsoft.com/graph/api/user-get",
        note: "Needs User.Read.",
      },
    ],
  },
  links: {
    register: "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
    docs: "https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow",
  },
  notes:
    "Register the redirect URI under the Web platform, not single-page application (those refresh tokens die after 24 hours). Each refresh returns a new refresh token; the old one keeps working. The identity probe calls Microsoft Graph /me, which needs User.Read.",
};
