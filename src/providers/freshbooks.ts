import type { Recipe } from "./types.ts";

/**
 * FreshBooks.
 *
 * Sources, checked for this recipe:
 * - https://www.freshbooks.com/api/authentication — "redirect URIs must specify HTTPS", "Redirect URIs
 *   also cannot contain query string parameters" (use `state` instead), the token "lasts for 12 hours".
 * - https://www.freshbooks.com/api/get-authenticated-on-the-freshbooks-api — authorize URL
 *   `https://auth.freshbooks.com/oauth/authorize/?response_type=code&redirect_uri=…&client_id=…`, token
 *   request to `https://api.freshbooks.com/auth/oauth/token` with grant_type, client_id, client_secret,
 *   code and redirect_uri in the body, "the authorization code expires in 5 minutes" (read through a
 *   mirror of that page), and a refresh token "which never expires, but can only be used once".
 * The official SDKs send the body as JSON (PROVIDERS.md [seed, doc]); the identity probe
 * `GET /auth/api/v1/users/me` is from PROVIDERS.md [doc].
 * Unconfirmed (PROVIDERS.md [seed] or [?]): a refresh ends the previous access token at once [seed];
 * the RFC 8414 endpoint set under /service/auth/oauth/ and PKCE there [?]; token-endpoint rate limits.
 */
export const freshbooks: Recipe = {
  id: "freshbooks",
  name: "FreshBooks",
  environments: {
    production: {
      authorization_endpoint: "https://auth.freshbooks.com/oauth/authorize/",
      token_endpoint: "https://api.freshbooks.com/auth/oauth/token",
      identity_endpoint: "https://api.freshbooks.com/auth/api/v1/users/me",
      api_base_urls: ["https://api.freshbooks.com/"],
    },
  },
  defaultEnvironment: "production",
  tokenEndpointAuthMethod: "client_secret_post",
  bodyEncoding: "json",
  pkce: "unknown",
  authorizeParams: {},
  // Scopes are chosen when the app is registered; a scope parameter may narrow them.
  scope: {
    required: false,
    separator: " ",
    suggestions: ["user:profile:read", "user:clients:read", "user:invoices:read"],
  },
  lifetimes: {
    code: {
      seconds: 300,
      confirmed: true,
      source: "https://www.freshbooks.com/api/get-authenticated-on-the-freshbooks-api",
    },
    access: {
      seconds: 43_200,
      confirmed: true,
      source: "https://www.freshbooks.com/api/authentication",
    },
    refresh: {
      seconds: null,
      confirmed: true,
      source: "https://www.freshbooks.com/api/get-authenticated-on-the-freshbooks-api",
      note: "never expire, but each works once",
    },
  },
  refreshPolicy: "single-use",
  refreshEndsAccessToken: true,
  refreshRateLimit: null,
  redirectRules: { httpsOnly: true, noQuery: true },
  refreshExpiresInFields: [],
  issuedAtField: "created_at",
  identityFields: ["response.email", "response.first_name"],
  api: {
    docs: "https://www.freshbooks.com/api/start",
    samples: [
      {
        id: "me",
        label: "Who am I, and which businesses",
        method: "GET",
        path: "auth/api/v1/users/me",
        source: "https://www.freshbooks.com/api/me_endpoint",
        note: "The identity and its business memberships; each business's account_id names it in accounting calls.",
      },
      {
        id: "clients",
        label: "Clients of the first business",
        method: "GET",
        path: "accounting/account/{accountId}/users/clients",
        needs: [
          {
            name: "accountId",
            from: "answer",
            sample: "me",
            path: "response.business_memberships.0.business.account_id",
            meaning: "the first business's account id",
          },
        ],
        source: "https://www.freshbooks.com/api/clients",
        note: "Needs the user:clients:read scope.",
      },
    ],
  },
  links: {
    register: "https://my.freshbooks.com/#/developer",
    docs: "https://www.freshbooks.com/api/authentication",
  },
  notes:
    "Each FreshBooks refresh token works exactly once, and a refresh ends the previous access token at once: a server holding a copy of either stops working the moment anyone refreshes.",
};
