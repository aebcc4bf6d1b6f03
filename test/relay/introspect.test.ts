/**
 * `POST /relay/introspect` (RFC 7662) at the handler level: where the request goes, how it
 * authenticates, what the envelope and log say, what a failure says (a read spends nothing), and what
 * is refused before anything is sent. The same behaviours over real sockets, in Node and workerd, are
 * in _cases.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { recipes } from "../../src/providers/index.ts";
import { checkIntrospectionRequest } from "../../src/relay/presented-token.ts";
import { createTokenBucketLimiter } from "../../src/relay/rate-limit.ts";
import {
  _ACME,
  _assertNoSecretLeaked,
  _DEMO,
  _DEMO_BASIC,
  _envelope,
  _expectBaseHeaders,
  _jsonResponse,
  _RELAY_ORIGIN,
  _read,
  _recordingFetch,
  _relay,
  _tokenRequest,
} from "./_helpers.ts";

afterEach(_assertNoSecretLeaked);

const ACCESS = "at-Intro-7c1e_~+/=";
const ENDPOINT = "http://127.0.0.1:4000/token/introspection";
/** The demo client with an introspection endpoint, as `npm start` configures it, and one without. */
const DEMO = { ..._DEMO, introspection_endpoint: ENDPOINT };
const BARE = { ..._DEMO, id: "bare" };

function _introspect(body: unknown, init: { headers?: Record<string, string> } = {}): Request {
  return _tokenRequest(body, { url: `${_RELAY_ORIGIN}/relay/introspect`, ...init });
}

/** An RFC 7662 §2.2 answer for a live token. */
const _active = () =>
  _jsonResponse(200, {
    active: true,
    scope: "openid demo:read",
    client_id: "tokendesk-demo",
    sub: "dana",
    exp: 4102444800,
    token_type: "Bearer",
  });

describe("POST /relay/introspect", () => {
  it("sends one form POST to the configured introspection endpoint with Basic authentication, and answers the envelope", async () => {
    const relay = _relay({ clients: [DEMO], fetch: _recordingFetch(_active) });
    const answer = await _read(
      await relay.handle(_introspect({ client: "demo", token: ACCESS, token_type_hint: "access_token" })),
    );
    expect(relay.fetch.calls).toEqual([
      {
        url: ENDPOINT,
        method: "POST",
        headers: {
          accept: "application/json",
          authorization: _DEMO_BASIC,
          "content-type": "application/x-www-form-urlencoded",
          "user-agent": "tokendesk-relay/0.1",
        },
        body: "token=at-Intro-7c1e_%7E%2B%2F%3D&token_type_hint=access_token",
        redirect: "manual",
        hasSignal: true,
      },
    ]);
    expect(answer.status).toBe(200);
    _expectBaseHeaders(answer.headers);
    expect(answer.body).toEqual({
      sent: {
        method: "POST",
        url: ENDPOINT,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "user-agent": "tokendesk-relay/0.1",
          authorization: "Basic [redacted]",
        },
        body: "token=at-Intro-7c1e_%7E%2B%2F%3D&token_type_hint=access_token",
      },
      upstream: {
        status: 200,
        headers: { "content-type": "application/json" },
        body: '{"active":true,"scope":"openid demo:read","client_id":"tokendesk-demo","sub":"dana","exp":4102444800,"token_type":"Bearer"}',
      },
      ms: expect.any(Number),
    });
  });

  it("takes a recipe client's introspection endpoint from its environment, with the recipe's extra headers", async () => {
    const acme = {
      ..._ACME,
      environments: {
        ..._ACME.environments,
        sandbox: {
          ..._ACME.environments?.sandbox,
          token_endpoint: "https://api.sandbox.acme.example.test/v2/token_endpoint",
          authorization_endpoint: "https://sandbox.acme.example.test/approve_app",
          introspection_endpoint: "https://api.sandbox.acme.example.test/v2/introspect",
        },
      },
    };
    const relay = _relay({
      clients: [
        {
          id: "acme-sandbox",
          provider: "acme",
          environment: "sandbox",
          client_id: "acme-client",
          client_secret: "acme-secret-Tr0ub4dor",
          redirect_uris: ["http://127.0.0.1:5173/callback/"],
        },
      ],
      recipes: { acme },
      fetch: _recordingFetch(_active),
    });
    await relay.handle(_introspect({ client: "acme-sandbox", token: ACCESS }));
    expect(relay.fetch.calls.map((c) => [c.url, c.headers["x-ratelimit-test"], c.body])).toEqual([
      ["https://api.sandbox.acme.example.test/v2/introspect", "true", "token=at-Intro-7c1e_%7E%2B%2F%3D"],
    ]);
  });

  it("gives no built-in recipe an introspection endpoint: none of those providers documents one", async () => {
    for (const [id, recipe] of Object.entries(recipes)) {
      for (const [environment, endpoints] of Object.entries(recipe.environments ?? {})) {
        expect(endpoints.introspection_endpoint, `${id} ${environment}`).toBeUndefined();
      }
    }
  });

  it("logs the route, client and hint, never the token", async () => {
    const relay = _relay({ clients: [DEMO], fetch: _recordingFetch(_active) });
    await relay.handle(_introspect({ client: "demo", token: ACCESS, token_type_hint: "refresh_token" }));
    await relay.handle(_introspect({ client: "demo", token: ACCESS }));
    expect(relay.logs).toEqual([
      expect.stringMatching(
        /^POST \/relay\/introspect 200 client=demo hint=refresh_token upstream=200 ms=\d+$/,
      ),
      expect.stringMatching(/^POST \/relay\/introspect 200 client=demo hint=none upstream=200 ms=\d+$/),
    ]);
    expect(relay.logs.join("\n")).not.toContain("Intro-7c1e");
  });

  it("passes the provider's invalid_client through verbatim", async () => {
    const relay = _relay({
      clients: [DEMO],
      fetch: _recordingFetch(() => _jsonResponse(401, { error: "invalid_client" })),
    });
    const answer = await _read(await relay.handle(_introspect({ client: "demo", token: ACCESS })));
    expect(answer.status).toBe(200);
    expect(_envelope(answer.body).upstream).toMatchObject({
      status: 401,
      body: '{"error":"invalid_client"}',
    });
  });

  it("answers 502 when fetch rejects, having tried once, and says nothing was spent rather than an unknown outcome", async () => {
    const relay = _relay({
      clients: [DEMO],
      fetch: _recordingFetch(() => {
        throw new TypeError(`connection reset after ${_DEMO_BASIC}`);
      }),
    });
    const answer = await _read(await relay.handle(_introspect({ client: "demo", token: ACCESS })));
    expect(relay.fetch.calls).toHaveLength(1);
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({
      error: "upstream_unreachable",
      error_description: `The introspection endpoint ${ENDPOINT} could not be reached (connection reset after Basic [redacted]). Introspection only reads: nothing was spent and the token is as it was. Introspect again when the endpoint answers.`,
      sent: expect.objectContaining({ url: ENDPOINT }),
    });
  });

  it("answers 429 once the client has used its allowance, naming client and hint, and calls nobody", async () => {
    const relay = _relay({
      clients: [DEMO],
      fetch: _recordingFetch(_active),
      rateLimit: { perClient: createTokenBucketLimiter({ requests: 1, seconds: 60, now: () => 0 }) },
    });
    const body = { client: "demo", token: ACCESS, token_type_hint: "access_token" };
    expect((await relay.handle(_introspect(body))).status).toBe(200);
    const answer = await _read(await relay.handle(_introspect(body)));
    expect(answer.status).toBe(429);
    expect(answer.headers["retry-after"]).toBe("60");
    expect(relay.fetch.calls).toHaveLength(1);
    expect(relay.logs[1]).toMatch(
      /^POST \/relay\/introspect 429 error=rate_limited client=demo hint=access_token ms=\d+$/,
    );
  });

  it.each([
    [
      "a client without an introspection endpoint",
      { client: "bare", token: ACCESS },
      "introspection_unsupported",
    ],
    ["an unknown client", { client: "nope", token: ACCESS }, "unknown_client"],
    ["no token", { client: "demo" }, "invalid_request"],
    ["a token over 8192 characters", { client: "demo", token: "x".repeat(8193) }, "invalid_request"],
    ["a grant_type", { client: "demo", token: ACCESS, grant_type: "refresh_token" }, "invalid_request"],
    ["a caller's client_id", { client: "demo", token: ACCESS, client_id: "x" }, "credentials_not_allowed"],
  ])("refuses %s without calling upstream", async (_name, body, error) => {
    const relay = _relay({ clients: [DEMO, BARE] });
    const answer = await _read(await relay.handle(_introspect(body)));
    expect(answer.status).toBe(400);
    expect(answer.body?.error).toBe(error);
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("names the client it cannot introspect for, and how to give it an endpoint", async () => {
    const relay = _relay({ clients: [DEMO, BARE] });
    const answer = await _read(await relay.handle(_introspect({ client: "bare", token: ACCESS })));
    expect(answer.body?.error_description).toBe(
      'Client "bare" has no introspection endpoint: its provider has none tokendesk knows, and the relay sends an introspection nowhere else. For a custom provider, add "introspection_endpoint" to the client in TOKENDESK_CLIENTS.',
    );
  });

  it("lists each client's introspection endpoint, null where there is none", async () => {
    const relay = _relay({ clients: [DEMO, BARE] });
    const answer = await _read(await relay.handle(new Request(`${_RELAY_ORIGIN}/relay/clients`)));
    const clients = answer.body?.clients as { id: string; introspection_endpoint: string | null }[];
    const listed = clients.map((c) => [c.id, c.introspection_endpoint]);
    expect(listed).toEqual([
      ["demo", ENDPOINT],
      ["bare", null],
    ]);
  });
});

describe("checkIntrospectionRequest", () => {
  const clients = new Map([
    ["demo", { id: "demo", introspectionEndpoint: "https://as.example.test/introspect" }],
    ["bare", { id: "bare", introspectionEndpoint: null }],
  ]);

  it("returns the token and the hint, and nothing else", () => {
    expect(
      checkIntrospectionRequest({ client: "demo", token: "a b", token_type_hint: "refresh_token" }, clients),
    ).toEqual({
      ok: true,
      client: clients.get("demo"),
      endpoint: "https://as.example.test/introspect",
      presented: { token: "a b", token_type_hint: "refresh_token" },
    });
  });

  it("refuses smuggled credentials before anything else, even for a client that cannot introspect", () => {
    expect(
      checkIntrospectionRequest({ client: "bare", token: "t", client_secret: "x" }, clients),
    ).toMatchObject({ ok: false, error: "credentials_not_allowed" });
  });

  it("refuses unknown fields before saying the client cannot introspect", () => {
    expect(checkIntrospectionRequest({ client: "bare", token: "t", scope: "x" }, clients)).toMatchObject({
      ok: false,
      error: "invalid_request",
      description:
        'Unknown field "scope" for an introspection; remove it (allowed fields: client, token, token_type_hint).',
    });
  });

  it("names RFC 7662 for a hint it does not relay", () => {
    expect(
      checkIntrospectionRequest({ client: "demo", token: "t", token_type_hint: "id_token" }, clients),
    ).toMatchObject({
      ok: false,
      error: "invalid_request",
      description:
        '"token_type_hint" must be "refresh_token" or "access_token" when present (RFC 7662 §2.1).',
    });
  });
});
