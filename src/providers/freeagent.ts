import type { Recipe } from "./types.ts";

/**
 * FreeAgent (UK accounting), production and sandbox.
 *
 * Sources, checked for this recipe:
 * - https://dev.freeagent.com/docs/oauth — endpoints, HTTP Basic with id and secret, "An Authorization
 *   token expires after 15 minutes", sandbox at api.sandbox.freeagent.com.
 * - https://dev.freeagent.com/docs/quick_start — approve_app and token_endpoint for both environments;
 *   the Google playground's scope box "requires this to have a value but the FreeAgent API doesn't
 *   enforce its use": FreeAgent has no scopes.
 * - https://dev.freeagent.com/docs/introduction — "A user-agent must be specified".
 * - https://api-discuss.freeagent.com/t/notice-upcoming-access-token-authentication-changes/2033 —
 *   code 1 h → 15 min, access token 7 days → 1 h, refresh responses now carry a refresh token and
 *   `refresh_token_expires_in`; the example body is form-encoded although labelled application/json.
 * - https://api-discuss.freeagent.com/t/regarding-refresh-token-expiry/6309 — read
 *   `refresh_token_expires_in` from each response, never from the documentation's example.
 * - https://api-discuss.freeagent.com/t/rate-limiting-update/780 — `X-RateLimit-Test: true` lowers the
 *   sandbox limit to test 429 handling.
 * Unconfirmed here (PROVIDERS.md [?]): whether the previous refresh token stops working after a refresh
 * (treated as rotating, the safe assumption), the 15-refreshes-a-minute limit (the 2017 announcement
 * proposed 5; later third-party write-ups say 15), PKCE.
 */
export const freeagent: Recipe = {
  id: "freeagent",
  name: "FreeAgent",
  environments: {
    production: {
      authorization_endpoint: "https://api.freeagent.com/v2/approve_app",
      token_endpoint: "https://api.freeagent.com/v2/token_endpoint",
      identity_endpoint: "https://api.freeagent.com/v2/users/me",
      api_base_urls: ["https://api.freeagent.com/v2/"],
    },
    sandbox: {
      authorization_endpoint: "https://api.sandbox.freeagent.com/v2/approve_app",
      token_endpoint: "https://api.sandbox.freeagent.com/v2/token_endpoint",
      identity_endpoint: "https://api.sandbox.freeagent.com/v2/users/me",
      api_base_urls: ["https://api.sandbox.freeagent.com/v2/"],
    },
  },
  defaultEnvironment: "production",
  tokenEndpointAuthMethod: "client_secret_basic",
  bodyEncoding: "form",
  pkce: "unknown",
  authorizeParams: {},
  scope: { required: false, separator: " ", suggestions: [] },
  lifetimes: {
    code: {
      seconds: 900,
      confirmed: true,
      source: "https://dev.freeagent.com/docs/oauth",
    },
    access: {
      seconds: 3600,
      confirmed: true,
      source: "https://api-discuss.freeagent.com/t/notice-upcoming-access-token-authentication-changes/2033",
    },
    refresh: {
      seconds: null,
      confirmed: true,
      source: "https://api-discuss.freeagent.com/t/regarding-refresh-token-expiry/6309",
      note: "last as long as each response's refresh_token_expires_in says (the documentation's example is about 20 years)",
    },
  },
  // Treated as rotating, the safe assumption: FreeAgent returns a new refresh token on each refresh
  // but does not say whether the used one stops working (PROVIDERS.md [?]).
  refreshPolicy: "rotating",
  refreshPolicyConfirmed: false,
  refreshRateLimit: { requests: 15, perSeconds: 60, confirmed: false },
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: ["refresh_token_expires_in"],
  identityFields: ["user.email", "user.first_name"],
  api: {
    docs: "https://dev.freeagent.com/docs/introduction",
    // FreeAgent's sandbox lowers its limit to 5 a minute for requests carrying it, to test 429 handling.
    headers: ["X-RateLimit-Test"],
    samples: [
      {
        id: "company",
        label: "The company",
        method: "GET",
        path: "company",
        source: "https://dev.freeagent.com/docs/company",
        note: "Which FreeAgent company this token reaches: name, type, currency, when its accounts start.",
      },
      {
        id: "me",
        label: "Who am I",
        method: "GET",
        path: "users/me",
        source: "https://dev.freeagent.com/docs/users",
        note: "The user who authorized, with the permission level the token acts with.",
      },
    ],
  },
  links: {
    register: "https://dev.freeagent.com/apps",
    docs: "https://dev.freeagent.com/docs/oauth",
  },
  notes:
    "FreeAgent has no scopes: the token can do whatever the authorizing user may do, so authorize as a user with only the permission level your server needs. A used or expired code is answered 401 'HTTP Basic: Access denied', the same answer as a wrong client secret.",
};
