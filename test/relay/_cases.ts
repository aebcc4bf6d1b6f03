/**
 * The relay's behaviour as one table of cases, run against every runtime that hosts it
 * (cases-node.test.ts: `npm run relay`'s server; cases-workerd.test.ts: the Cloudflare Worker in
 * workerd). Each step sends real HTTP to the relay, and the relay sends real HTTP to a recording
 * upstream on 127.0.0.1: every step states how many requests that upstream received, and no step
 * may reach the host a redirect points to. Every answer and log line is scanned for the secrets.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RelayClientConfig } from "../../src/relay/config.ts";
import type { UpstreamResponse } from "../../src/relay/contract.ts";
import {
  _ALLOWED_ORIGIN,
  _assertNoSecretLeaked,
  _CUSTOM_JSON,
  _CUSTOM_POST,
  _closedPort,
  _DEMO,
  _DEMO_BASIC,
  _envelope,
  _expectBaseHeaders,
  _observe,
  _REDIRECT_URI,
  _SPECIAL,
  _startUpstream,
  type _Upstream,
} from "./_helpers.ts";

/** The relay configurations a runtime hosts at once. */
export type _RelayName = "main" | "timeouts" | "limits";

/** One request as a caller sends it. */
export interface _CaseRequest {
  /** Default POST when there is a body, else GET. */
  readonly method?: string;
  /** Path and query, e.g. `/relay/token`. */
  readonly path: string;
  /** `Origin` is written `{self}` for the relay's own origin. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or bytes as they are; anything else as JSON with `Content-Type: application/json`. */
  readonly body?: unknown;
  /** Send the body in 4 KiB chunks without a Content-Length. */
  readonly chunked?: boolean;
  /** The caller's address, in 127.0.0.0/8. Default 127.0.0.1. */
  readonly ip?: string;
}

/** An answer as the caller reads it. */
export interface _Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body as JSON, null when empty or not JSON. */
  readonly body: Record<string, unknown> | null;
}

/** What a check may look at besides the answer. */
export interface _Seen {
  /** Requests the upstream received during this step, oldest first. */
  readonly received: _Upstream["requests"];
  readonly upstreamOrigin: string;
  readonly selfOrigin: string;
}

export interface _Step {
  readonly request: _CaseRequest;
  readonly status: number;
  /** The relay's `error` code, for its refusals and failures. */
  readonly error?: string;
  /** How many requests the recording upstream received because of this step. */
  readonly upstreamHits: number;
  /** The one log line this request writes. */
  readonly log?: RegExp;
  readonly check?: (answer: _Answer, seen: _Seen) => void;
}

export interface _Case {
  readonly name: string;
  /** Which configuration answers. Default `main`. */
  readonly relay?: _RelayName;
  readonly steps: readonly _Step[];
}

/** A runtime hosting the three relay configurations. */
export interface _RelayRuntime {
  send(relay: _RelayName, request: _CaseRequest): Promise<_Answer>;
  /** The relay's own origin, as it sees it in request URLs. */
  selfOrigin(relay: _RelayName): string;
  /** The relays' log lines so far, oldest first. */
  readonly logLines: readonly string[];
  /** Anything else the runtime printed (stderr), for the secrecy scan. */
  readonly otherOutput: readonly string[];
  close(): Promise<void>;
}

/** Starts a runtime hosting each configuration, given as the environment variables an operator sets. */
export type _StartRuntime = (
  envs: Readonly<Record<_RelayName, Record<string, string>>>,
) => Promise<_RelayRuntime>;

// ---------------------------------------------------------------------------------------------------
// The upstream: one path per behaviour, and the clients that point at each.

const BEHAVIOURS = [
  "oauth-error",
  "html-401",
  "text-200",
  "rate-limited",
  "latin1",
  "hop",
  "empty-204",
  "redirect-302",
  "redirect-307",
  "reset",
  "reset-body",
  "huge",
] as const;

function _answerAs(elsewhere: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    switch (req.url) {
      case "/revoke":
        // RFC 7009 §2.2: 200 with an empty body, for a revoked token and an unknown one alike.
        res.writeHead(200, { "set-cookie": "upstream-session=1; HttpOnly" });
        res.end();
        return;
      case "/token":
        res.writeHead(200, {
          "content-type": "application/json",
          "set-cookie": "upstream-session=1; HttpOnly",
          "x-request-id": "req-1",
        });
        res.end(
          '{"access_token":"at-real","token_type":"Bearer","expires_in":120,"refresh_token":"rt-real"}',
        );
        return;
      case "/oauth-error":
        res.writeHead(400, { "content-type": "application/json;charset=UTF-8" });
        res.end('{"error":"invalid_grant","error_description":"The code was already used."}');
        return;
      case "/html-401":
        res.writeHead(401, {
          "content-type": "text/html; charset=utf-8",
          "www-authenticate": 'Basic realm="Application"',
          "set-cookie": "_session=abc; HttpOnly",
        });
        res.end("HTTP Basic: Access denied.\n");
        return;
      case "/text-200":
        res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" });
        res.end("access_token=gho_abc&scope=repo&token_type=bearer");
        return;
      case "/rate-limited":
        res.writeHead(429, { "content-type": "text/plain", "retry-after": "60" });
        res.end("You must not exceed 15 requests per 60 seconds");
        return;
      case "/latin1":
        res.writeHead(400, { "content-type": "text/plain; charset=iso-8859-1" });
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
        return;
      case "/hop":
        res.writeHead(200, {
          "content-type": "application/json",
          connection: "keep-alive, x-internal",
          "keep-alive": "timeout=5",
          "x-internal": "node-7",
          pragma: "no-cache",
        });
        res.end("{}");
        return;
      case "/empty-204":
        res.writeHead(204);
        res.end();
        return;
      case "/redirect-302":
      case "/redirect-307":
        res.writeHead(Number(req.url.slice(-3)), { location: `${elsewhere}/steal` });
        res.end();
        return;
      case "/hang":
        return; // never answers
      case "/hang-body":
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"access_token":');
        return; // never finishes the body
      case "/reset":
        req.socket.destroy();
        return;
      case "/reset-body":
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"access_token":');
        setTimeout(() => req.socket.destroy(), 10);
        return;
      case "/huge": {
        res.writeHead(200, { "content-type": "text/html" });
        const chunk = "x".repeat(64 * 1024);
        for (let i = 0; i < 8; i++) res.write(chunk);
        res.end();
        return;
      }
      default:
        res.writeHead(404);
        res.end();
    }
  };
}

/**
 * A demo-like client (Basic, form) whose token endpoint is `endpoint`; its revocation endpoint is the
 * same URL unless named, so each behaviour of the upstream answers revocations too.
 */
function _clientAt(id: string, endpoint: string, revocation = endpoint): RelayClientConfig {
  return { ..._DEMO, id, token_endpoint: endpoint, revocation_endpoint: revocation };
}

/** The environments of the three configurations, as an operator would write them. */
export function _caseEnvs(upstream: string, closedPort: number): Record<_RelayName, Record<string, string>> {
  const token = `${upstream}/token`;
  const revoke = `${upstream}/revoke`;
  const main: RelayClientConfig[] = [
    _clientAt("ok", token, revoke),
    // A custom client without a revocation endpoint: the relay revokes nothing for it.
    { ..._SPECIAL, token_endpoint: token },
    {
      ..._CUSTOM_POST,
      id: "post",
      redirect_uris: [_REDIRECT_URI],
      token_endpoint: token,
      revocation_endpoint: revoke,
    },
    {
      ..._CUSTOM_JSON,
      id: "json",
      redirect_uris: [_REDIRECT_URI],
      token_endpoint: token,
      revocation_endpoint: revoke,
    },
    ...BEHAVIOURS.map((behaviour) => _clientAt(behaviour, `${upstream}/${behaviour}`)),
    _clientAt("unreachable", `http://127.0.0.1:${closedPort}/token`),
  ];
  return {
    main: {
      TOKENDESK_CLIENTS: JSON.stringify(main),
      TOKENDESK_ALLOWED_ORIGINS: _ALLOWED_ORIGIN,
      TOKENDESK_RATE_LIMIT_PER_IP: "off",
      TOKENDESK_RATE_LIMIT_PER_CLIENT: "off",
    },
    timeouts: {
      TOKENDESK_CLIENTS: JSON.stringify([
        _clientAt("hang", `${upstream}/hang`),
        _clientAt("hang-body", `${upstream}/hang-body`),
      ]),
      TOKENDESK_TIMEOUT_MS: "300",
      TOKENDESK_RATE_LIMIT_PER_IP: "off",
      TOKENDESK_RATE_LIMIT_PER_CLIENT: "off",
    },
    limits: {
      TOKENDESK_CLIENTS: JSON.stringify([
        _clientAt("ok", token, revoke),
        _clientAt("ok-2", token, revoke),
        _clientAt("ok-3", token, revoke),
      ]),
      TOKENDESK_ALLOWED_ORIGINS: _ALLOWED_ORIGIN,
      // Refills take 20 and 12 minutes: no step of the suite ever sees one.
      TOKENDESK_RATE_LIMIT_PER_IP: "3/3600s",
      TOKENDESK_RATE_LIMIT_PER_CLIENT: "5/3600s",
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The cases.

const VERIFIER = "dBjftJeZ4CVP-mJ92K9uK7E8mGqfVw9nqYA3Ta2Z3Q4";
const UNKNOWN_OUTCOME =
  "The provider may or may not have processed the request: do not send the same code again, and with rotating refresh tokens check the connection before refreshing again.";

function _code(client: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client,
    grant_type: "authorization_code",
    code: "code-CASE-abc",
    redirect_uri: _REDIRECT_URI,
    code_verifier: VERIFIER,
    ...extra,
  };
}

function _refresh(client: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { client, grant_type: "refresh_token", refresh_token: "rt-CASE-1", ...extra };
}

const token = (body: unknown, extra: Partial<_CaseRequest> = {}): _CaseRequest => ({
  path: "/relay/token",
  body,
  ...extra,
});

/** A `POST /relay/revoke` of the case's refresh token for `client`. */
const revoke = (
  client: string,
  body: Record<string, unknown> = {},
  extra: Partial<_CaseRequest> = {},
): _CaseRequest => ({
  path: "/relay/revoke",
  body: { client, token: "rt-CASE-1", token_type_hint: "refresh_token", ...body },
  ...extra,
});

const REVOKE_UNKNOWN =
  "The provider may or may not have revoked the token: revoke it again, which is safe, because a provider answers 200 for a token already revoked (RFC 7009 §2.2).";

/** A one-step case. */
function one(
  name: string,
  request: _CaseRequest,
  expected: Omit<_Step, "request">,
  relay?: _RelayName,
): _Case {
  return { name, ...(relay === undefined ? {} : { relay }), steps: [{ request, ...expected }] };
}

/** A refusal: the relay answers `status` with `error` and calls nobody. */
function refused(
  name: string,
  request: _CaseRequest,
  status: number,
  error: string,
  extra: Partial<_Step> = {},
) {
  return one(name, request, { status, error, upstreamHits: 0, ...extra });
}

/** A forwarded request whose envelope reports what the upstream answered. */
function relayed(
  name: string,
  client: string,
  check: (upstream: UpstreamResponse, seen: _Seen) => void,
): _Case {
  return one(name, token(_code(client)), {
    status: 200,
    upstreamHits: 1,
    log: new RegExp(
      `^POST /relay/token 200 client=${client} grant=authorization_code upstream=\\d{3} ms=\\d+$`,
    ),
    check: (answer, seen) => check(_envelope(answer.body).upstream, seen),
  });
}

/** A failure after sending: exactly one upstream request, and an outcome nobody can know. */
function unknownOutcome(
  name: string,
  client: string,
  status: number,
  error: string,
  relay?: _RelayName,
): _Case {
  return one(
    name,
    token(_code(client)),
    {
      status,
      error,
      upstreamHits: client === "unreachable" ? 0 : 1,
      // An upstream that sent its status line before failing is named too.
      log: new RegExp(
        `^POST /relay/token ${status} error=${error} client=${client} grant=authorization_code( upstream=\\d{3})? ms=\\d+$`,
      ),
      check: (answer) => {
        expect(answer.body).toMatchObject({
          outcome: "unknown",
          sent: { method: "POST", headers: { authorization: "Basic [redacted]" } },
        });
      },
    },
    relay,
  );
}

/** `text` as a regular expression that matches it literally. */
function _escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const NOT_FOUND =
  /^No such relay endpoint; use POST \/relay\/token, .*GET \/relay\/clients or GET \/relay\/health\.$/;

/** Every case, by topic. */
export const _RELAY_CASES: Readonly<Record<string, readonly _Case[]>> = {
  "forwarding a code or a refresh": [
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
  ],

  "revocation (RFC 7009)": [
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
        expect(answer.body?.error_description).toMatch(
          new RegExp(` \\(.+\\)\\. ${_escape(REVOKE_UNKNOWN)}$`),
        );
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
  ],

  "upstream answers, reported verbatim and never followed": [
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
  ],

  "upstream failures: one attempt, outcome unknown": [
    unknownOutcome(
      "answers 504 when the upstream never answers",
      "hang",
      504,
      "upstream_timeout",
      "timeouts",
    ),
    unknownOutcome(
      "answers 504 when the upstream stops mid-body",
      "hang-body",
      504,
      "upstream_timeout",
      "timeouts",
    ),
    unknownOutcome(
      "answers 502 on a connection reset, without retrying",
      "reset",
      502,
      "upstream_unreachable",
    ),
    unknownOutcome(
      "answers 502 on a reset in the middle of the body",
      "reset-body",
      502,
      "upstream_unreachable",
    ),
    unknownOutcome("answers 502 when nothing listens", "unreachable", 502, "upstream_unreachable"),
    one("names why the upstream could not be reached", token(_code("unreachable")), {
      status: 502,
      error: "upstream_unreachable",
      upstreamHits: 0,
      check: (answer) => {
        expect(answer.body?.error_description).toMatch(
          new RegExp(
            `^The token endpoint http://127\\.0\\.0\\.1:\\d+/token could not be reached \\(.+\\)\\. ${UNKNOWN_OUTCOME}$`,
          ),
        );
      },
    }),
    unknownOutcome(
      "stops reading a body over 256 KiB and answers 502",
      "huge",
      502,
      "upstream_response_too_large",
    ),
    one(
      "says how long it waited on a timeout",
      token(_code("hang")),
      {
        status: 504,
        error: "upstream_timeout",
        upstreamHits: 1,
        check: (answer, seen) => {
          expect(answer.body?.error_description).toBe(
            `The token endpoint ${seen.upstreamOrigin}/hang did not answer within 300 ms. ${UNKNOWN_OUTCOME}`,
          );
        },
      },
      "timeouts",
    ),
  ],

  "paths, methods and content types": [
    ...["/relay/", "/relay/nope", "/relay/token/", "/relay/TOKEN", "/relay/token.json"].map((path) =>
      refused(`answers 404 for ${path}`, { path }, 404, "not_found", {
        check: (answer) => expect(answer.body?.error_description).toMatch(NOT_FOUND),
      }),
    ),
    ...(
      [
        ["GET", "/relay/token", "POST, OPTIONS"],
        ["GET", "/relay/revoke", "POST, OPTIONS"],
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
  ],

  bodies: [
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
  ],

  "clients, grants and credentials": [
    refused("refuses an unknown client", token(_refresh("nope")), 400, "unknown_client"),
    ...[
      "client_credentials",
      "password",
      "implicit",
      "urn:ietf:params:oauth:grant-type:device_code",
      "urn:ietf:params:oauth:grant-type:token-exchange",
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ].map((grant) =>
      refused(
        `refuses grant_type ${grant}, which would mint tokens with the relay's secret`,
        token({ client: "ok", grant_type: grant }),
        400,
        "unsupported_grant_type",
      ),
    ),
    ...["client_id", "client_secret", "client_assertion", "client_assertion_type"].map((field) =>
      refused(
        `refuses a caller's ${field}`,
        token(_refresh("ok", { [field]: field === "client_secret" ? _DEMO.client_secret : "x" })),
        400,
        "credentials_not_allowed",
      ),
    ),
    ...[
      ["Basic", _DEMO_BASIC],
      ["Bearer", "Bearer at-123"],
    ].map(([kind, value]) =>
      refused(
        `refuses a caller's Authorization header (${kind})`,
        token(_refresh("ok"), { headers: { authorization: value ?? "" } }),
        400,
        "credentials_not_allowed",
      ),
    ),
  ],

  "redirect URIs, byte for byte": [
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
  ],

  origins: [
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
  ],

  "clients and health": [
    one(
      "lists the clients' public facts, never a secret",
      { path: "/relay/clients" },
      {
        status: 200,
        upstreamHits: 0,
        log: /^GET \/relay\/clients 200 ms=\d+$/,
        check: (answer) => {
          const clients = answer.body?.clients as { id: string; token_endpoint_auth_method: string }[];
          expect(clients.map((c) => c.id)).toEqual([
            "ok",
            "special",
            "post",
            "json",
            ...BEHAVIOURS,
            "unreachable",
          ]);
          expect(answer.text).not.toContain('client_secret"');
        },
      },
    ),
    one(
      "answers HEAD with headers and no body",
      { method: "HEAD", path: "/relay/clients" },
      {
        status: 200,
        upstreamHits: 0,
        check: (answer) => expect(answer.text).toBe(""),
      },
    ),
    one(
      "answers the health check",
      { path: "/relay/health" },
      {
        status: 200,
        upstreamHits: 0,
        check: (answer) => expect(answer.body).toEqual({ ok: true }),
      },
    ),
  ],

  "rate limits, per address and per client": [
    {
      name: "answers 429 with Retry-After once an address has used its allowance, and calls nobody",
      relay: "limits",
      steps: [
        ...[1, 2, 3].map(() => ({
          request: token(_refresh("ok"), { ip: "127.0.1.1" }),
          status: 200,
          upstreamHits: 1,
        })),
        {
          request: token(_refresh("ok"), { ip: "127.0.1.1" }),
          status: 429,
          error: "rate_limited",
          upstreamHits: 0,
          log: /^POST \/relay\/token 429 error=rate_limited ms=\d+$/,
          check: (answer) => {
            const seconds = Number(answer.headers["retry-after"]);
            expect(
              Number.isInteger(seconds) && seconds >= 1 && seconds <= 1200,
              answer.headers["retry-after"],
            ).toBe(true);
            expect(answer.body?.error_description).toBe(
              `Too many token requests for this address; nothing was sent to the provider. Try again in ${seconds} s.`,
            );
          },
        },
        { request: token(_refresh("ok"), { ip: "127.0.1.2" }), status: 200, upstreamHits: 1 },
      ],
    },
    {
      name: "answers 429 per client from any address, and other clients still answer",
      relay: "limits",
      steps: [
        ...[1, 2, 3, 4, 5].map((n) => ({
          request: token(_refresh("ok-2"), { ip: `127.0.2.${n}` }),
          status: 200,
          upstreamHits: 1,
        })),
        {
          request: token(_refresh("ok-2"), { ip: "127.0.2.6" }),
          status: 429,
          error: "rate_limited",
          upstreamHits: 0,
          log: /^POST \/relay\/token 429 error=rate_limited client=ok-2 grant=refresh_token ms=\d+$/,
          check: (answer) => {
            expect(answer.headers["retry-after"]).toMatch(/^\d+$/);
            expect(answer.body?.error_description).toMatch(/^Too many token requests for client "ok-2"; /);
          },
        },
        { request: token(_refresh("ok-3"), { ip: "127.0.2.6" }), status: 200, upstreamHits: 1 },
      ],
    },
    {
      name: "counts refused requests against the address, so probing costs the prober",
      relay: "limits",
      steps: [
        ...[1, 2, 3].map(() => ({
          request: token(_refresh("nope"), { ip: "127.0.3.1" }),
          status: 400,
          error: "unknown_client",
          upstreamHits: 0,
        })),
        {
          request: token(_refresh("ok-3"), { ip: "127.0.3.1" }),
          status: 429,
          error: "rate_limited",
          upstreamHits: 0,
        },
      ],
    },
    {
      name: "counts revocations against the same allowances as token requests",
      relay: "limits",
      steps: [
        ...[1, 2].map(() => ({
          request: revoke("ok-3", {}, { ip: "127.0.5.1" }),
          status: 200,
          upstreamHits: 1,
        })),
        { request: token(_refresh("ok-3"), { ip: "127.0.5.1" }), status: 200, upstreamHits: 1 },
        {
          request: revoke("ok", {}, { ip: "127.0.5.1" }),
          status: 429,
          error: "rate_limited",
          upstreamHits: 0,
          log: /^POST \/relay\/revoke 429 error=rate_limited ms=\d+$/,
        },
      ],
    },
    {
      name: "lets a page on an allowed origin read Retry-After",
      relay: "limits",
      steps: [
        ...[1, 2, 3].map(() => ({
          request: token(_refresh("nope"), { ip: "127.0.4.1", headers: { origin: _ALLOWED_ORIGIN } }),
          status: 400,
          error: "unknown_client",
          upstreamHits: 0,
        })),
        {
          request: token(_refresh("nope"), { ip: "127.0.4.1", headers: { origin: _ALLOWED_ORIGIN } }),
          status: 429,
          error: "rate_limited",
          upstreamHits: 0,
          check: (answer) => {
            expect(answer.headers["access-control-allow-origin"]).toBe(_ALLOWED_ORIGIN);
            expect(answer.headers["access-control-expose-headers"]).toBe("Retry-After");
          },
        },
      ],
    },
  ],
};

// ---------------------------------------------------------------------------------------------------
// The runner.

/** A case request as method, headers and body bytes; `{self}` in Origin becomes `selfOrigin`. */
export function _encodeRequest(
  request: _CaseRequest,
  selfOrigin: string,
): { method: string; headers: Record<string, string>; body: Uint8Array | undefined } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    headers[name.toLowerCase()] = value === "{self}" ? selfOrigin : value;
  }
  let body: Uint8Array | undefined;
  if (request.body !== undefined) {
    body =
      request.body instanceof Uint8Array
        ? request.body
        : new TextEncoder().encode(
            typeof request.body === "string" ? request.body : JSON.stringify(request.body),
          );
    headers["content-type"] ??= "application/json";
  }
  return { method: request.method ?? (body === undefined ? "GET" : "POST"), headers, body };
}

/** A body as a stream of 4 KiB chunks, which HTTP sends without a Content-Length. */
export function _chunks(body: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= body.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(body.slice(offset, offset + 4096));
      offset += 4096;
    },
  });
}

/** Reads an answer's status, headers and body. */
export async function _answerOf(response: Response): Promise<_Answer> {
  const text = await response.text();
  let body: Record<string, unknown> | null = null;
  try {
    body = text === "" ? null : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = null;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), text, body };
}

/** Waits until `lines` has `count` entries: a runtime may print a log line just after it answers. */
async function _logLinesReach(lines: readonly string[], count: number): Promise<void> {
  for (let waited = 0; lines.length < count && waited < 5_000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Defines the whole table as Vitest suites against the runtime `start` gives. */
export function _defineRelayCases(runtimeName: string, start: _StartRuntime): void {
  let upstream: _Upstream;
  let elsewhere: _Upstream;
  let runtime: _RelayRuntime;

  beforeAll(async () => {
    elsewhere = await _startUpstream((_req, res) => res.end("you should never see this"));
    upstream = await _startUpstream(_answerAs(elsewhere.origin));
    runtime = await start(_caseEnvs(upstream.origin, await _closedPort()));
  }, 30_000);

  afterAll(async () => {
    await runtime?.close();
    await upstream?.close();
    await elsewhere?.close();
  });

  afterEach(() => {
    for (const line of runtime.otherOutput) _observe(line);
    _assertNoSecretLeaked();
  });

  describe(`the relay in ${runtimeName}`, () => {
    for (const [topic, cases] of Object.entries(_RELAY_CASES)) {
      describe(topic, () => {
        for (const relayCase of cases) {
          it(relayCase.name, async () => {
            const relay = relayCase.relay ?? "main";
            for (const [index, step] of relayCase.steps.entries()) {
              const label = `step ${index + 1}`;
              const hitsBefore = upstream.requests.length;
              const strayBefore = elsewhere.requests.length;
              const logsBefore = runtime.logLines.length;
              const answer = await runtime.send(relay, step.request);
              _observe(
                `${Object.entries(answer.headers)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join("\n")}\n\n${answer.text}`,
              );

              expect(answer.status, `${label}: ${answer.text.slice(0, 300)}`).toBe(step.status);
              expect(upstream.requests.length - hitsBefore, `${label}: requests the upstream received`).toBe(
                step.upstreamHits,
              );
              expect(
                elsewhere.requests.length - strayBefore,
                `${label}: requests a redirect target received`,
              ).toBe(0);
              _expectBaseHeaders({ ...answer.headers });
              if (step.error !== undefined) {
                expect(answer.body, label).toMatchObject({
                  error: step.error,
                  error_description: expect.any(String),
                });
              }
              await _logLinesReach(runtime.logLines, logsBefore + 1);
              const lines = runtime.logLines.slice(logsBefore);
              expect(lines, `${label}: one log line per request`).toHaveLength(1);
              if (step.log !== undefined) expect(lines[0], label).toMatch(step.log);
              expect(lines[0], `${label}: no code or token in the log`).not.toMatch(/CASE|Basic|redacted/);
              for (const line of lines) _observe(line);
              step.check?.(answer, {
                received: upstream.requests.slice(hitsBefore),
                upstreamOrigin: upstream.origin,
                selfOrigin: runtime.selfOrigin(relay),
              });
            }
          });
        }
      });
    }
  });
}
