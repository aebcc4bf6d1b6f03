/**
 * `POST /relay/probe` and `POST /relay/discovery`: the relay's read-only lookups. Each sends one GET
 * (discovery a second to a trailing-slash redirect's target: see the case table), only to a URL its
 * configuration (or the discovery rules) allows, and answers with the same envelope as the token route.
 */
import { afterEach, describe, expect, it } from "vitest";
import { recipes } from "../../src/providers/index.ts";
import type { RelayClientConfig } from "../../src/relay/config.ts";
import {
  _envelope,
  _expectBaseHeaders,
  _jsonResponse,
  _RELAY_ORIGIN,
  _read,
  _recordingFetch,
  _relay,
  _startUpstream,
  _tokenRequest,
  type _Upstream,
} from "./_helpers.ts";

const REDIRECT = "http://127.0.0.1:5173/callback/";
const TOKEN = "at-Zr8q1-VISIBLE.token_~+/=";

const CLIENTS: RelayClientConfig[] = [
  {
    id: "fa",
    provider: "freeagent",
    client_id: "fa-id",
    client_secret: "fa-secret-1",
    redirect_uris: [REDIRECT],
  },
  {
    id: "fa-sandbox",
    provider: "freeagent",
    environment: "sandbox",
    client_id: "fa-id",
    client_secret: "fa-secret-2",
    redirect_uris: [REDIRECT],
  },
  {
    id: "own",
    provider: "custom",
    client_id: "own-id",
    client_secret: "own-secret",
    redirect_uris: [REDIRECT],
    token_endpoint: "https://auth.example.test/token",
    identity_endpoint: "https://auth.example.test/userinfo",
    token_endpoint_auth_method: "client_secret_basic",
    body_encoding: "form",
  },
  {
    id: "bare",
    provider: "custom",
    client_id: "bare-id",
    client_secret: "bare-secret",
    redirect_uris: [REDIRECT],
    token_endpoint: "https://auth.example.test/token",
    token_endpoint_auth_method: "client_secret_basic",
    body_encoding: "form",
  },
];

function _lookupRelay(reply?: Parameters<typeof _recordingFetch>[0]) {
  return _relay({ clients: CLIENTS, recipes, fetch: _recordingFetch(reply) });
}

function _post(
  route: "probe" | "discovery",
  body: unknown,
  init: { headers?: Record<string, string>; url?: string } = {},
) {
  return _tokenRequest(body, { url: `${_RELAY_ORIGIN}/relay/${route}`, ...init });
}

describe("POST /relay/probe", () => {
  it("sends one GET to the recipe's identity endpoint with the token as a Bearer token, and shows it redacted", async () => {
    const relay = _lookupRelay(() => _jsonResponse(200, { user: { email: "ada@example.test" } }));
    const answer = await _read(await relay.handle(_post("probe", { client: "fa", access_token: TOKEN })));
    expect(answer.status).toBe(200);
    _expectBaseHeaders(answer.headers);
    expect(relay.fetch.calls).toHaveLength(1);
    const [call] = relay.fetch.calls;
    expect(call?.method).toBe("GET");
    expect(call?.url).toBe("https://api.freeagent.com/v2/users/me");
    expect(call?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call?.headers["user-agent"]).toBe("tokendesk-relay/0.1");
    expect(call?.headers.accept).toBe("application/json");
    expect(call?.body).toBe("");
    expect(call?.redirect).toBe("manual");
    const envelope = _envelope(answer.body);
    expect(envelope.sent).toEqual({
      method: "GET",
      url: "https://api.freeagent.com/v2/users/me",
      headers: {
        accept: "application/json",
        "user-agent": "tokendesk-relay/0.1",
        authorization: "Bearer [redacted]",
      },
      body: "",
    });
    expect(JSON.parse(envelope.upstream.body)).toEqual({ user: { email: "ada@example.test" } });
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
    expect(relay.logs.join("\n")).not.toContain(TOKEN);
    expect(relay.logs).toEqual([
      expect.stringMatching(/^POST \/relay\/probe 200 client=fa upstream=200 ms=\d+$/),
    ]);
  });

  it("uses the client's environment: the sandbox client probes the sandbox host", async () => {
    const relay = _lookupRelay(() => _jsonResponse(200, {}));
    await relay.handle(_post("probe", { client: "fa-sandbox", access_token: TOKEN }));
    expect(relay.fetch.calls.map((c) => c.url)).toEqual(["https://api.sandbox.freeagent.com/v2/users/me"]);
  });

  it("uses a custom client's configured identity endpoint, and nothing for a custom client without one", async () => {
    const relay = _lookupRelay(() => _jsonResponse(200, { sub: "1" }));
    expect((await relay.handle(_post("probe", { client: "own", access_token: TOKEN }))).status).toBe(200);
    expect(relay.fetch.calls.map((c) => c.url)).toEqual(["https://auth.example.test/userinfo"]);
    const refused = await _read(await relay.handle(_post("probe", { client: "bare", access_token: TOKEN })));
    expect(refused.status).toBe(400);
    expect(refused.body?.error).toBe("no_identity_endpoint");
    expect(refused.body?.error_description).toContain('add "identity_endpoint" to the client');
    expect(relay.fetch.calls).toHaveLength(1);
  });

  it.each([
    ["an unknown client", { client: "nope", access_token: TOKEN }, 400, "unknown_client"],
    ["no client", { access_token: TOKEN }, 400, "invalid_request"],
    [
      "a URL to call instead",
      { client: "fa", access_token: TOKEN, url: "https://evil.test/" },
      400,
      "invalid_request",
    ],
    ["a client secret", { client: "fa", access_token: TOKEN, client_secret: "x" }, 400, "invalid_request"],
    ["no token", { client: "fa" }, 400, "invalid_request"],
    ["an empty token", { client: "fa", access_token: "" }, 400, "invalid_request"],
    ["a token with a line break", { client: "fa", access_token: "a\r\nX-Evil: 1" }, 400, "invalid_request"],
    ["a token with a space", { client: "fa", access_token: "a b" }, 400, "invalid_request"],
    ["a token that is not a string", { client: "fa", access_token: 42 }, 400, "invalid_request"],
    ["an array", [TOKEN], 400, "invalid_request"],
  ])("refuses %s without calling upstream", async (_name, body, status, error) => {
    const relay = _lookupRelay();
    const answer = await _read(await relay.handle(_post("probe", body)));
    expect([answer.status, answer.body?.error]).toEqual([status, error]);
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("refuses a caller's Authorization header, other content types and other methods, without calling upstream", async () => {
    const relay = _lookupRelay();
    const withAuth = await relay.handle(
      _post(
        "probe",
        { client: "fa", access_token: TOKEN },
        { headers: { authorization: `Bearer ${TOKEN}` } },
      ),
    );
    expect((await _read(withAuth)).body?.error).toBe("credentials_not_allowed");
    const form = await relay.handle(
      _post("probe", `client=fa&access_token=${TOKEN}`, {
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    );
    expect(form.status).toBe(415);
    const get = await relay.handle(new Request(`${_RELAY_ORIGIN}/relay/probe?client=fa&access_token=x`));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST, OPTIONS");
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("reports a redirect from the identity endpoint without following it", async () => {
    const relay = _lookupRelay(
      () => new Response(null, { status: 302, headers: { location: "https://elsewhere.test/steal" } }),
    );
    const answer = await _read(await relay.handle(_post("probe", { client: "fa", access_token: TOKEN })));
    const envelope = _envelope(answer.body);
    expect(envelope.upstream.status).toBe(302);
    expect(envelope.upstream.headers.location).toBe("https://elsewhere.test/steal");
    expect(relay.fetch.calls.map((c) => c.url)).toEqual(["https://api.freeagent.com/v2/users/me"]);
  });

  it("answers 502 when the endpoint is unreachable, without claiming anything was spent", async () => {
    const relay = _lookupRelay(() => {
      throw new TypeError("fetch failed", { cause: new Error(`connect ECONNREFUSED with ${TOKEN}`) });
    });
    const answer = await _read(await relay.handle(_post("probe", { client: "fa", access_token: TOKEN })));
    expect(answer.status).toBe(502);
    expect(answer.body?.error).toBe("upstream_unreachable");
    expect(answer.body?.outcome).toBeUndefined();
    expect(answer.body?.error_description).toContain(
      "The identity endpoint https://api.freeagent.com/v2/users/me",
    );
    expect(JSON.stringify(answer.body)).not.toContain(TOKEN);
  });
});

describe("POST /relay/discovery", () => {
  let upstream: _Upstream | undefined;
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
  });

  it("fetches a loopback issuer's metadata when the runtime says the caller is on loopback, once, without credentials", async () => {
    upstream = await _startUpstream((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ issuer: "x" }));
    });
    // The real network, through the recorder: what the upstream sees is what the relay sent.
    const relay = _lookupRelay((r) =>
      fetch(r.url, { method: r.method, headers: r.headers, redirect: "manual" }),
    );
    const answer = await _read(
      await relay.handle(
        _post(
          "discovery",
          { issuer: upstream.origin, well_known: "openid-configuration" },
          { headers: { cookie: "s=1" } },
        ),
        { loopback: true },
      ),
    );
    expect(answer.status).toBe(200);
    const envelope = _envelope(answer.body);
    expect(envelope.sent.method).toBe("GET");
    expect(envelope.sent.url).toBe(`${upstream.origin}/.well-known/openid-configuration`);
    expect(envelope.upstream.body).toBe('{"issuer":"x"}');
    expect(upstream.hits("/.well-known/openid-configuration")).toBe(1);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]?.headers.authorization).toBeUndefined();
    expect(upstream.requests[0]?.headers.cookie).toBeUndefined();
  });

  it("takes no loopback from the request's URL: a Request to 127.0.0.1 without the runtime's word is refused", async () => {
    const relay = _lookupRelay(() => _jsonResponse(200, {}));
    // The request URL names 127.0.0.1 (the Node adapter builds it from the caller's Host header).
    const request = _post("discovery", {
      issuer: "http://127.0.0.1:9000",
      well_known: "openid-configuration",
    });
    expect(new URL(request.url).hostname).toBe("127.0.0.1");
    const answer = await _read(await relay.handle(request));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "issuer_not_allowed" });
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("puts the RFC 8414 well-known path before an issuer's path, and the OpenID one after it", async () => {
    const relay = _lookupRelay(() => _jsonResponse(200, {}));
    const issuer = "https://auth.example.test/tenant/a";
    await relay.handle(_post("discovery", { issuer, well_known: "oauth-authorization-server" }));
    await relay.handle(_post("discovery", { issuer, well_known: "openid-configuration" }));
    expect(relay.fetch.calls.map((c) => [c.method, c.url])).toEqual([
      ["GET", "https://auth.example.test/.well-known/oauth-authorization-server/tenant/a"],
      ["GET", "https://auth.example.test/tenant/a/.well-known/openid-configuration"],
    ]);
  });

  it.each([
    [
      "a loopback issuer on a relay that is not on loopback",
      "http://127.0.0.1:9000",
      "https://relay.example.test",
    ],
    [
      "an https loopback issuer on a relay that is not on loopback",
      "https://localhost",
      "https://relay.example.test",
    ],
    ["http to a public host", "http://auth.example.test", _RELAY_ORIGIN],
    [
      "localhost with a trailing dot on a relay that is not on loopback",
      "https://localhost.",
      "https://relay.example.test",
    ],
    [
      "a *.localhost name on a relay that is not on loopback",
      "https://api.localhost",
      "https://relay.example.test",
    ],
    ["loopback written as a number", "https://2130706433", "https://relay.example.test"],
    ["an IP address", "https://10.0.0.1", _RELAY_ORIGIN],
    ["an IPv6 address", "https://[fd00::1]", _RELAY_ORIGIN],
    ["a query", "https://auth.example.test/?x=1", _RELAY_ORIGIN],
    ["a fragment", "https://auth.example.test/#x", _RELAY_ORIGIN],
    ["a user name", "https://user@auth.example.test", _RELAY_ORIGIN],
    ["another scheme", "ftp://auth.example.test", _RELAY_ORIGIN],
    ["no URL at all", "auth.example.test", _RELAY_ORIGIN],
  ])("refuses %s without fetching anything", async (_name, issuer, relayOrigin) => {
    const relay = _lookupRelay();
    const answer = await _read(
      await relay.handle(
        _post(
          "discovery",
          { issuer, well_known: "openid-configuration" },
          { url: `${relayOrigin}/relay/discovery` },
        ),
      ),
    );
    expect(answer.status).toBe(400);
    expect(answer.body?.error).toBe("issuer_not_allowed");
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it.each([
    ["another document", { issuer: "https://auth.example.test", well_known: "security.txt" }],
    [
      "a path to append",
      { issuer: "https://auth.example.test", well_known: "openid-configuration/../admin" },
    ],
    [
      "an extra field",
      { issuer: "https://auth.example.test", well_known: "openid-configuration", path: "/x" },
    ],
    ["no issuer", { well_known: "openid-configuration" }],
  ])("refuses %s without fetching anything", async (_name, body) => {
    const relay = _lookupRelay();
    const answer = await _read(await relay.handle(_post("discovery", body)));
    expect([answer.status, answer.body?.error]).toEqual([400, "invalid_request"]);
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("reports a redirect to another origin without following it, and says why", async () => {
    const relay = _lookupRelay(
      () => new Response(null, { status: 301, headers: { location: "http://169.254.169.254/" } }),
    );
    const answer = await _read(
      await relay.handle(
        _post("discovery", { issuer: "https://auth.example.test", well_known: "openid-configuration" }),
      ),
    );
    expect(_envelope(answer.body).upstream.status).toBe(301);
    expect(_envelope(answer.body).redirect_refused).toBe(
      "The issuer redirects its metadata to http://169.254.169.254/, on another scheme (http, not https), another host (169.254.169.254, not auth.example.test); tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin.",
    );
    expect(relay.fetch.calls).toHaveLength(1);
  });
});
