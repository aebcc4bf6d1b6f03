import type { Recipe } from "./types.ts";

/**
 * The embedded demo authorization server (oidc-provider on 127.0.0.1, started by `npm start`).
 * Lifetimes are short on purpose so a newcomer sees countdowns move and refresh tokens rotate.
 * Its endpoints depend on the port it got, so they come from the relay's client configuration.
 */
export const demo: Recipe = {
  id: "demo",
  name: "Demo authorization server",
  environments: null,
  tokenEndpointAuthMethod: "client_secret_basic",
  bodyEncoding: "form",
  pkce: "required",
  authorizeParams: {},
  scope: { required: true, separator: " ", suggestions: ["openid", "demo:read"] },
  lifetimes: {
    code: { seconds: 300, confirmed: true, source: "configured in src/dev/demo-server.ts" },
    access: { seconds: 120, confirmed: true, source: "configured in src/dev/demo-server.ts" },
    refresh: { seconds: 86_400, confirmed: true, source: "configured in src/dev/demo-server.ts" },
  },
  refreshPolicy: "rotating",
  refreshRateLimit: null,
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: ["refresh_token_expires_in"],
  // Its API base URL is the relay's configuration too (api_base_urls): the demo server's /api/.
  api: {
    samples: [
      {
        id: "profile",
        label: "Who am I (the demo's protected resource)",
        method: "GET",
        path: "profile",
        source: "src/dev/demo-server.ts",
        note: "Answers the subject, client and scope of a valid access token; 401 invalid_token once it expired.",
      },
      {
        id: "notes",
        label: "My notes",
        method: "GET",
        path: "notes",
        source: "src/dev/demo-server.ts",
        note: 'A list the demo keeps per user; POST {"text":"…"} to the same URL adds one.',
      },
    ],
  },
  notes:
    "Any user name logs in. Refresh tokens rotate: after a refresh the previous one is refused, and reusing it revokes the whole grant.",
};
