import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RelayClientConfig } from "../../src/relay/config.ts";
import { createRelay } from "../../src/relay/handler.ts";
import {
  _assertNoSecretLeaked,
  _closedPort,
  _codeBody,
  _DEMO,
  _envelope,
  _expectBaseHeaders,
  _observe,
  _read,
  _startUpstream,
  _tokenRequest,
  type _Upstream,
} from "./_helpers.ts";

// These cases need a real socket: redirects, hangs and resets behave differently through a fake fetch.
afterEach(_assertNoSecretLeaked);

let upstream: _Upstream;
let elsewhere: _Upstream;

beforeAll(async () => {
  elsewhere = await _startUpstream((_req, res) => res.end("you should never see this"));
  upstream = await _startUpstream((req, res) => {
    switch (req.url) {
      case "/token":
        res.writeHead(200, {
          "content-type": "application/json",
          "set-cookie": "s=1",
          connection: "keep-alive",
        });
        res.end('{"access_token":"at-real","token_type":"Bearer","expires_in":120}');
        return;
      case "/redirect-302":
        res.writeHead(302, { location: `${elsewhere.origin}/steal` });
        res.end();
        return;
      case "/redirect-307":
        res.writeHead(307, { location: `${elsewhere.origin}/steal` });
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
      case "/rate-limited":
        res.writeHead(429, { "content-type": "text/plain", "retry-after": "60" });
        res.end("You must not exceed 15 requests per 60 seconds");
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
});

afterAll(async () => {
  await upstream.close();
  await elsewhere.close();
});

function _relayTo(path: string, options: { timeoutMs?: number; tokenEndpoint?: string } = {}) {
  const client: RelayClientConfig = {
    ..._DEMO,
    token_endpoint: options.tokenEndpoint ?? `${upstream.origin}${path}`,
  };
  const before = upstream.hits(path);
  const logs: string[] = [];
  const handler = createRelay({
    clients: [client],
    allowedOrigins: [],
    timeoutMs: options.timeoutMs ?? 2_000,
    log: (line) => {
      logs.push(line);
      _observe(line);
    },
  });
  return {
    logs,
    hits: () => upstream.hits(path) - before,
    exchange: async () => {
      const response = await handler(_tokenRequest(_codeBody()));
      _observe(`${[...response.headers].join("\n")}\n${await response.clone().text()}`);
      return _read(response);
    },
  };
}

describe("through a real upstream on 127.0.0.1", () => {
  it("sends one request with the relay's headers and body and reports the answer", async () => {
    const relay = _relayTo("/token");
    const answer = await relay.exchange();
    expect(relay.hits()).toBe(1);
    expect(answer.status).toBe(200);
    const received = upstream.requests.at(-1);
    expect(received?.headers).toMatchObject({
      authorization: `Basic ${btoa(`${_DEMO.client_id}:${_DEMO.client_secret}`)}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      "user-agent": "tokendesk-relay/0.1",
    });
    expect(received?.headers.origin).toBeUndefined();
    expect(received?.headers.cookie).toBeUndefined();
    expect(received?.body).toBe(_envelope(answer.body).sent.body);
    expect(answer.body?.upstream).toEqual({
      status: 200,
      headers: expect.objectContaining({ "content-type": "application/json" }),
      body: '{"access_token":"at-real","token_type":"Bearer","expires_in":120}',
    });
    const headers = _envelope(answer.body).upstream.headers;
    expect(headers["set-cookie"]).toBeUndefined();
    expect(headers.connection).toBeUndefined();
    expect(headers["keep-alive"]).toBeUndefined();
  });

  it.each(["/redirect-302", "/redirect-307"])(
    "reports %s as the upstream answer and never calls its Location",
    async (path) => {
      const stolenBefore = elsewhere.requests.length;
      const relay = _relayTo(path);
      const answer = await relay.exchange();
      expect(relay.hits()).toBe(1);
      expect(elsewhere.requests.length - stolenBefore).toBe(0);
      expect(answer.status).toBe(200);
      expect(answer.body?.upstream).toMatchObject({
        status: Number(path.slice(-3)),
        headers: { location: `${elsewhere.origin}/steal` },
        body: "",
      });
    },
  );

  it("passes a real 429 with Retry-After through", async () => {
    const relay = _relayTo("/rate-limited");
    const answer = await relay.exchange();
    expect(relay.hits()).toBe(1);
    expect(answer.body?.upstream).toMatchObject({
      status: 429,
      headers: { "retry-after": "60", "content-type": "text/plain" },
      body: "You must not exceed 15 requests per 60 seconds",
    });
  });

  it("answers 504 upstream_timeout with outcome unknown when the upstream never answers", async () => {
    const relay = _relayTo("/hang", { timeoutMs: 150 });
    const started = Date.now();
    const answer = await relay.exchange();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(relay.hits()).toBe(1);
    expect(answer.status).toBe(504);
    _expectBaseHeaders(answer.headers);
    expect(answer.body).toEqual({
      error: "upstream_timeout",
      error_description: `The token endpoint ${upstream.origin}/hang did not answer within 150 ms. The provider may or may not have processed the request: do not send the same code again, and with rotating refresh tokens check the connection before refreshing again.`,
      outcome: "unknown",
      sent: expect.objectContaining({ url: `${upstream.origin}/hang` }),
    });
    expect(relay.logs).toEqual([
      expect.stringMatching(
        /^POST \/relay\/token 504 error=upstream_timeout client=demo grant=authorization_code ms=\d+$/,
      ),
    ]);
  });

  it("answers 504 when the upstream stops in the middle of its body", async () => {
    const relay = _relayTo("/hang-body", { timeoutMs: 150 });
    const answer = await relay.exchange();
    expect(relay.hits()).toBe(1);
    expect(answer.status).toBe(504);
    expect(answer.body).toMatchObject({ error: "upstream_timeout", outcome: "unknown" });
  });

  it("answers 502 upstream_unreachable on a connection reset, without retrying", async () => {
    const relay = _relayTo("/reset");
    const answer = await relay.exchange();
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({
      error: "upstream_unreachable",
      outcome: "unknown",
      sent: { method: "POST" },
    });
    expect(relay.hits()).toBe(1);
  });

  it("answers 502 upstream_unreachable on a reset in the middle of the body", async () => {
    const relay = _relayTo("/reset-body");
    const answer = await relay.exchange();
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ error: "upstream_unreachable", outcome: "unknown" });
    expect(relay.hits()).toBe(1);
  });

  it("answers 502 upstream_unreachable when nothing listens", async () => {
    const port = await _closedPort();
    const relay = _relayTo("/token", { tokenEndpoint: `http://127.0.0.1:${port}/token` });
    const answer = await relay.exchange();
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({
      error: "upstream_unreachable",
      error_description: expect.stringContaining("ECONNREFUSED"),
      outcome: "unknown",
    });
  });

  it("stops reading a streamed body over 256 KiB and answers 502 upstream_response_too_large", async () => {
    const relay = _relayTo("/huge");
    const answer = await relay.exchange();
    expect(relay.hits()).toBe(1);
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({
      error: "upstream_response_too_large",
      outcome: "unknown",
      sent: { url: `${upstream.origin}/huge` },
    });
  });
});
