/** Relay cases: revocation (RFC 7009). */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { _CUSTOM_JSON, _CUSTOM_POST, _DEMO, _DEMO_BASIC, _envelope } from "../_helpers.ts";
import { _escape, one, REVOKE_UNKNOWN, refused, revoke } from "./_build.ts";

export const CASES: readonly _Case[] = [
  one("revokes a refresh token with one request, authenticated as the token endpoint is", revoke("ok"), {
    status: 200,
    upstreamHits: 1,
    log: /^POST \/relay\/revoke 200 client=ok hint=refresh_token upstream=200 ms=\d+$/,
    check: (answer, seen) => {
      const received = seen.received[0];
      expect(received?.path).toBe("/revoke");
      expect(received?.headers).toMatchObject({
        authorization: _DEMO_BASIC,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      });
      expect(received?.body).toBe("token=rt-CASE-1&token_type_hint=refresh_token");
      const envelope = _envelope(answer.body);
      expect(envelope.sent).toEqual({
        method: "POST",
        url: `${seen.upstreamOrigin}/revoke`,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "user-agent": "tokendesk-relay/0.1",
          authorization: "Basic [redacted]",
        },
        body: "token=rt-CASE-1&token_type_hint=refresh_token",
      });
      expect(envelope.upstream).toMatchObject({ status: 200, body: "" });
      expect(envelope.upstream.headers["set-cookie"]).toBeUndefined();
    },
  }),
  one("revokes an access token, or a token without a hint", revoke("ok", { token_type_hint: undefined }), {
    status: 200,
    upstreamHits: 1,
    log: /^POST \/relay\/revoke 200 client=ok hint=none upstream=200 ms=\d+$/,
    check: (_answer, seen) => expect(seen.received[0]?.body).toBe("token=rt-CASE-1"),
  }),
  one(
    "sends client_secret_post credentials in the revocation body and redacts them",
    revoke("post", { token_type_hint: "access_token" }),
    {
      status: 200,
      upstreamHits: 1,
      check: (answer, seen) => {
        const received = new URLSearchParams(seen.received[0]?.body);
        expect(received.get("client_secret")).toBe(_CUSTOM_POST.client_secret);
        expect(seen.received[0]?.headers.authorization).toBeUndefined();
        expect(_envelope(answer.body).sent.body).toBe(
          "token=rt-CASE-1&token_type_hint=access_token&client_id=post-client&client_secret=[redacted]",
        );
      },
    },
  ),
  one("sends a JSON revocation body for a client with body_encoding json", revoke("json"), {
    status: 200,
    upstreamHits: 1,
    check: (_answer, seen) => {
      expect(JSON.parse(seen.received[0]?.body ?? "")).toEqual({
        token: "rt-CASE-1",
        token_type_hint: "refresh_token",
        client_id: _CUSTOM_JSON.client_id,
        client_secret: _CUSTOM_JSON.client_secret,
      });
    },
  }),
  one("passes the provider's OAuth error through", revoke("oauth-error"), {
    status: 200,
    upstreamHits: 1,
    check: (answer) => expect(_envelope(answer.body).upstream).toMatchObject({ status: 400 }),
  }),
  one("reports a 307 from the revocation endpoint without following it", revoke("redirect-307"), {
    status: 200,
    upstreamHits: 1,
    check: (answer) => expect(_envelope(answer.body).upstream.status).toBe(307),
  }),
  one("answers 502 with an unknown outcome on a reset, and says revoking again is safe", revoke("reset"), {
    status: 502,
    error: "upstream_unreachable",
    upstreamHits: 1,
    log: /^POST \/relay\/revoke 502 error=upstream_unreachable client=reset hint=refresh_token ms=\d+$/,
    check: (answer, seen) => {
      expect(answer.body).toMatchObject({
        outcome: "unknown",
        sent: { url: `${seen.upstreamOrigin}/reset` },
      });
      expect(answer.body?.error_description).toMatch(new RegExp(` \\(.+\\)\\. ${_escape(REVOKE_UNKNOWN)}$`));
    },
  }),
  one(
    "answers 504 with an unknown outcome when the revocation endpoint never answers",
    revoke("hang"),
    {
      status: 504,
      error: "upstream_timeout",
      upstreamHits: 1,
      check: (answer, seen) => {
        expect(answer.body?.outcome).toBe("unknown");
        expect(answer.body?.error_description).toBe(
          `The revocation endpoint ${seen.upstreamOrigin}/hang did not answer within 300 ms. ${REVOKE_UNKNOWN}`,
        );
      },
    },
    "timeouts",
  ),
  refused(
    "refuses a client whose provider has no revocation endpoint, naming it",
    revoke("special"),
    400,
    "revocation_unsupported",
    {
      log: /^POST \/relay\/revoke 400 error=revocation_unsupported client=special ms=\d+$/,
      check: (answer) =>
        expect(answer.body?.error_description).toMatch(/^Client "special" has no revocation endpoint: /),
    },
  ),
  refused("refuses an unknown client", revoke("nope"), 400, "unknown_client"),
  ...(
    [
      ["no token", { token: undefined }],
      ["an empty token", { token: "" }],
      ["a token that is not a string", { token: 42 }],
      ["a token with a line break", { token: "rt-CASE\r\nx: y" }],
      ["a token over 8192 characters", { token: "x".repeat(8193) }],
      ["a hint RFC 7009 does not define", { token_type_hint: "id_token" }],
      ["an unknown field", { token_endpoint: "https://evil.example/" }],
    ] as const
  ).map(([name, body]) =>
    refused(`refuses a revocation with ${name}`, revoke("ok", body), 400, "invalid_request"),
  ),
  refused(
    "refuses a revocation body over 16 KiB with 413",
    revoke("ok", { token: "x".repeat(17_000) }),
    413,
    "request_too_large",
  ),
  ...(
    [
      ["a client_secret in the body", revoke("ok", { client_secret: _DEMO.client_secret })],
      ["a client_id in the body", revoke("ok", { client_id: "x" })],
      ["an Authorization header", revoke("ok", {}, { headers: { authorization: _DEMO_BASIC } })],
    ] as const
  ).map(([name, request]) =>
    refused(`refuses a revocation with ${name}`, request, 400, "credentials_not_allowed"),
  ),
  refused(
    "refuses a revocation that is not JSON with 415",
    revoke("ok", {}, { headers: { "content-type": "application/x-www-form-urlencoded" } }),
    415,
    "unsupported_media_type",
  ),
  refused(
    "refuses a revocation from an origin not allowed, without CORS headers",
    revoke("ok", {}, { headers: { origin: "https://evil.example.test" } }),
    403,
    "origin_not_allowed",
    { check: (answer) => expect(answer.headers["access-control-allow-origin"]).toBeUndefined() },
  ),
];
