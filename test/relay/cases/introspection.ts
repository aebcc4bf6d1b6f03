/** Relay cases: introspection (RFC 7662), a read authenticated as the client. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { _CUSTOM_JSON, _CUSTOM_POST, _DEMO, _DEMO_BASIC, _envelope } from "../_helpers.ts";
import { _escape, INTROSPECT_NOTHING_SPENT, introspect, one, refused } from "./_build.ts";

/** A failed read: the relay says nothing was spent, and never that the outcome is unknown. */
function _nothingSpent(answer: { body: Record<string, unknown> | null }): void {
  expect(answer.body?.outcome).toBeUndefined();
  expect(answer.body?.error_description).toMatch(new RegExp(`${_escape(INTROSPECT_NOTHING_SPENT)}$`));
}

export const CASES: readonly _Case[] = [
  one(
    "introspects an access token with one request, authenticated as the token endpoint is",
    introspect("ok"),
    {
      status: 200,
      upstreamHits: 1,
      log: /^POST \/relay\/introspect 200 client=ok hint=access_token upstream=200 ms=\d+$/,
      check: (answer, seen) => {
        const received = seen.received[0];
        expect(received?.path).toBe("/introspect");
        expect(received?.headers).toMatchObject({
          authorization: _DEMO_BASIC,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        });
        expect(received?.body).toBe("token=at-CASE-1&token_type_hint=access_token");
        const envelope = _envelope(answer.body);
        expect(envelope.sent).toEqual({
          method: "POST",
          url: `${seen.upstreamOrigin}/introspect`,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
            "user-agent": "tokendesk-relay/0.1",
            authorization: "Basic [redacted]",
          },
          body: "token=at-CASE-1&token_type_hint=access_token",
        });
        expect(envelope.upstream.status).toBe(200);
        expect(JSON.parse(envelope.upstream.body)).toMatchObject({
          active: true,
          client_id: "tokendesk-demo",
        });
        expect(envelope.upstream.headers["set-cookie"]).toBeUndefined();
      },
    },
  ),
  one(
    "introspects a refresh token, or a token without a hint",
    introspect("ok", { token: "rt-CASE-1", token_type_hint: undefined }),
    {
      status: 200,
      upstreamHits: 1,
      log: /^POST \/relay\/introspect 200 client=ok hint=none upstream=200 ms=\d+$/,
      check: (_answer, seen) => expect(seen.received[0]?.body).toBe("token=rt-CASE-1"),
    },
  ),
  one(
    "sends client_secret_post credentials in the introspection body and redacts them",
    introspect("post", { token_type_hint: "refresh_token" }),
    {
      status: 200,
      upstreamHits: 1,
      check: (answer, seen) => {
        const received = new URLSearchParams(seen.received[0]?.body);
        expect(received.get("client_secret")).toBe(_CUSTOM_POST.client_secret);
        expect(seen.received[0]?.headers.authorization).toBeUndefined();
        expect(_envelope(answer.body).sent.body).toBe(
          "token=at-CASE-1&token_type_hint=refresh_token&client_id=post-client&client_secret=[redacted]",
        );
      },
    },
  ),
  one("sends a JSON introspection body for a client with body_encoding json", introspect("json"), {
    status: 200,
    upstreamHits: 1,
    check: (_answer, seen) => {
      expect(JSON.parse(seen.received[0]?.body ?? "")).toEqual({
        token: "at-CASE-1",
        token_type_hint: "access_token",
        client_id: _CUSTOM_JSON.client_id,
        client_secret: _CUSTOM_JSON.client_secret,
      });
    },
  }),
  one("passes the provider's HTML 401 through verbatim", introspect("html-401"), {
    status: 200,
    upstreamHits: 1,
    check: (answer) => {
      expect(_envelope(answer.body).upstream).toMatchObject({
        status: 401,
        body: "HTTP Basic: Access denied.\n",
      });
      expect(_envelope(answer.body).upstream.headers["set-cookie"]).toBeUndefined();
    },
  }),
  one("reports a 302 from the introspection endpoint without following it", introspect("redirect-302"), {
    status: 200,
    upstreamHits: 1,
    check: (answer) => expect(_envelope(answer.body).upstream.status).toBe(302),
  }),
  one("answers 502 on a reset and says nothing was spent, never an unknown outcome", introspect("reset"), {
    status: 502,
    error: "upstream_unreachable",
    upstreamHits: 1,
    log: /^POST \/relay\/introspect 502 error=upstream_unreachable client=reset hint=access_token ms=\d+$/,
    check: (answer, seen) => {
      _nothingSpent(answer);
      expect(answer.body?.sent).toMatchObject({ url: `${seen.upstreamOrigin}/reset` });
    },
  }),
  one(
    "answers 504 when the introspection endpoint never answers, and says nothing was spent",
    introspect("hang"),
    {
      status: 504,
      error: "upstream_timeout",
      upstreamHits: 1,
      check: (answer, seen) => {
        expect(answer.body?.outcome).toBeUndefined();
        expect(answer.body?.error_description).toBe(
          `The introspection endpoint ${seen.upstreamOrigin}/hang did not answer within 300 ms. ${INTROSPECT_NOTHING_SPENT}`,
        );
      },
    },
    "timeouts",
  ),
  one("stops reading an answer over 256 KiB and says nothing was spent", introspect("huge"), {
    status: 502,
    error: "upstream_response_too_large",
    upstreamHits: 1,
    check: _nothingSpent,
  }),
  one("answers 502 when nothing listens, having sent nothing anywhere", introspect("unreachable"), {
    status: 502,
    error: "upstream_unreachable",
    upstreamHits: 0,
    check: _nothingSpent,
  }),
  refused(
    "refuses a client without an introspection endpoint, naming it",
    introspect("special"),
    400,
    "introspection_unsupported",
    {
      log: /^POST \/relay\/introspect 400 error=introspection_unsupported client=special ms=\d+$/,
      check: (answer) =>
        expect(answer.body?.error_description).toBe(
          'Client "special" has no introspection endpoint: its provider has none tokendesk knows, and the relay sends an introspection nowhere else. For a custom provider, add "introspection_endpoint" to the client in TOKENDESK_CLIENTS.',
        ),
    },
  ),
  refused("refuses an unknown client", introspect("nope"), 400, "unknown_client", {
    log: /^POST \/relay\/introspect 400 error=unknown_client ms=\d+$/,
  }),
  ...(
    [
      ["no token", { token: undefined }],
      ["an empty token", { token: "" }],
      ["a token that is not a string", { token: ["at"] }],
      ["a token with a line break", { token: "at-CASE\r\nx: y" }],
      ["a token over 8192 characters", { token: "x".repeat(8193) }],
      ["a hint RFC 7662 does not relay", { token_type_hint: "id_token" }],
      ["an unknown field", { introspection_endpoint: "https://evil.example/" }],
      ["a resource parameter", { resource: "https://api.example/" }],
    ] as const
  ).map(([name, body]) =>
    refused(`refuses an introspection with ${name}`, introspect("ok", body), 400, "invalid_request"),
  ),
  refused(
    "refuses an introspection body over 16 KiB with 413",
    introspect("ok", { token: "x".repeat(17_000) }),
    413,
    "request_too_large",
  ),
  ...(
    [
      ["a client_secret in the body", introspect("ok", { client_secret: _DEMO.client_secret })],
      ["a client_assertion in the body", introspect("ok", { client_assertion: "eyJ.x.y" })],
      ["an Authorization header", introspect("ok", {}, { headers: { authorization: _DEMO_BASIC } })],
    ] as const
  ).map(([name, request]) =>
    refused(`refuses an introspection with ${name}`, request, 400, "credentials_not_allowed"),
  ),
  refused(
    "refuses an introspection that is not JSON with 415",
    introspect("ok", {}, { headers: { "content-type": "application/x-www-form-urlencoded" } }),
    415,
    "unsupported_media_type",
  ),
  refused(
    "refuses an introspection from an origin not allowed, without CORS headers",
    introspect("ok", {}, { headers: { origin: "https://evil.example.test" } }),
    403,
    "origin_not_allowed",
    { check: (answer) => expect(answer.headers["access-control-allow-origin"]).toBeUndefined() },
  ),
];
