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
import {
  _ALLOWED_ORIGIN,
  _assertNoSecretLeaked,
  _CUSTOM_JSON,
  _CUSTOM_POST,
  _closedPort,
  _DEMO,
  _expectBaseHeaders,
  _observe,
  _REDIRECT_URI,
  _SPECIAL,
  _startUpstream,
  type _Upstream,
} from "./_helpers.ts";
import { BEHAVIOURS } from "./cases/_build.ts";
import { _answerApi, CASES as api } from "./cases/api.ts";
import { CASES as bodies } from "./cases/bodies.ts";
import { CASES as clientsGrants } from "./cases/clients-grants.ts";
import { CASES as clientsHealth } from "./cases/clients-health.ts";
import { _answerDiscovery, CASES as discovery } from "./cases/discovery.ts";
import { CASES as forwarding } from "./cases/forwarding.ts";
import { CASES as introspection } from "./cases/introspection.ts";
import { _answerJwks, _jwksClients, CASES as jwksCases } from "./cases/jwks.ts";
import { CASES as origins } from "./cases/origins.ts";
import { CASES as pathsMethods } from "./cases/paths-methods.ts";
import { CASES as rateLimits } from "./cases/rate-limits.ts";
import { CASES as redirectUris } from "./cases/redirect-uris.ts";
import { CASES as revocation } from "./cases/revocation.ts";
import { CASES as upstreamAnswers } from "./cases/upstream-answers.ts";
import { CASES as upstreamFailures } from "./cases/upstream-failures.ts";

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
  /**
   * Where the caller reaches the relay: on a loopback address (as `npm run relay` listens) or by a
   * public host name (as a deployed relay). Default: the runtime's own, loopback in Node and a
   * `*.workers.test` name in workerd. Discovery fetches loopback issuers only from a relay on loopback.
   */
  readonly at?: "loopback" | "public";
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

function _answerAs(elsewhere: string) {
  return (req: IncomingMessage, res: ServerResponse, body: string): void => {
    if (_answerJwks(req, res, elsewhere)) return;
    if (_answerApi(req, res, body, elsewhere)) return;
    switch (req.url) {
      case "/revoke":
        // RFC 7009 §2.2: 200 with an empty body, for a revoked token and an unknown one alike.
        res.writeHead(200, { "set-cookie": "upstream-session=1; HttpOnly" });
        res.end();
        return;
      case "/introspect":
        // RFC 7662 §2.2: a JSON object whose "active" says whether the token is live, and its facts.
        res.writeHead(200, {
          "content-type": "application/json",
          "set-cookie": "upstream-session=1; HttpOnly",
        });
        res.end(
          '{"active":true,"scope":"openid demo:read","client_id":"tokendesk-demo","sub":"dana","exp":4102444800,"iat":1700000000,"token_type":"Bearer"}',
        );
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
        if (_answerDiscovery(req, res, elsewhere)) return;
        res.writeHead(404);
        res.end();
    }
  };
}

/**
 * A demo-like client (Basic, form) whose token endpoint is `endpoint`; its revocation and introspection
 * endpoints are the same URL unless named, so each behaviour of the upstream answers them too.
 */
function _clientAt(
  id: string,
  endpoint: string,
  revocation = endpoint,
  introspection = endpoint,
): RelayClientConfig {
  return {
    ..._DEMO,
    id,
    token_endpoint: endpoint,
    revocation_endpoint: revocation,
    introspection_endpoint: introspection,
  };
}

/** The environments of the three configurations, as an operator would write them. */
export function _caseEnvs(upstream: string, closedPort: number): Record<_RelayName, Record<string, string>> {
  const token = `${upstream}/token`;
  const revoke = `${upstream}/revoke`;
  const introspect = `${upstream}/introspect`;
  const main: RelayClientConfig[] = [
    _clientAt("ok", token, revoke, introspect),
    // A custom client without revocation or introspection endpoints: the relay sends neither for it.
    { ..._SPECIAL, token_endpoint: token },
    {
      ..._CUSTOM_POST,
      id: "post",
      redirect_uris: [_REDIRECT_URI],
      token_endpoint: token,
      revocation_endpoint: revoke,
      introspection_endpoint: introspect,
    },
    {
      ..._CUSTOM_JSON,
      id: "json",
      redirect_uris: [_REDIRECT_URI],
      token_endpoint: token,
      revocation_endpoint: revoke,
      introspection_endpoint: introspect,
    },
    ...BEHAVIOURS.map((behaviour) => _clientAt(behaviour, `${upstream}/${behaviour}`)),
    _clientAt("unreachable", `http://127.0.0.1:${closedPort}/token`),
    ..._jwksClients(upstream, closedPort),
    // An API under /api/ beside the token endpoint, which no API call may reach.
    { ..._clientAt("api", token), api_base_urls: [`${upstream}/api/`] },
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
        _clientAt("ok", token, revoke, introspect),
        _clientAt("ok-2", token, revoke, introspect),
        _clientAt("ok-3", token, revoke, introspect),
        _clientAt("ok-4", token, revoke, introspect),
        { ..._clientAt("api-limits", token), api_base_urls: [`${upstream}/api/`] },
        { ..._clientAt("api-limits-2", token), api_base_urls: [`${upstream}/api/`] },
      ]),
      TOKENDESK_ALLOWED_ORIGINS: _ALLOWED_ORIGIN,
      // Refills take 20 and 12 minutes: no step of the suite ever sees one.
      TOKENDESK_RATE_LIMIT_PER_IP: "3/3600s",
      TOKENDESK_RATE_LIMIT_PER_CLIENT: "5/3600s",
    },
  };
}

/** Every case, by topic: one file per topic in cases/. */
export const _RELAY_CASES: Readonly<Record<string, readonly _Case[]>> = {
  "forwarding a code or a refresh": forwarding,
  "revocation (RFC 7009)": revocation,
  "introspection (RFC 7662): a read, authenticated as the client": introspection,
  "JWKS for ID tokens (POST /relay/jwks)": jwksCases,
  "upstream answers, reported verbatim and never followed": upstreamAnswers,
  "upstream failures: one attempt, outcome unknown": upstreamFailures,
  "paths, methods and content types": pathsMethods,
  bodies: bodies,
  "clients, grants and credentials": clientsGrants,
  "redirect URIs, byte for byte": redirectUris,
  origins: origins,
  "clients and health": clientsHealth,
  "rate limits, per address and per client": rateLimits,
  "discovery and the one redirect it follows": discovery,
  "API calls (POST /relay/api): only under the client's API base URLs": api,
};

// ---------------------------------------------------------------------------------------------------
// The runner.

/**
 * `request` with `{upstream}` in its JSON body replaced by the recording upstream's origin, and
 * `{elsewhere}` by the origin that must never be reached.
 */
function _withUpstream(request: _CaseRequest, upstreamOrigin: string, elsewhereOrigin: string): _CaseRequest {
  if (request.body === undefined || typeof request.body === "string" || request.body instanceof Uint8Array) {
    return request;
  }
  const json = JSON.stringify(request.body);
  if (!json.includes("{upstream}") && !json.includes("{elsewhere}")) return request;
  const filled = json.split("{upstream}").join(upstreamOrigin).split("{elsewhere}").join(elsewhereOrigin);
  return { ...request, body: JSON.parse(filled) };
}

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
              const answer = await runtime.send(
                relay,
                _withUpstream(step.request, upstream.origin, elsewhere.origin),
              );
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
