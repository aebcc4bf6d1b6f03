/** Relay cases: paths, methods and content types. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { _ALLOWED_ORIGIN } from "../_helpers.ts";
import { _refresh, NOT_FOUND, one, refused, token } from "./_build.ts";

export const CASES: readonly _Case[] = [
  ...["/relay/", "/relay/nope", "/relay/token/", "/relay/TOKEN", "/relay/token.json"].map((path) =>
    refused(`answers 404 for ${path}`, { path }, 404, "not_found", {
      check: (answer) => expect(answer.body?.error_description).toMatch(NOT_FOUND),
    }),
  ),
  ...(
    [
      ["GET", "/relay/token", "POST, OPTIONS"],
      ["GET", "/relay/revoke", "POST, OPTIONS"],
      ["GET", "/relay/introspect", "POST, OPTIONS"],
      ["PUT", "/relay/token", "POST, OPTIONS"],
      ["DELETE", "/relay/token", "POST, OPTIONS"],
      ["POST", "/relay/clients", "GET, HEAD, OPTIONS"],
      ["POST", "/relay/health", "GET, HEAD, OPTIONS"],
    ] as const
  ).map(([method, path, allow]) =>
    refused(`answers 405 with Allow for ${method} ${path}`, { method, path }, 405, "method_not_allowed", {
      log: new RegExp(`^${method} ${path.replaceAll("/", "\\/")} 405 error=method_not_allowed ms=\\d+$`),
      check: (answer) => expect(answer.headers.allow).toBe(allow),
    }),
  ),
  ...[
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
  ].map((type) =>
    refused(
      `refuses Content-Type ${type} with 415`,
      token(JSON.stringify(_refresh("ok")), { headers: { "content-type": type } }),
      415,
      "unsupported_media_type",
    ),
  ),
  one(
    "answers an allowed origin's preflight with the route's methods and only Content-Type",
    {
      method: "OPTIONS",
      path: "/relay/token",
      headers: {
        origin: _ALLOWED_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    },
    {
      status: 204,
      upstreamHits: 0,
      check: (answer) => {
        expect(answer.text).toBe("");
        expect(answer.headers).toMatchObject({
          "access-control-allow-origin": _ALLOWED_ORIGIN,
          "access-control-allow-methods": "POST",
          "access-control-allow-headers": "Content-Type",
          vary: "Origin",
        });
      },
    },
  ),
];
