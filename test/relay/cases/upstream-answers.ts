/** Relay cases: upstream answers, reported verbatim and never followed. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { relayed } from "./_build.ts";

export const CASES: readonly _Case[] = [
  relayed("passes an OAuth error JSON 400 through", "oauth-error", (upstream) => {
    expect(upstream).toEqual({
      status: 400,
      headers: expect.objectContaining({ "content-type": "application/json;charset=UTF-8" }),
      body: '{"error":"invalid_grant","error_description":"The code was already used."}',
    });
  }),
  relayed(
    "passes an HTML 401 with WWW-Authenticate through, without its Set-Cookie",
    "html-401",
    (upstream) => {
      expect(upstream).toMatchObject({
        status: 401,
        headers: {
          "content-type": "text/html; charset=utf-8",
          "www-authenticate": 'Basic realm="Application"',
        },
        body: "HTTP Basic: Access denied.\n",
      });
      expect(upstream.headers["set-cookie"]).toBeUndefined();
    },
  ),
  relayed("passes a non-JSON 200 through as text", "text-200", (upstream) => {
    expect(upstream).toMatchObject({
      status: 200,
      body: "access_token=gho_abc&scope=repo&token_type=bearer",
    });
  }),
  relayed("passes a 429 with Retry-After through", "rate-limited", (upstream) => {
    expect(upstream).toMatchObject({
      status: 429,
      headers: { "retry-after": "60", "content-type": "text/plain" },
      body: "You must not exceed 15 requests per 60 seconds",
    });
  }),
  relayed("decodes a body in the charset the provider names", "latin1", (upstream) => {
    expect(upstream).toMatchObject({ status: 400, body: "café" });
  }),
  relayed("drops hop-by-hop headers and those Connection names", "hop", (upstream) => {
    const { headers } = upstream;
    expect(headers).toMatchObject({ "content-type": "application/json", pragma: "no-cache" });
    for (const name of ["connection", "keep-alive", "x-internal", "transfer-encoding"]) {
      expect(headers[name], name).toBeUndefined();
    }
  }),
  relayed("passes an empty 204 through", "empty-204", (upstream) => {
    expect(upstream).toMatchObject({ status: 204, body: "" });
  }),
  ...(["302", "307"] as const).map((status) =>
    relayed(`reports a ${status} without following it`, `redirect-${status}`, (upstream) => {
      expect(upstream).toMatchObject({
        status: Number(status),
        headers: { location: expect.stringMatching(/\/steal$/) },
        body: "",
      });
    }),
  ),
];
