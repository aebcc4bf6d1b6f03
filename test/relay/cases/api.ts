/**
 * Relay cases: `POST /relay/api` (v1.5), one API call with the caller's access token under the
 * client's API base URLs. The recording upstream serves an API under `/api/` (an echo, a redirect to
 * the host that must never be reached, bodies around the 1 MiB cut, a reset) and a token endpoint at
 * `/token` beside it that no API call may reach. Every step checks that the token is in no answer but
 * as `[redacted]`; the runner checks that no log line holds it or a query value (both carry `CASE`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { expect } from "vitest";
import type { _Answer, _Case, _CaseRequest, _RelayName, _Step } from "../_cases.ts";
import { _envelope } from "../_helpers.ts";

/** The caller's token: `/`, `+` and `=` so its percent-encoded and JSON forms differ from it. */
export const API_TOKEN = "at-CASE-api/7Hq+x=";
const FORMS = [API_TOKEN, encodeURIComponent(API_TOKEN), JSON.stringify(API_TOKEN).slice(1, -1)];
const MiB = 1024 * 1024;

/** The upstream's API under `/api/`; false for any other path. */
export function _answerApi(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  elsewhere: string,
): boolean {
  const path = req.url ?? "";
  if (!path.startsWith("/api/")) return false;
  const route = path.slice("/api/".length).split("?")[0];
  switch (route) {
    case "echo":
      res.writeHead(200, {
        "content-type": "application/json",
        "set-cookie": "api-session=1; HttpOnly",
        "x-echoed-token": req.headers.authorization ?? "",
      });
      res.end(JSON.stringify({ method: req.method, url: path, headers: req.headers, body }));
      return true;
    case "redirect":
      res.writeHead(302, { location: `${elsewhere}/steal` });
      res.end();
      return true;
    case "exactly-1-mib":
    case "over-1-mib": {
      res.writeHead(200, { "content-type": "text/plain" });
      const total = route === "over-1-mib" ? MiB + 200_000 : MiB;
      const chunk = "y".repeat(64 * 1024);
      for (let sent = 0; sent < total; sent += chunk.length) res.write(chunk.slice(0, total - sent));
      res.end();
      return true;
    }
    case "reset":
      req.socket.destroy();
      return true;
    default:
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":"not_found"}');
      return true;
  }
}

/** A `POST /relay/api` for client `api` (its base: `{upstream}/api/`), a GET of the echo unless told. */
export function apiCall(
  fields: Record<string, unknown> = {},
  extra: Partial<_CaseRequest> = {},
): _CaseRequest {
  return {
    path: "/relay/api",
    body: { client: "api", access_token: API_TOKEN, method: "GET", url: "{upstream}/api/echo", ...fields },
    ...extra,
  };
}

/** No form of the token anywhere in an answer: headers or body. */
function _noToken(text: string): void {
  for (const form of FORMS)
    expect(text.includes(form), `the token (${form}) in ${text.slice(0, 300)}`).toBe(false);
}

/** A one-step case whose answer, whatever else is checked, holds no form of the token. */
function call(name: string, request: _CaseRequest, step: Omit<_Step, "request">, relay?: _RelayName): _Case {
  return {
    name,
    ...(relay === undefined ? {} : { relay }),
    steps: [
      {
        request,
        ...step,
        check: (answer, seen) => {
          _noToken(`${JSON.stringify(answer.headers)}\n${answer.text}`);
          step.check?.(answer, seen);
        },
      },
    ],
  };
}

/** A refusal: `status` with `error`, the log line naming it, and no upstream request. */
function refusedCall(
  name: string,
  request: _CaseRequest,
  status: number,
  error: string,
  log?: RegExp,
): _Case {
  return call(name, request, { status, error, upstreamHits: 0, ...(log === undefined ? {} : { log }) });
}

const URL_REFUSALS: readonly (readonly [string, string])[] = [
  ["another origin (a live server that must receive nothing)", "{elsewhere}/api/echo"],
  ["another port on the same host", "http://127.0.0.1:1/api/echo"],
  ["a path outside the base: the token endpoint beside the API", "{upstream}/token"],
  ["a prefix that is not a segment of the base", "{upstream}/api-admin/echo"],
  ["dot segments climbing out of the base", "{upstream}/api/../token"],
  ["encoded dot segments climbing out", "{upstream}/api/%2e%2e/token"],
  ["mixed-case encoded dots climbing out", "{upstream}/api/%2E%2e/token"],
  ["an encoded slash", "{upstream}/api/..%2ftoken"],
  ["double-encoded dots", "{upstream}/api/%252e%252e/token"],
  ["a dot-dot path parameter", "{upstream}/api/..;/token"],
  ["a double slash after the base", "{upstream}/api//echo"],
  ["the base's host as userinfo", "{upstream}@evil.example.test/api/echo"],
  ["a backslash ending the authority", "{upstream}\\@evil.example.test/api/echo"],
  ["a backslash in the path", "{upstream}/api\\..\\token"],
  ["a fragment", "{upstream}/api/echo#x"],
  ["a CR LF in the URL", "{upstream}/api/echo\r\nX-Injected: 1"],
  ["a file: URL", "file:///etc/passwd"],
  ["a javascript: URL", "javascript:alert(1)"],
  ["an ftp: URL", "ftp://127.0.0.1/api/echo"],
  ["a relative URL", "/api/echo"],
  ["the token in the query", `{upstream}/api/echo?access_token=${encodeURIComponent(API_TOKEN)}`],
];

export const CASES: readonly _Case[] = [
  call(
    "sends one GET under the base with the token as a Bearer token, shown only as [redacted]",
    apiCall({ url: "{upstream}/api/echo?page=2&q=QV-CASE-1" }),
    {
      status: 200,
      upstreamHits: 1,
      log: /^POST \/relay\/api 200 client=api api=GET upstream=200 ms=\d+$/,
      check: (answer, seen) => {
        const received = seen.received[0];
        expect(received?.path).toBe("/api/echo?page=2&q=QV-CASE-1");
        expect(received?.headers).toMatchObject({
          authorization: `Bearer ${API_TOKEN}`,
          accept: "application/json",
          "user-agent": "tokendesk-relay/0.1",
        });
        for (const name of ["cookie", "origin", "content-type", "x-forwarded-for"]) {
          expect(received?.headers[name], name).toBeUndefined();
        }
        const envelope = _envelope(answer.body);
        expect(envelope.sent).toEqual({
          method: "GET",
          url: `${seen.upstreamOrigin}/api/echo?page=2&q=QV-CASE-1`,
          headers: {
            accept: "application/json",
            "user-agent": "tokendesk-relay/0.1",
            authorization: "Bearer [redacted]",
          },
          body: "",
        });
        expect(envelope.upstream.status).toBe(200);
        // The echo repeats the token in its body and a header: the relay's answer says [redacted] there too.
        expect(JSON.parse(envelope.upstream.body)).toMatchObject({
          method: "GET",
          headers: { authorization: "Bearer [redacted]" },
        });
        expect(envelope.upstream.headers["x-echoed-token"]).toBe("Bearer [redacted]");
        expect(envelope.upstream.headers["set-cookie"]).toBeUndefined();
        expect(answer.headers["set-cookie"]).toBeUndefined();
        expect(answer.headers["x-echoed-token"]).toBeUndefined();
        expect(envelope.truncated).toBeUndefined();
      },
    },
  ),
  call(
    "sends a POST with the allowed headers and the JSON body exactly as given",
    apiCall({
      method: "POST",
      headers: {
        Accept: "application/vnd.example+json",
        "Content-Type": "application/json",
        "If-Match": '"v1"',
      },
      body: '{"text":"a note","n":1}',
    }),
    {
      status: 200,
      upstreamHits: 1,
      log: /^POST \/relay\/api 200 client=api api=POST upstream=200 ms=\d+$/,
      check: (answer, seen) => {
        const received = seen.received[0];
        expect(received?.body).toBe('{"text":"a note","n":1}');
        expect(received?.headers).toMatchObject({
          accept: "application/vnd.example+json",
          "content-type": "application/json",
          "if-match": '"v1"',
          authorization: `Bearer ${API_TOKEN}`,
        });
        expect(_envelope(answer.body).sent).toMatchObject({
          method: "POST",
          body: '{"text":"a note","n":1}',
        });
      },
    },
  ),
  {
    name: "sends PUT, PATCH and DELETE, each once",
    steps: (["PUT", "PATCH", "DELETE"] as const).map((method) => ({
      request: apiCall({ method, headers: { "Content-Type": "text/plain" }, body: "x" }),
      status: 200,
      upstreamHits: 1,
      log: new RegExp(`^POST /relay/api 200 client=api api=${method} upstream=200 ms=\\d+$`),
      check: (answer: _Answer) => {
        expect(JSON.parse(_envelope(answer.body).upstream.body)).toMatchObject({ method, body: "x" });
        _noToken(answer.text);
      },
    })),
  },
  call("sends a HEAD and answers its empty body", apiCall({ method: "HEAD" }), {
    status: 200,
    upstreamHits: 1,
    check: (answer) => expect(_envelope(answer.body).upstream).toMatchObject({ status: 200, body: "" }),
  }),
  call(
    "sends a body of exactly 64 KiB",
    apiCall({ method: "POST", headers: { "Content-Type": "text/plain" }, body: "b".repeat(65_536) }),
    {
      status: 200,
      upstreamHits: 1,
      check: (_answer, seen) => expect(seen.received[0]?.body.length).toBe(65_536),
    },
  ),
  call(
    "reports a redirect as the answer and never calls its target",
    apiCall({ url: "{upstream}/api/redirect" }),
    {
      status: 200,
      upstreamHits: 1,
      check: (answer, seen) => {
        const envelope = _envelope(answer.body);
        expect(envelope.upstream.status).toBe(302);
        expect(envelope.upstream.headers.location).toMatch(/\/steal$/);
        expect(seen.received).toHaveLength(1);
      },
    },
  ),
  call(
    "cuts an answer over 1 MiB at 1 MiB and marks it truncated",
    apiCall({ url: "{upstream}/api/over-1-mib" }),
    {
      status: 200,
      upstreamHits: 1,
      check: (answer) => {
        const envelope = _envelope(answer.body);
        expect(envelope.truncated).toBe(true);
        expect(envelope.upstream.body.length).toBe(MiB);
      },
    },
  ),
  call("reads an answer of exactly 1 MiB whole", apiCall({ url: "{upstream}/api/exactly-1-mib" }), {
    status: 200,
    upstreamHits: 1,
    check: (answer) => {
      const envelope = _envelope(answer.body);
      expect(envelope.truncated).toBeUndefined();
      expect(envelope.upstream.body.length).toBe(MiB);
    },
  }),
  call("says a failed GET changed nothing", apiCall({ url: "{upstream}/api/reset" }), {
    status: 502,
    error: "upstream_unreachable",
    upstreamHits: 1,
    log: /^POST \/relay\/api 502 error=upstream_unreachable client=api api=GET ms=\d+$/,
    check: (answer) => {
      expect(answer.body?.outcome).toBeUndefined();
      expect(answer.body?.error_description).toMatch(
        /A GET changes nothing: send it again when the API answers\.$/,
      );
      expect(answer.body?.sent).toMatchObject({ headers: { authorization: "Bearer [redacted]" } });
    },
  }),
  call(
    "says a failed POST may or may not have been carried out",
    apiCall({
      method: "POST",
      url: "{upstream}/api/reset",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    }),
    {
      status: 502,
      error: "upstream_unreachable",
      upstreamHits: 1,
      check: (answer) => {
        expect(answer.body?.outcome).toBe("unknown");
        expect(answer.body?.error_description).toMatch(/may or may not have carried out the POST/);
      },
    },
  ),

  // Refusals: 4xx with an error code, and nothing sent anywhere.
  ...URL_REFUSALS.map(([name, url]) =>
    refusedCall(
      `refuses ${name}`,
      apiCall({ url }),
      400,
      "url_not_allowed",
      /^POST \/relay\/api 400 error=url_not_allowed client=api api=GET ms=\d+$/,
    ),
  ),
  refusedCall(
    "refuses a URL outside the base without logging it or its query",
    apiCall({ url: "{upstream}/token?secret=QV-CASE-2" }),
    400,
    "url_not_allowed",
  ),
  ...["TRACE", "OPTIONS", "CONNECT", "PROPFIND", "get", ""].map((method) =>
    refusedCall(
      `refuses the method ${JSON.stringify(method)}`,
      apiCall({ method }),
      400,
      "api_method_not_allowed",
      /^POST \/relay\/api 400 error=api_method_not_allowed client=api ms=\d+$/,
    ),
  ),
  ...["Authorization", "Cookie", "Proxy-Authorization"].map((name) =>
    refusedCall(
      `refuses the caller's ${name} header`,
      apiCall({ headers: { [name]: "Bearer someone-else" } }),
      400,
      "credentials_not_allowed",
    ),
  ),
  refusedCall(
    "refuses an Authorization header on the relay request itself",
    apiCall({}, { headers: { authorization: "Bearer someone-else" } }),
    400,
    "credentials_not_allowed",
  ),
  ...[
    "Host",
    "Connection",
    "Keep-Alive",
    "TE",
    "Trailer",
    "Upgrade",
    "Transfer-Encoding",
    "Proxy-Connection",
    "Proxy-Foo",
    "User-Agent",
    "X-Forwarded-For",
    "X-Api-Key",
  ].map((name) =>
    refusedCall(
      `refuses the ${name} header`,
      apiCall({ headers: { [name]: "x" } }),
      400,
      "header_not_allowed",
    ),
  ),
  refusedCall(
    "refuses a header value with a line break",
    apiCall({ headers: { Accept: "a\r\nX-Injected: 1" } }),
    400,
    "invalid_request",
  ),
  refusedCall(
    "refuses a body over 64 KiB with 413",
    apiCall({ method: "POST", headers: { "Content-Type": "text/plain" }, body: "b".repeat(65_537) }),
    413,
    "request_too_large",
  ),
  refusedCall(
    "refuses a relay request over its own bound with 413",
    apiCall({ method: "POST", headers: { "Content-Type": "text/plain" }, body: '"'.repeat(75_000) }),
    413,
    "request_too_large",
  ),
  refusedCall(
    "refuses a body on a GET",
    apiCall({ body: "{}", headers: { "Content-Type": "application/json" } }),
    400,
    "invalid_request",
  ),
  refusedCall(
    "refuses a body without a Content-Type",
    apiCall({ method: "POST", body: "{}" }),
    400,
    "invalid_request",
  ),
  refusedCall("refuses a client without API base URLs", apiCall({ client: "ok" }), 400, "api_unsupported"),
  refusedCall("refuses an unknown client", apiCall({ client: "nope" }), 400, "unknown_client"),
  refusedCall(
    "refuses a client secret in the body",
    apiCall({ client_secret: "x" }),
    400,
    "credentials_not_allowed",
  ),
  refusedCall("refuses an unknown field", apiCall({ follow_redirects: true }), 400, "invalid_request"),
  refusedCall(
    "refuses an access token with a line break",
    apiCall({ access_token: "at-1\r\nX: 1" }),
    400,
    "invalid_request",
  ),
  refusedCall("refuses a missing access token", apiCall({ access_token: undefined }), 400, "invalid_request"),

  // The same allowances as every route that reaches a provider.
  {
    name: "answers 429 once an address has used its allowance, and calls nobody",
    relay: "limits",
    steps: [
      ...[1, 2, 3].map(() => ({
        request: apiCall({ client: "api-limits" }, { ip: "127.0.7.1" }),
        status: 200,
        upstreamHits: 1,
      })),
      {
        request: apiCall({ client: "api-limits" }, { ip: "127.0.7.1" }),
        status: 429,
        error: "rate_limited",
        upstreamHits: 0,
        log: /^POST \/relay\/api 429 error=rate_limited ms=\d+$/,
      },
    ],
  },
  {
    name: "answers 429 per client from any address",
    relay: "limits",
    steps: [
      ...[1, 2, 3, 4, 5].map((n) => ({
        request: apiCall({ client: "api-limits-2" }, { ip: `127.0.8.${n}` }),
        status: 200,
        upstreamHits: 1,
      })),
      {
        request: apiCall({ client: "api-limits-2" }, { ip: "127.0.8.6" }),
        status: 429,
        error: "rate_limited",
        upstreamHits: 0,
        log: /^POST \/relay\/api 429 error=rate_limited client=api-limits-2 api=GET ms=\d+$/,
      },
    ],
  },
];
