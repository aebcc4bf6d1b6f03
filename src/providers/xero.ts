import type { Recipe } from "./types.ts";

/**
 * Xero.
 *
 * Sources, checked for this recipe:
 * - https://developer.xero.com/faq/oauth2 — access tokens live 30 minutes; unused refresh tokens expire
 *   after 60 days; replace the refresh token with the one in each refresh answer, and if the answer is
 *   lost the old one may be retried "for a grace period of 30 minutes"; PKCE is supported; redirect
 *   URIs are exact (no wildcards), up to 50.
 * - https://identity.xero.com/.well-known/openid-configuration (linked from
 *   https://developer.xero.com/documentation/guides/oauth2/auth-flow) — issuer `https://identity.xero.com`,
 *   jwks_uri `https://identity.xero.com/.well-known/openid-configuration/jwks`.
 * Endpoints, Basic client authentication, `offline_access` and the `/connections` probe are
 * PROVIDERS.md [doc] facts, consistent with Xero's SDKs.
 * Unconfirmed: the code lifetime (5 minutes is commonly quoted, not found in Xero's pages here).
 */
export const xero: Recipe = {
  id: "xero",
  name: "Xero",
  environments: {
    production: {
      issuer: "https://identity.xero.com",
      authorization_endpoint: "https://login.xero.com/identity/connect/authorize",
      token_endpoint: "https://identity.xero.com/connect/token",
      revocation_endpoint: "https://identity.xero.com/connect/revocation",
      identity_endpoint: "https://api.xero.com/connections",
      jwks_uri: "https://identity.xero.com/.well-known/openid-configuration/jwks",
      api_base_urls: ["https://api.xero.com/"],
    },
  },
  defaultEnvironment: "production",
  tokenEndpointAuthMethod: "client_secret_basic",
  bodyEncoding: "form",
  pkce: "supported",
  authorizeParams: {},
  scope: {
    required: true,
    separator: " ",
    suggestions: ["offline_access", "openid", "profile", "email", "accounting.settings.read"],
    mustInclude: ["offline_access"],
  },
  lifetimes: {
    code: { seconds: 300, confirmed: false },
    access: { seconds: 1800, confirmed: true, source: "https://developer.xero.com/faq/oauth2" },
    refresh: {
      seconds: 5_184_000,
      confirmed: true,
      source: "https://developer.xero.com/faq/oauth2",
      note: "from their last use; each refresh brings a new one",
    },
  },
  refreshPolicy: "rotating",
  refreshGrace: { seconds: 1800, confirmed: true, source: "https://developer.xero.com/faq/oauth2" },
  refreshRateLimit: null,
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: [],
  identityFields: ["0.tenantName", "0.tenantId"],
  api: {
    docs: "https://developer.xero.com/documentation/api/accounting/overview",
    headers: ["Xero-Tenant-Id"],
    samples: [
      {
        id: "connections",
        label: "Organisations this token may use",
        method: "GET",
        path: "connections",
        source: "https://developer.xero.com/documentation/guides/oauth2/auth-flow",
        note: "Each connection's tenantId goes in the Xero-Tenant-Id header of every accounting call.",
      },
      {
        id: "organisation",
        label: "The first organisation",
        method: "GET",
        path: "api.xro/2.0/Organisation",
        headers: { "Xero-Tenant-Id": "{tenantId}" },
        needs: [
          {
            name: "tenantId",
            from: "answer",
            sample: "connections",
            path: "0.tenantId",
            meaning: "the first connection's tenant id",
          },
        ],
        source: "https://developer.xero.com/documentation/api/accounting/organisation",
        note: "Needs an accounting scope such as accounting.settings.read.",
      },
    ],
  },
  links: {
    register: "https://developer.xero.com/app/manage",
    docs: "https://developer.xero.com/documentation/guides/oauth2/auth-flow",
  },
  notes:
    "Without offline_access Xero issues no refresh token, so tokendesk always asks for it. The identity probe lists the organisations (tenants) this token may use: every API call needs one of their ids in a Xero-Tenant-Id header.",
};
