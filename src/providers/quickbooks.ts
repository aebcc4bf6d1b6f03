import type { Recipe } from "./types.ts";

/**
 * QuickBooks Online (Intuit), production and sandbox: the OAuth endpoints are the same, the app's keys
 * and the API host differ (sandbox companies live at sandbox-quickbooks.api.intuit.com).
 *
 * Sources, checked for this recipe:
 * - https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq —
 *   access tokens are valid for 3600 seconds; redirect URIs must be https ("the service will only
 *   redirect to URIs beginning with https"); separate keys for development and production.
 * - https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
 *   — the code comes back with `realmId`, the company the tokens are tied to.
 * - https://blogs.intuit.com/2024/06/03/oauth-token-management-done-the-right-way/ — refresh tokens
 *   are valid for 100 days, "a rolling expiry date that is extended each time the token is used".
 * - https://blogs.intuit.com/2025/11/12/important-changes-to-refresh-token-policy (read via a mirror) —
 *   every refresh token now has a maximum validity of five years.
 * - https://github.com/intuit/oauth-jsclient (Intuit's own library) — always use the refresh token from
 *   the latest answer; "Your previous refresh tokens expire 24 hours after you receive a new one"; the
 *   sample answer carries `x_refresh_token_expires_in` (8726400).
 * - https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-openid-discovery-doc
 *   — the discovery documents (https://developer.api.intuit.com/.well-known/openid_configuration, and
 *   openid_sandbox_configuration for sandbox): issuer `https://oauth.platform.intuit.com/op/v1`,
 *   jwks_uri `https://oauth.platform.intuit.com/op/v1/jwks`, the same for both environments.
 * - https://blogs.intuit.com/2023/09/05/changes-to-identity-signature-keys-that-may-impact-your-application/
 *   — that JWKS lists more than one key since May 2024: pick the one the ID token's kid names.
 * Endpoints and the revocation URL are PROVIDERS.md [doc] facts, matching Intuit's library.
 * Unconfirmed: the code lifetime, PKCE, and the sandbox userinfo host for the identity probe.
 */
const oauth = {
  issuer: "https://oauth.platform.intuit.com/op/v1",
  authorization_endpoint: "https://appcenter.intuit.com/connect/oauth2",
  token_endpoint: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
  revocation_endpoint: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
  jwks_uri: "https://oauth.platform.intuit.com/op/v1/jwks",
} as const;

export const quickbooks: Recipe = {
  id: "quickbooks",
  name: "QuickBooks Online",
  environments: {
    production: {
      ...oauth,
      identity_endpoint: "https://accounts.platform.intuit.com/v1/openid_connect/userinfo",
      api_base_urls: ["https://quickbooks.api.intuit.com/v3/"],
    },
    sandbox: {
      ...oauth,
      identity_endpoint: "https://sandbox-accounts.platform.intuit.com/v1/openid_connect/userinfo",
      api_base_urls: ["https://sandbox-quickbooks.api.intuit.com/v3/"],
    },
  },
  defaultEnvironment: "production",
  tokenEndpointAuthMethod: "client_secret_basic",
  bodyEncoding: "form",
  pkce: "unknown",
  authorizeParams: {},
  scope: {
    required: true,
    separator: " ",
    suggestions: ["com.intuit.quickbooks.accounting", "openid", "email", "profile"],
  },
  lifetimes: {
    code: { seconds: null, confirmed: false },
    access: {
      seconds: 3600,
      confirmed: true,
      source:
        "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq",
    },
    refresh: {
      seconds: 8_640_000,
      confirmed: true,
      source: "https://blogs.intuit.com/2024/06/03/oauth-token-management-done-the-right-way/",
      note: "from their last use, as each answer's x_refresh_token_expires_in says; five years at most in all",
    },
  },
  refreshPolicy: "rotating",
  refreshGrace: {
    seconds: 86_400,
    confirmed: true,
    source: "https://github.com/intuit/oauth-jsclient#refresh-access_token",
  },
  refreshRateLimit: null,
  redirectRules: { httpsOnly: true, noQuery: false },
  refreshExpiresInFields: ["x_refresh_token_expires_in"],
  callbackParams: [{ name: "realmId", meaning: "the QuickBooks company these tokens may use" }],
  identityFields: ["email", "givenName", "sub"],
  api: {
    docs: "https://developer.intuit.com/app/developer/qbo/docs/develop/explore-the-quickbooks-online-api",
    samples: [
      {
        id: "companyinfo",
        label: "The company",
        method: "GET",
        path: "company/{realmId}/companyinfo/{realmId}",
        // Without it the accounting API answers XML.
        headers: { Accept: "application/json" },
        needs: [
          {
            name: "realmId",
            from: "callback",
            param: "realmId",
            meaning: "the company id QuickBooks sent back with the code",
          },
        ],
        source: "https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo",
        note: "Needs the com.intuit.quickbooks.accounting scope.",
      },
    ],
  },
  links: {
    register: "https://developer.intuit.com/app/developer/dashboard",
    docs: "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0",
  },
  notes:
    "Keep the realmId that comes back with the code: every accounting API call names it. The identity probe reads OpenID userinfo, so ask for openid email as well. Production keys need an https redirect URI.",
};
