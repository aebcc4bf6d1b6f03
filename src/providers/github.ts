import type { Recipe } from "./types.ts";

/**
 * GitHub: an OAuth app, or a GitHub App acting for a user (user access tokens). Same endpoints,
 * different tokens.
 *
 * Sources, checked for these recipes:
 * - https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps — authorize
 *   and access_token endpoints, client_id and client_secret as parameters, "The temporary code will
 *   expire after 10 minutes", a form-encoded answer unless `Accept: application/json`, no CORS
 *   preflight support, scopes space-delimited, `GET /user` with the token.
 * - https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
 *   (read via a mirror) — PKCE with S256 is supported and recommended, not required.
 * - https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
 *   — user access tokens expire after eight hours (expires_in 28800), refresh tokens after six months
 *   (refresh_token_expires_in); "Once you use a refresh token, that refresh token and the old user
 *   access token will no longer work."
 * OAuth-app tokens do not expire and come with no refresh token (PROVIDERS.md [doc]).
 */
const endpoints = {
  production: {
    authorization_endpoint: "https://github.com/login/oauth/authorize",
    token_endpoint: "https://github.com/login/oauth/access_token",
    identity_endpoint: "https://api.github.com/user",
    api_base_urls: ["https://api.github.com/"],
  },
} as const;

const api = {
  docs: "https://docs.github.com/rest",
  headers: ["X-GitHub-Api-Version"],
  samples: [
    {
      id: "user",
      label: "Who am I",
      method: "GET",
      path: "user",
      headers: { Accept: "application/vnd.github+json" },
      source: "https://docs.github.com/rest/users/users#get-the-authenticated-user",
      note: "The account the token acts for; the X-OAuth-Scopes answer header lists an OAuth app token's scopes.",
    },
  ],
} as const;

const code = {
  seconds: 600,
  confirmed: true,
  source: "https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
} as const;

export const github: Recipe = {
  id: "github",
  name: "GitHub OAuth app",
  environments: endpoints,
  defaultEnvironment: "production",
  tokenEndpointAuthMethod: "client_secret_post",
  bodyEncoding: "form",
  pkce: "supported",
  authorizeParams: {},
  scope: { required: false, separator: " ", suggestions: ["read:user", "user:email", "repo"] },
  lifetimes: {
    code,
    access: {
      seconds: null,
      confirmed: true,
      source: code.source,
      note: "do not expire; they last until revoked",
    },
    refresh: { seconds: null, confirmed: true, source: code.source, note: "are not issued" },
  },
  refreshPolicy: "none",
  refreshRateLimit: null,
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: ["refresh_token_expires_in"],
  identityFields: ["login", "name", "id"],
  api,
  links: {
    register: "https://github.com/settings/applications/new",
    docs: code.source,
  },
  notes:
    "An OAuth app's token does not expire and there is no refresh token: keep the access token itself. Without a scope the token can read public data only.",
};

const userTokens =
  "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens";

export const githubApp: Recipe = {
  id: "github-app",
  name: "GitHub App (user access tokens)",
  environments: endpoints,
  defaultEnvironment: "production",
  tokenEndpointAuthMethod: "client_secret_post",
  bodyEncoding: "form",
  pkce: "supported",
  authorizeParams: {},
  // A GitHub App's permissions are set on the app, not requested per authorization.
  scope: { required: false, separator: " ", suggestions: [] },
  lifetimes: {
    code,
    access: { seconds: 28_800, confirmed: true, source: userTokens },
    refresh: {
      seconds: null,
      confirmed: true,
      source: userTokens,
      note: "last six months, as each answer's refresh_token_expires_in says",
    },
  },
  refreshPolicy: "rotating",
  refreshEndsAccessToken: true,
  refreshRateLimit: null,
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: ["refresh_token_expires_in"],
  identityFields: ["login", "name", "id"],
  api,
  links: {
    register: "https://github.com/settings/apps/new",
    docs: userTokens,
  },
  notes:
    "Only when the app keeps 'Expire user authorization tokens' on does GitHub issue refresh tokens. Each refresh ends both the refresh token and the access token it replaced.",
};
