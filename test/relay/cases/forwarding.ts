/** Relay cases: forwarding a code or a refresh. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { _ALLOWED_ORIGIN, _CUSTOM_JSON, _CUSTOM_POST, _DEMO_BASIC, _envelope } from "../_helpers.ts";
import { _code, _refresh, one, token, VERIFIER } from "./_build.ts";

export const CASES: readonly _Case[] = [
  one("sends one request built from the configuration and answers the envelope", token(_code("ok")), {
    status: 200,
    upstreamHits: 1,
    log: /^POST \/relay\/token 200 client=ok grant=authorization_code upstream=200 ms=\d+$/,
    check: (answer, seen) => {
      const received = seen.received[0];
      expect(received?.path).toBe("/token");
      expect(received?.headers).toMatchObject({
        authorization: _DEMO_BASIC,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        "user-agent": "tokendesk-relay/0.1",
      });
      expect(received?.headers.origin).toBeUndefined();
      expect(received?.headers.cookie).toBeUndefined();
      const envelope = _envelope(answer.body);
      expect(envelope.sent).toEqual({
        method: "POST",
        url: `${seen.upstreamOrigin}/token`,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "user-agent": "tokendesk-relay/0.1",
          authorization: "Basic [redacted]",
        },
        body: `grant_type=authorization_code&code=code-CASE-abc&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fcallback%2F&code_verifier=${VERIFIER}`,
      });
      expect(received?.body).toBe(envelope.sent.body);
      expect(envelope.upstream).toEqual({
        status: 200,
        headers: expect.objectContaining({ "content-type": "application/json", "x-request-id": "req-1" }),
        body: '{"access_token":"at-real","token_type":"Bearer","expires_in":120,"refresh_token":"rt-real"}',
      });
      expect(envelope.upstream.headers["set-cookie"]).toBeUndefined();
      expect(answer.headers["set-cookie"]).toBeUndefined();
      expect(envelope.ms).toBeGreaterThanOrEqual(0);
    },
  }),
  one("relays a refresh with its scope", token(_refresh("ok", { scope: "openid demo:read" })), {
    status: 200,
    upstreamHits: 1,
    log: /^POST \/relay\/token 200 client=ok grant=refresh_token upstream=200 ms=\d+$/,
    check: (_answer, seen) => {
      expect(seen.received[0]?.body).toBe(
        "grant_type=refresh_token&refresh_token=rt-CASE-1&scope=openid+demo%3Aread",
      );
    },
  }),
  one(
    "form-urlencodes a special client id and secret before base64 (RFC 6749 §2.3.1)",
    token(_refresh("special")),
    {
      status: 200,
      upstreamHits: 1,
      check: (_answer, seen) => {
        expect(seen.received[0]?.headers.authorization).toBe(
          `Basic ${btoa("demo+app%3A1:p%40ss%3Aw%2Frd%2B%26%3D")}`,
        );
      },
    },
  ),
  one("sends client_secret_post credentials in the form body and redacts them", token(_refresh("post")), {
    status: 200,
    upstreamHits: 1,
    check: (answer, seen) => {
      const received = new URLSearchParams(seen.received[0]?.body);
      expect(received.get("client_id")).toBe(_CUSTOM_POST.client_id);
      expect(received.get("client_secret")).toBe(_CUSTOM_POST.client_secret);
      expect(seen.received[0]?.headers.authorization).toBeUndefined();
      expect(_envelope(answer.body).sent.body).toBe(
        "grant_type=refresh_token&refresh_token=rt-CASE-1&client_id=post-client&client_secret=[redacted]",
      );
    },
  }),
  one("sends a JSON body for a client with body_encoding json", token(_refresh("json")), {
    status: 200,
    upstreamHits: 1,
    check: (answer, seen) => {
      expect(seen.received[0]?.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(seen.received[0]?.body ?? "")).toEqual({
        grant_type: "refresh_token",
        refresh_token: "rt-CASE-1",
        client_id: _CUSTOM_JSON.client_id,
        client_secret: _CUSTOM_JSON.client_secret,
      });
      expect(_envelope(answer.body).sent.body).toContain('"client_secret":"[redacted]"');
    },
  }),
  one(
    "names an allowed origin exactly in CORS headers, with Vary: Origin",
    token(_code("ok"), { headers: { origin: _ALLOWED_ORIGIN } }),
    {
      status: 200,
      upstreamHits: 1,
      check: (answer) => {
        expect(answer.headers["access-control-allow-origin"]).toBe(_ALLOWED_ORIGIN);
        expect(answer.headers.vary).toBe("Origin");
        expect(answer.headers["access-control-allow-credentials"]).toBeUndefined();
      },
    },
  ),
  one(
    "serves a page on the relay's own origin without CORS headers",
    token(_code("ok"), { headers: { origin: "{self}" } }),
    {
      status: 200,
      upstreamHits: 1,
      check: (answer) => expect(answer.headers["access-control-allow-origin"]).toBeUndefined(),
    },
  ),
  one(
    "accepts a JSON body sent in chunks without Content-Length",
    token(JSON.stringify(_refresh("ok")), {
      chunked: true,
      headers: { "content-type": "application/json" },
    }),
    { status: 200, upstreamHits: 1 },
  ),
];
