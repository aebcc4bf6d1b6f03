import type { Recipe } from "./types.ts";

/**
 * Any other provider: the operator names the token endpoint, client authentication and body
 * encoding in the relay's configuration, typed or filled from the issuer's RFC 8414 / OpenID
 * discovery metadata (see discovery.ts and the page's "Discover a provider"). Nothing is known about
 * lifetimes beyond what each response states.
 */
export const custom: Recipe = {
  id: "custom",
  name: "Custom provider",
  environments: null,
  tokenEndpointAuthMethod: "client_secret_basic",
  bodyEncoding: "form",
  pkce: "unknown",
  authorizeParams: {},
  scope: { required: false, separator: " ", suggestions: [] },
  lifetimes: {
    code: { seconds: null, confirmed: false },
    access: { seconds: null, confirmed: false },
    refresh: { seconds: null, confirmed: false },
  },
  refreshPolicy: "rotating",
  refreshPolicyConfirmed: false,
  refreshRateLimit: null,
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: ["refresh_token_expires_in", "x_refresh_token_expires_in"],
  notes:
    "Nothing is known about this provider's refresh tokens, so tokendesk treats them as rotating: a refresh here may invalidate a copy held elsewhere.",
};
