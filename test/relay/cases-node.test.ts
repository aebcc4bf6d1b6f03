/**
 * The relay's case table (_cases.ts) in Node: `npm run relay`'s server (startRelayServer), configured
 * from the environment by loadRelayOptions, over real sockets. A caller's address is a real source
 * address in 127.0.0.0/8.
 */
import { request as httpRequest } from "node:http";
import type { Socket } from "node:net";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadRelayOptions } from "../../src/relay/config.ts";
import { type RelayServer, startRelayServer } from "../../src/relay/node.ts";
import { reachedOnLoopback } from "../../src/relay/node-adapter.ts";
import {
  type _Answer,
  _answerOf,
  type _CaseRequest,
  _chunks,
  _defineRelayCases,
  _encodeRequest,
  type _RelayName,
  type _RelayRuntime,
} from "./_cases.ts";
import { _codeBody, _DEMO, _observe } from "./_helpers.ts";

/** Sends one request from `request.ip` (default 127.0.0.1) over a fresh connection. */
function _send(base: string, request: _CaseRequest): Promise<_Answer> {
  const url = new URL(base);
  const { method, headers, body } = _encodeRequest(request, url.origin);
  // Reached by a public name, as `npm run relay` on loopback behind a reverse proxy, which passes the
  // Host header on and says whom it forwards for.
  if (request.at === "public") {
    headers.host = "relay.example.test";
    headers["x-forwarded-for"] = "198.51.100.7";
  }
  if (body !== undefined && request.chunked !== true) headers["content-length"] = String(body.byteLength);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: request.path,
        headers,
        localAddress: request.ip ?? "127.0.0.1",
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const item of Array.isArray(value) ? value : [value ?? ""]) answerHeaders.append(name, item);
          }
          const bytes = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          resolve(
            _answerOf(
              new Response(bytes.byteLength === 0 ? null : bytes, { status, headers: answerHeaders }),
            ),
          );
        });
      },
    );
    req.on("error", reject);
    if (body === undefined) req.end();
    else if (request.chunked === true) Readable.fromWeb(_chunks(body) as never).pipe(req);
    else req.end(body);
  });
}

async function _startNode(
  envs: Readonly<Record<_RelayName, Record<string, string>>>,
): Promise<_RelayRuntime> {
  const logLines: string[] = [];
  const servers = new Map<_RelayName, RelayServer>();
  for (const [name, env] of Object.entries(envs) as [_RelayName, Record<string, string>][]) {
    const options = loadRelayOptions(env);
    servers.set(
      name,
      await startRelayServer({ ...options, log: (line) => logLines.push(line) }, { port: 0 }),
    );
  }
  const server = (name: _RelayName) => {
    const found = servers.get(name);
    if (found === undefined) throw new Error(`no relay ${name}`);
    return found;
  };
  return {
    logLines,
    otherOutput: [],
    selfOrigin: (name) => new URL(server(name).url).origin,
    send: (name, request) => _send(server(name).url, request),
    close: async () => {
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  };
}

_defineRelayCases("Node (npm run relay)", _startNode);

describe("the relay in Node: on loopback or not", () => {
  const _metadataRequest = (issuer: string) => ({
    path: "/relay/discovery",
    body: { issuer, well_known: "openid-configuration" },
  });

  it("decides from the connection's local address and a proxy's headers, never from Host", () => {
    const _req = (localAddress: string, headers: Record<string, string> = {}) => ({
      socket: { localAddress } as Socket,
      headers: { host: "127.0.0.1:8787", ...headers },
    });
    expect(reachedOnLoopback(_req("127.0.0.1"))).toBe(true);
    expect(reachedOnLoopback(_req("::1"))).toBe(true);
    expect(reachedOnLoopback(_req("::ffff:127.0.0.1"))).toBe(true);
    // `npm run relay` with HOST=0.0.0.0, reached from elsewhere: Host: 127.0.0.1 changes nothing.
    expect(reachedOnLoopback(_req("203.0.113.5"))).toBe(false);
    expect(reachedOnLoopback(_req("::ffff:203.0.113.5"))).toBe(false);
    // On loopback behind a reverse proxy on the same machine: the caller is whoever the proxy serves.
    for (const header of ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip"]) {
      expect(reachedOnLoopback(_req("127.0.0.1", { [header]: "for=198.51.100.7" })), header).toBe(false);
    }
  });

  it("refuses a loopback issuer to a caller a proxy forwards, though it sends Host: 127.0.0.1", async () => {
    const relay = await startRelayServer(loadRelayOptions({ TOKENDESK_CLIENTS: JSON.stringify([_DEMO]) }), {
      port: 0,
    });
    try {
      const answer = await _send(relay.url, {
        ..._metadataRequest("http://127.0.0.1:9/"),
        headers: { host: "127.0.0.1", "x-forwarded-for": "198.51.100.7" },
      });
      _observe(answer.text);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: "issuer_not_allowed" });
      // The same request from this machine, straight to the loopback socket: allowed (nothing listens
      // on port 9, so the relay reports the issuer unreachable, having tried).
      const local = await _send(relay.url, _metadataRequest("http://127.0.0.1:9/"));
      _observe(local.text);
      expect(local.status).toBe(502);
      expect(local.body).toMatchObject({ error: "upstream_unreachable" });
    } finally {
      await relay.close();
    }
  });
});

describe("the relay in Node: the caller's address", () => {
  it("comes from the socket: X-Forwarded-For and CF-Connecting-IP cannot reset a caller's allowance", async () => {
    const relay = await startRelayServer(
      {
        ...loadRelayOptions({
          TOKENDESK_CLIENTS: JSON.stringify([{ ..._DEMO, token_endpoint: "http://127.0.0.1:9/token" }]),
          TOKENDESK_RATE_LIMIT_PER_IP: "2/3600s",
        }),
      },
      { port: 0 },
    );
    try {
      const statuses: number[] = [];
      for (const n of [1, 2, 3]) {
        const answer = await _send(relay.url, {
          path: "/relay/token",
          body: _codeBody({ redirect_uri: "https://elsewhere.example.test/" }),
          ip: "127.0.9.1",
          headers: { "x-forwarded-for": `198.51.100.${n}`, "cf-connecting-ip": `198.51.100.${n}` },
        });
        _observe(answer.text);
        statuses.push(answer.status);
      }
      // Two refusals spend the allowance of 127.0.9.1; the third is limited whatever the headers say.
      expect(statuses).toEqual([400, 400, 429]);
      const other = await _send(relay.url, { path: "/relay/token", body: _codeBody(), ip: "127.0.9.2" });
      _observe(other.text);
      expect(other.status).not.toBe(429);
    } finally {
      await relay.close();
    }
  });
});
