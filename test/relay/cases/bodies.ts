/** Relay cases: bodies. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { _code, _refresh, refused, token } from "./_build.ts";

export const CASES: readonly _Case[] = [
  refused(
    "refuses a body over 16 KiB with 413",
    token(JSON.stringify(_refresh("ok", { refresh_token: "x".repeat(17_000) }))),
    413,
    "request_too_large",
  ),
  refused(
    "refuses a chunked body as soon as it passes 16 KiB",
    token(`{"client":"ok","grant_type":"refresh_token","refresh_token":"${"x".repeat(40_000)}"}`, {
      chunked: true,
    }),
    413,
    "request_too_large",
  ),
  ...(
    [
      ["malformed JSON", '{"client":"ok",'],
      ["an empty body", ""],
      ["trailing garbage", `${JSON.stringify(_refresh("ok"))}x`],
      ["bytes that are not UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
      ["an array", "[]"],
      ["null", "null"],
    ] as const
  ).map(([name, body]) =>
    refused(
      `refuses ${name} with 400`,
      token(body, { headers: { "content-type": "application/json" } }),
      400,
      "invalid_request",
    ),
  ),
  refused(
    "refuses an unknown field, naming it",
    token(_code("ok", { token_endpoint: "https://evil.example/" })),
    400,
    "invalid_request",
    {
      check: (answer) => expect(answer.body?.error_description).toMatch(/^Unknown field "token_endpoint"/),
    },
  ),
];
