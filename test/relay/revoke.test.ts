/**
 * `POST /relay/revoke` (RFC 7009) at the handler level: where the request goes, how it authenticates,
 * what the envelope and log say, and what is refused before anything is sent. The same behaviours
 * over real sockets, in Node and workerd, are in _cases.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { recipes } from "../../src/providers/index.ts";
import { checkRevocationRequest } from "../../src/relay/presented-token.ts";
import {
  _ACME_SANDBOX,
  _assertNoSecretLeaked,
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

const REFRESH = "rt-Revoke-9f3a_~+/=";

function _revoke(body: unknown, init: { headers?: Record<string, string> } = {}): Request {
  return _tokenRequest(body, { url: `${_RELAY_ORIGIN}/relay/revoke`, ...init });
}

/** An RFC 7009 §2.2 answer: 200, nothing in the body. */
const _revoked = () => new Response(null, { status: 200 });

describe("POST /relay/revoke", () => {
  it("sends one form POST to the configured revocation endpoint with Basic authentication, and answers the envelope", async () => {
    const relay = _relay({ fetch: _recordingFetch(_revoked) });
    const answer = await _read(
      await relay.handle(_revoke({ client: "demo", token: REFRESH, token_type_hint: "refresh_token" })),
    );
    expect(relay.fetch.calls).toEqual([
      {
        url: "http://127.0.0.1:4000/token/revocation",
        method: "POST",
        headers: {
          accept: "application/json",
          authorization: _DEMO_BASIC,
          "content-type": "application/x-www-form-urlencoded",
          "user-agent": "tokendesk-relay/0.1",
        },
        body: "token=rt-Revoke-9f3a_%7E%2B%2F%3D&token_type_hint=refresh_token",
        redirect: "manual",
        hasSignal: true,
      },
    ]);
    expect(answer.status).toBe(200);
    _expectBaseHeaders(answer.headers);
    expect(answer.body).toEqual({
      sent: {
        method: "POST",
        url: "http://127.0.0.1:4000/token/revocation",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "user-agent": "tokendesk-relay/0.1",
          authorization: "Basic [redacted]",
        },
        body: "token=rt-Revoke-9f3a_%7E%2B%2F%3D&token_type_hint=refresh_token",
      },
      upstream: { status: 200, headers: {}, body: "" },
      ms: expect.any(Number),
    });
  });

  it("takes a recipe client's revocation endpoint from its environment, with the recipe's extra headers", async () => {
    const relay = _relay({ fetch: _recordingFetch(_revoked) });
    await relay.handle(_revoke({ client: _ACME_SANDBOX.id, token: REFRESH }));
    expect(relay.fetch.calls.map((c) => [c.url, c.headers["x-ratelimit-test"], c.body])).toEqual([
      ["https://api.sandbox.acme.example.test/v2/revoke", "true", "token=rt-Revoke-9f3a_%7E%2B%2F%3D"],
    ]);
  });

  it("sends a built-in recipe's revocation to that provider's documented endpoint only", async () => {
    const relay = _relay({
      clients: [
        {
          id: "xero",
          provider: "xero",
          client_id: "xero-id",
          client_secret: "xero-secret-5",
          redirect_uris: ["http://127.0.0.1:5173/callback/"],
        },
      ],
      recipes,
      fetch: _recordingFetch(_revoked),
    });
    const answer = await relay.handle(_revoke({ client: "xero", token: REFRESH }));
    expect(answer.status).toBe(200);
    expect(relay.fetch.calls.map((c) => c.url)).toEqual(["https://identity.xero.com/connect/revocation"]);
  });

  it("logs the route, client and hint, never the token", async () => {
    const relay = _relay({ fetch: _recordingFetch(_revoked) });
    await relay.handle(_revoke({ client: "demo", token: REFRESH, token_type_hint: "access_token" }));
    await relay.handle(_revoke({ client: "demo", token: REFRESH }));
    expect(relay.logs).toEqual([
      expect.stringMatching(/^POST \/relay\/revoke 200 client=demo hint=access_token upstream=200 ms=\d+$/),
      expect.stringMatching(/^POST \/relay\/revoke 200 client=demo hint=none upstream=200 ms=\d+$/),
    ]);
    expect(relay.logs.join("\n")).not.toContain("Revoke-9f3a");
  });

  it("passes the provider's unsupported_token_type through verbatim", async () => {
    const relay = _relay({
      fetch: _recordingFetch(() => _jsonResponse(400, { error: "unsupported_token_type" })),
    });
    const answer = await _read(await relay.handle(_revoke({ client: "demo", token: REFRESH })));
    expect(answer.status).toBe(200);
    expect(_envelope(answer.body).upstream).toMatchObject({
      status: 400,
      body: '{"error":"unsupported_token_type"}',
    });
  });

  it("answers 502 with an unknown outcome when fetch rejects, having tried once", async () => {
    const relay = _relay({
      fetch: _recordingFetch(() => {
        throw new TypeError(`connection reset after ${_DEMO_BASIC}`);
      }),
    });
    const answer = await _read(await relay.handle(_revoke({ client: "demo", token: REFRESH })));
    expect(relay.fetch.calls).toHaveLength(1);
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({
      error: "upstream_unreachable",
      error_description:
        "The revocation endpoint http://127.0.0.1:4000/token/revocation could not be reached (connection reset after Basic [redacted]). The provider may or may not have revoked the token: revoke it again, which is safe, because a provider answers 200 for a token already revoked (RFC 7009 §2.2).",
      outcome: "unknown",
      sent: expect.objectContaining({ url: "http://127.0.0.1:4000/token/revocation" }),
    });
  });

  it.each([
    [
      "a custom client without a revocation endpoint",
      { client: "special", token: REFRESH },
      "revocation_unsupported",
    ],
    ["an unknown client", { client: "nope", token: REFRESH }, "unknown_client"],
    ["no token", { client: "demo" }, "invalid_request"],
    ["a token over 8192 characters", { client: "demo", token: "x".repeat(8193) }, "invalid_request"],
    ["a grant_type", { client: "demo", token: REFRESH, grant_type: "refresh_token" }, "invalid_request"],
    [
      "a caller's client_secret",
      { client: "demo", token: REFRESH, client_secret: "x" },
      "credentials_not_allowed",
    ],
  ])("refuses %s without calling upstream", async (_name, body, error) => {
    const relay = _relay();
    const answer = await _read(await relay.handle(_revoke(body)));
    expect(answer.status).toBe(400);
    expect(answer.body?.error).toBe(error);
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("names the client it cannot revoke for, and how to give it an endpoint", async () => {
    const relay = _relay();
    const answer = await _read(await relay.handle(_revoke({ client: "special", token: REFRESH })));
    expect(answer.body?.error_description).toBe(
      'Client "special" has no revocation endpoint: its provider has none tokendesk knows, and the relay sends a revocation nowhere else. For a custom provider, add "revocation_endpoint" to the client in TOKENDESK_CLIENTS.',
    );
  });
});

describe("checkRevocationRequest", () => {
  const clients = new Map([
    ["demo", { id: "demo", revocationEndpoint: "https://as.example.test/revoke" }],
    ["bare", { id: "bare", revocationEndpoint: null }],
  ]);

  it("returns the token and the hint, and nothing else", () => {
    expect(
      checkRevocationRequest({ client: "demo", token: "a b", token_type_hint: "access_token" }, clients),
    ).toEqual({
      ok: true,
      client: clients.get("demo"),
      endpoint: "https://as.example.test/revoke",
      presented: { token: "a b", token_type_hint: "access_token" },
    });
  });

  it("refuses smuggled credentials before anything else, even for a client that cannot revoke", () => {
    expect(
      checkRevocationRequest({ client: "bare", token: "t", client_assertion: "x" }, clients),
    ).toMatchObject({
      ok: false,
      error: "credentials_not_allowed",
    });
  });

  it("refuses a JSON __proto__ key as an unknown field rather than following it", () => {
    const body: unknown = JSON.parse('{"client":"demo","token":"t","__proto__":{"token_type_hint":"x"}}');
    expect(checkRevocationRequest(body, clients)).toMatchObject({
      ok: false,
      error: "invalid_request",
      description: expect.stringContaining('Unknown field "__proto__"'),
    });
  });
});
