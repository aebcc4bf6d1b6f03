/** Relay cases: origins. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { _ALLOWED_ORIGIN } from "../_helpers.ts";
import { _code, refused } from "./_build.ts";

export const CASES: readonly _Case[] = [
  ...[
    ["another site", "https://evil.example.test"],
    ["an opaque origin", "null"],
    ["localhost for 127.0.0.1", "http://localhost:4173"],
    ["the allowed host on another port", "http://127.0.0.1:4174"],
    ["the allowed origin with a trailing slash", `${_ALLOWED_ORIGIN}/`],
  ].flatMap(([name, origin]) =>
    (
      [
        ["POST", "/relay/token"],
        ["GET", "/relay/clients"],
        ["OPTIONS", "/relay/token"],
      ] as const
    ).map(([method, path]) =>
      refused(
        `refuses ${name} on ${method} ${path}, without CORS headers`,
        {
          method,
          path,
          headers: { origin: origin ?? "" },
          ...(method === "POST" ? { body: _code("ok") } : {}),
        },
        403,
        "origin_not_allowed",
        { check: (answer) => expect(answer.headers["access-control-allow-origin"]).toBeUndefined() },
      ),
    ),
  ),
];
