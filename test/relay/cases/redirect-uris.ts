import type { _Case } from "../_cases.ts";
import { _code, refused, token } from "./_build.ts";

export const CASES: readonly _Case[] = [
  ...[
    ["without the trailing slash", "http://127.0.0.1:5173/callback"],
    ["with another case", "http://127.0.0.1:5173/Callback/"],
    ["with a query", "http://127.0.0.1:5173/callback/?next=/"],
    ["with https instead of http", "https://127.0.0.1:5173/callback/"],
    ["with a fragment", "http://127.0.0.1:5173/callback/#x"],
    ["with localhost instead of 127.0.0.1", "http://localhost:5173/callback/"],
    ["percent-encoded", "http://127.0.0.1:5173/%63allback/"],
  ].map(([name, redirectUri]) =>
    refused(
      `refuses a redirect URI ${name}`,
      token(_code("ok", { redirect_uri: redirectUri })),
      400,
      "invalid_redirect_uri",
      {
        log: /^POST \/relay\/token 400 error=invalid_redirect_uri client=ok grant=authorization_code ms=\d+$/,
      },
    ),
  ),
];
