import type { Recipe } from "./types.ts";

/**
 * Google (OAuth 2.0 for web server applications).
 *
 * Sources, checked for this recipe:
 * - https://developers.google.com/identity/protocols/oauth2/web-server — `access_type=offline` to get a
 *   refresh token, `prompt=consent` to get one again on a later authorization, the token endpoint
 *   `https://oauth2.googleapis.com/token` with client_id and client_secret in the form body (its
 *   example: `code=4/P7q7W91a-oMsCeLvIaQm6bTrgtp7&client_id=your_client_id&…`), refresh answers without
 *   a new refresh token, revocation at `https://oauth2.googleapis.com/revoke`, PKCE (S256) supported.
 * - https://developers.google.com/identity/openid-connect/openid-connect#discovery and the document it
 *   names, https://accounts.google.com/.well-known/openid-configuration — issuer
 *   `https://accounts.google.com`, jwks_uri `https://www.googleapis.com/oauth2/v3/certs` (Google's keys
 *   live on googleapis.com, not on the issuer's host). Its "Validate an ID token" section: `iss` is
 *   `https://accounts.google.com` or `accounts.google.com`.
 * Unconfirmed here: the code lifetime; the 1-hour access token (each answer's expires_in decides); the
 * 7-day refresh tokens of apps whose consent screen is in "Testing" and the 6-months-unused expiry
 * (Google's "Refresh token expiration" section, read only through third-party summaries).
 */
export const google: Recipe = {
  id: "google",
  name: "Google",
  environments: {
    production: {
      issuer: "https://accounts.google.com",
      authorization_endpoint: "https://accounts.google.com/o/oauth2/v2/auth",
      token_endpoint: "https://oauth2.googleapis.com/token",
      revocation_endpoint: "https://oauth2.googleapis.com/revoke",
      identity_endpoint: "https://openidconnect.googleapis.com/v1/userinfo",
      jwks_uri: "https://www.googleapis.com/oauth2/v3/certs",
      api_base_urls: ["https://openidconnect.googleapis.com/", "https://www.googleapis.com/"],
    },
  },
  defaultEnvironment: "production",
  tokenEndpointAuthMethod: "client_secret_post",
  bodyEncoding: "form",
  pkce: "supported",
  authorizeParams: { access_type: "offline", prompt: "consent" },
  scope: {
    required: true,
    separator: " ",
    suggestions: ["openid", "email", "profile", "https://www.googleapis.com/auth/drive.metadata.readonly"],
  },
  lifetimes: {
    code: { seconds: null, confirmed: false },
    access: { seconds: 3600, confirmed: false },
    refresh: {
      seconds: null,
      confirmed: false,
      note: "have no fixed expiry, but die after 7 days while the app's consent screen is in Testing, and after 6 months unused",
    },
  },
  refreshPolicy: "reusable",
  refreshRateLimit: null,
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: ["refresh_token_expires_in"],
  idTokenIssuerAliases: ["accounts.google.com"],
  identityFields: ["email", "name", "sub"],
  api: {
    docs: "https://developers.google.com/identity/protocols/oauth2/web-server#callinganapi",
    samples: [
      {
        id: "userinfo",
        label: "Who am I (OpenID userinfo)",
        method: "GET",
        path: "v1/userinfo",
        source: "https://developers.google.com/identity/openid-connect/openid-connect#obtainuserinfo",
        note: "Needs openid, and email or profile for more than the subject.",
      },
      {
        id: "drive-about",
        label: "Drive: whose and how full",
        method: "GET",
        base: 1,
        // about.get answers only the fields it is asked for.
        path: "drive/v3/about?fields=user,storageQuota",
        source: "https://developers.google.com/drive/api/reference/rest/v3/about/get",
        note: "Needs a Drive scope such as drive.metadata.readonly.",
      },
    ],
  },
  links: {
    register: "https://console.cloud.google.com/apis/credentials",
    docs: "https://developers.google.com/identity/protocols/oauth2/web-server",
  },
  notes:
    "Google sends a refresh token only with access_type=offline, and again on a later authorization only with prompt=consent: tokendesk sends both. While the consent screen is in Testing, refresh tokens die after 7 days (unconfirmed).",
};
