/**
 * Shared fixtures for the relay suite: configured clients, a recording fetch, a relay wrapper that
 * keeps every answer and log line for the secrecy scan, and a real upstream server on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { recipes } from "../../src/providers/index.ts";
import type { Recipe } from "../../src/providers/types.ts";
import type { RelayClientConfig, RelayOptions } from "../../src/relay/config.ts";
import type { Envelope } from "../../src/relay/contract.ts";
import { createRelay, type RelayHandler } from "../../src/relay/handler.ts";

export const _RELAY_ORIGIN = "http://127.0.0.1:5173";
export const _ALLOWED_ORIGIN = "http://127.0.0.1:4173";
export const _REDIRECT_URI = "http://127.0.0.1:5173/callback/";

export const _DEMO: RelayClientConfig = {
  id: "demo",
  provider: "demo",
  client_id: "tokendesk-demo",
  client_secret: "demo-secret-Qx7vLmN2",
  redirect_uris: [_REDIRECT_URI, "http://127.0.0.1:5173/"],
  scope: "openid demo:read",
  issuer: "http://127.0.0.1:4000",
  authorization_endpoint: "http://127.0.0.1:4000/auth",
  token_endpoint: "http://127.0.0.1:4000/token",
  revocation_endpoint: "http://127.0.0.1:4000/token/revocation",
};

/** The demo client's HTTP Basic credentials as the relay must send them. */
export const _DEMO_BASIC = `Basic ${btoa(`${_DEMO.client_id}:${_DEMO.client_secret}`)}`;

/** Basic with characters RFC 6749 §2.3.1 requires to be form-urlencoded before base64. */
export const _SPECIAL: RelayClientConfig = {
  id: "special",
  provider: "custom",
  client_id: "demo app:1",
  client_secret: "p@ss:w/rd+&=",
  redirect_uris: [_REDIRECT_URI],
  token_endpoint: "https://auth.example.test/oauth/token?tenant=a",
  token_endpoint_auth_method: "client_secret_basic",
  body_encoding: "form",
};

export const _CUSTOM_POST: RelayClientConfig = {
  id: "custom-post",
  provider: "custom",
  client_id: "post-client",
  client_secret: "post-secret-Hj4&x=1 y",
  redirect_uris: ["https://app.example.test/callback"],
  token_endpoint: "https://auth.example.test/token",
  token_endpoint_auth_method: "client_secret_post",
  body_encoding: "form",
};

export const _CUSTOM_JSON: RelayClientConfig = {
  id: "custom-json",
  provider: "custom",
  client_id: "json-client",
  client_secret: 'json-secret-"Wq\\8',
  redirect_uris: ["https://app.example.test/callback"],
  token_endpoint: "https://api.example.test/auth/oauth/token",
  token_endpoint_auth_method: "client_secret_post",
  body_encoding: "json",
};

/** A recipe with environments, standing in for FreeAgent-like providers. */
export const _ACME: Recipe = {
  id: "acme",
  name: "Acme Books",
  environments: {
    production: {
      issuer: "https://acme.example.test",
      authorization_endpoint: "https://acme.example.test/approve_app",
      token_endpoint: "https://api.acme.example.test/v2/token_endpoint",
    },
    sandbox: {
      authorization_endpoint: "https://sandbox.acme.example.test/approve_app",
      token_endpoint: "https://api.sandbox.acme.example.test/v2/token_endpoint",
      revocation_endpoint: "https://api.sandbox.acme.example.test/v2/revoke",
    },
  },
  defaultEnvironment: "production",
  tokenEndpointAuthMethod: "client_secret_basic",
  bodyEncoding: "form",
  pkce: "unknown",
  authorizeParams: {},
  scope: { required: false, separator: " ", suggestions: [] },
  lifetimes: {
    code: { seconds: 900, confirmed: false },
    access: { seconds: 3600, confirmed: false },
    refresh: { seconds: null, confirmed: false },
  },
  refreshPolicy: "rotating",
  refreshRateLimit: { requests: 15, perSeconds: 60 },
  redirectRules: { httpsOnly: false, noQuery: false },
  refreshExpiresInFields: ["refresh_token_expires_in"],
  requestHeaders: { "X-RateLimit-Test": "true" },
};

export const _ACME_SANDBOX: RelayClientConfig = {
  id: "acme-sandbox",
  provider: "acme",
  environment: "sandbox",
  client_id: "acme-client",
  client_secret: "acme-secret-Tr0ub4dor",
  redirect_uris: [_REDIRECT_URI],
};

export const _CLIENTS: readonly RelayClientConfig[] = [
  _DEMO,
  _SPECIAL,
  _CUSTOM_POST,
  _CUSTOM_JSON,
  _ACME_SANDBOX,
];

/** Every secret of the suite in each form it could leak in: raw, form-encoded, JSON-escaped, Basic. */
export function _secretForms(clients: readonly RelayClientConfig[] = _CLIENTS): string[] {
  return clients.flatMap((client) => {
    const enc = (value: string) => new URLSearchParams([["", value]]).toString().slice(1);
    return [
      client.client_secret,
      enc(client.client_secret),
      JSON.stringify(client.client_secret).slice(1, -1),
      btoa(`${enc(client.client_id)}:${enc(client.client_secret)}`),
      btoa(`${client.client_id}:${client.client_secret}`),
    ];
  });
}

/** Everything the relay said during the current test: answers (headers and body) and log lines. */
const observed: string[] = [];

/** Records text the relay produced, for {@link _assertNoSecretLeaked}. */
export function _observe(text: string): void {
  observed.push(text);
}

/** Fails the test if any observed answer or log line holds a configured secret in any form. */
export function _assertNoSecretLeaked(): void {
  const seen = observed.splice(0);
  for (const secret of _secretForms()) {
    for (const text of seen) {
      expect(
        text.includes(secret),
        `secret form ${JSON.stringify(secret)} leaked in ${text.slice(0, 300)}`,
      ).toBe(false);
    }
  }
}

/** One upstream request as the recording fetch saw it. */
export interface _Recorded {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly redirect: RequestRedirect | undefined;
  readonly hasSignal: boolean;
}

/** A fetch that records each request and answers with `reply`. */
export type _RecordingFetch = typeof fetch & { readonly calls: _Recorded[] };

/** Builds a recording fetch; the default reply is a small successful token response. */
export function _recordingFetch(
  reply: (request: _Recorded) => Response | Promise<Response> = () =>
    _jsonResponse(200, { access_token: "at-1", token_type: "Bearer", expires_in: 3600 }),
): _RecordingFetch {
  const calls: _Recorded[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const recorded: _Recorded = {
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
      redirect: init?.redirect,
      hasSignal: init?.signal instanceof AbortSignal,
    };
    calls.push(recorded);
    return reply(recorded);
  };
  return Object.assign(fetchImpl, { calls });
}

/** A JSON upstream answer. */
export function _jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A relay under test, with its recording fetch and log lines. */
export interface _TestRelay {
  readonly handle: RelayHandler;
  readonly fetch: _RecordingFetch;
  readonly logs: string[];
}

/** Creates a relay over the suite's clients whose every answer and log line is kept for the secrecy scan. */
export function _relay(overrides: Partial<RelayOptions> & { fetch?: _RecordingFetch } = {}): _TestRelay {
  const logs: string[] = [];
  const fetch = overrides.fetch ?? _recordingFetch();
  const handler = createRelay({
    clients: _CLIENTS,
    allowedOrigins: [_ALLOWED_ORIGIN],
    recipes: { demo: _demoRecipe(), custom: _customRecipe(), acme: _ACME },
    log: (line) => {
      logs.push(line);
      _observe(line);
    },
    ...overrides,
    fetch,
  });
  return {
    fetch,
    logs,
    handle: async (request, context) => {
      const response = await handler(request, context);
      _observe(
        `${[...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${await response.clone().text()}`,
      );
      return response;
    },
  };
}

function _demoRecipe(): Recipe {
  const recipe = recipes.demo;
  if (recipe === undefined) throw new Error("the demo recipe is missing");
  return recipe;
}

function _customRecipe(): Recipe {
  const recipe = recipes.custom;
  if (recipe === undefined) throw new Error("the custom recipe is missing");
  return recipe;
}

/** A `POST /relay/token` request; `body` is JSON-encoded unless it is already a string or bytes. */
export function _tokenRequest(
  body: unknown,
  init: { headers?: Record<string, string>; url?: string } = {},
): Request {
  // Tests build their bytes with TextEncoder, whose arrays are backed by a plain ArrayBuffer.
  const payload =
    typeof body === "string"
      ? body
      : body instanceof Uint8Array
        ? (body as Uint8Array<ArrayBuffer>)
        : JSON.stringify(body);
  return new Request(init.url ?? `${_RELAY_ORIGIN}/relay/token`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: payload,
  });
}

/** A valid code exchange for the demo client. */
export function _codeBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client: "demo",
    grant_type: "authorization_code",
    code: "code-abc",
    redirect_uri: _REDIRECT_URI,
    code_verifier: "dBjftJeZ4CVP-mJ92K9uK7E8mGqfVw9nqYA3Ta2Z3Q4",
    ...extra,
  };
}

/** Reads an answer: status, headers as a plain object, and the body parsed as JSON (null when empty). */
export async function _read(response: Response): Promise<{
  status: number;
  headers: Record<string, string>;
  // The relay's JSON answers vary by route; tests assert their exact shape with toEqual.
  body: Record<string, unknown> | null;
}> {
  const text = await response.text();
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: text === "" ? null : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** The body of a `200` token answer, as the envelope it must be. */
export function _envelope(body: Record<string, unknown> | null): Envelope {
  expect(body).not.toBeNull();
  return body as unknown as Envelope;
}

/** The headers every relay answer carries. */
export function _expectBaseHeaders(headers: Record<string, string>): void {
  expect(headers["cache-control"]).toBe("no-store");
  expect(headers["content-type"]).toBe("application/json");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["access-control-allow-origin"]).not.toBe("*");
  expect(headers["access-control-allow-origin"]).not.toBe("null");
}

/** A real HTTP server on 127.0.0.1 that counts requests per path. */
export interface _Upstream {
  readonly origin: string;
  readonly hits: (path: string) => number;
  readonly requests: { path: string; headers: IncomingMessage["headers"]; body: string }[];
  close(): Promise<void>;
}

/** Starts a real upstream on 127.0.0.1; `handle` answers each request after its body is read. */
export async function _startUpstream(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<_Upstream> {
  const requests: _Upstream["requests"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ path: req.url ?? "", headers: req.headers, body });
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    hits: (path) => requests.filter((r) => r.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (it was free a moment ago). */
export async function _closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
