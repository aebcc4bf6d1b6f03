import { afterEach, describe, expect, it } from "vitest";
import {
  _ALLOWED_ORIGIN,
  _assertNoSecretLeaked,
  _CUSTOM_POST,
  _codeBody,
  _DEMO,
  _expectBaseHeaders,
  _REDIRECT_URI,
  _RELAY_ORIGIN,
  _read,
  _relay,
  _tokenRequest,
} from "./_helpers.ts";

afterEach(_assertNoSecretLeaked);

/** Sends `request` to a fresh relay, asserts it was refused without any upstream request, returns the answer. */
async function _refused(request: Request, status: number, error: string) {
  const relay = _relay();
  const answer = await _read(await relay.handle(request));
  expect(relay.fetch.calls).toHaveLength(0);
  expect(answer.status).toBe(status);
  _expectBaseHeaders(answer.headers);
  expect(answer.body).toEqual({ error, error_description: expect.any(String) });
  return { ...answer, description: String(answer.body?.error_description), logs: relay.logs };
}

const refresh = { client: "demo", grant_type: "refresh_token", refresh_token: "rt-secret-value" };

describe("paths and methods", () => {
  it.each([
    "/",
    "/relay",
    "/relay/",
    "/relay/nope",
    "/relay/token/",
    "/relay/TOKEN",
    "/token",
    "/relay/token.json",
  ])("answers 404 not_found for %s, naming the endpoints that exist", async (path) => {
    const { description } = await _refused(new Request(`${_RELAY_ORIGIN}${path}`), 404, "not_found");
    expect(description).toBe(
      "No such relay endpoint; use POST /relay/token, POST /relay/revoke, POST /relay/introspect, POST /relay/probe, POST /relay/discovery, POST /relay/jwks, POST /relay/api, GET /relay/clients or GET /relay/health.",
    );
  });

  it.each([
    ["GET", "/relay/token", "POST, OPTIONS"],
    ["PUT", "/relay/token", "POST, OPTIONS"],
    ["DELETE", "/relay/token", "POST, OPTIONS"],
    ["PATCH", "/relay/token", "POST, OPTIONS"],
    ["POST", "/relay/clients", "GET, HEAD, OPTIONS"],
    ["DELETE", "/relay/clients", "GET, HEAD, OPTIONS"],
    ["POST", "/relay/health", "GET, HEAD, OPTIONS"],
  ])("answers 405 with Allow for %s %s", async (method, path, allow) => {
    const answer = await _refused(
      new Request(`${_RELAY_ORIGIN}${path}`, { method }),
      405,
      "method_not_allowed",
    );
    expect(answer.headers.allow).toBe(allow);
    expect(answer.description).toMatch(
      new RegExp(`^${method} is not allowed on ${path}; use (POST|GET)\\.$`),
    );
  });

  it("finds the routes under any prefix ending in /relay/ (mounted deeper on a host)", async () => {
    const relay = _relay();
    const answer = await _read(await relay.handle(new Request(`${_RELAY_ORIGIN}/tools/relay/health`)));
    expect(answer).toMatchObject({ status: 200, body: { ok: true } });
  });
});

describe("content type", () => {
  it.each([
    ["text/plain", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
    ["multipart", "multipart/form-data; boundary=x"],
    ["a JSON-like type", "application/json-patch+json"],
    ["JSON in UTF-16", "application/json; charset=utf-16"],
  ])("refuses %s with 415", async (_name, type) => {
    await _refused(
      _tokenRequest(refresh, { headers: { "content-type": type } }),
      415,
      "unsupported_media_type",
    );
  });

  it("refuses a body without Content-Type with 415, saying which type to send", async () => {
    const request = new Request(`${_RELAY_ORIGIN}/relay/token`, {
      method: "POST",
      body: new TextEncoder().encode(JSON.stringify(refresh)),
    });
    expect(request.headers.get("content-type")).toBeNull();
    const { description } = await _refused(request, 415, "unsupported_media_type");
    expect(description).toBe(
      "The request has no Content-Type; send the body as JSON with Content-Type: application/json.",
    );
  });

  it.each(["application/json; charset=utf-8", "application/json;charset=UTF-8", "APPLICATION/JSON"])(
    "accepts %s",
    async (type) => {
      const relay = _relay();
      const response = await relay.handle(_tokenRequest(refresh, { headers: { "content-type": type } }));
      expect(response.status).toBe(200);
      expect(relay.fetch.calls).toHaveLength(1);
    },
  );
});

describe("body size and syntax", () => {
  it("refuses a declared Content-Length over the limit before reading the body", async () => {
    const request = _tokenRequest(refresh, { headers: { "content-length": "16385" } });
    const { description } = await _refused(request, 413, "request_too_large");
    expect(description).toBe(
      "The request body is larger than 16384 bytes; a token request is a small JSON object.",
    );
    expect(request.bodyUsed).toBe(false);
  });

  it("refuses an actual body over the limit even when Content-Length understates it", async () => {
    const big = JSON.stringify({ ...refresh, refresh_token: "x".repeat(17_000) });
    await _refused(_tokenRequest(big, { headers: { "content-length": "100" } }), 413, "request_too_large");
  });

  it("refuses a streamed body as soon as it passes the limit", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(4096).fill(32));
        if (pulled === 100) controller.close();
      },
    });
    // `duplex` is required for a streamed body but missing from the DOM typings.
    const init: RequestInit & { duplex: "half" } = {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    };
    await _refused(new Request(`${_RELAY_ORIGIN}/relay/token`, init), 413, "request_too_large");
    expect(pulled).toBeLessThan(10);
  });

  it("honours a smaller maxRequestBytes", async () => {
    const relay = _relay({ maxRequestBytes: 64 });
    const response = await relay.handle(_tokenRequest(_codeBody()));
    expect(response.status).toBe(413);
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("accepts a body of exactly maxRequestBytes", async () => {
    const body = JSON.stringify(refresh);
    const relay = _relay({ maxRequestBytes: new TextEncoder().encode(body).byteLength });
    expect((await relay.handle(_tokenRequest(body))).status).toBe(200);
  });

  it.each([
    ["malformed JSON", '{"client":"demo",'],
    ["an empty body", ""],
    ["trailing garbage", `${JSON.stringify(refresh)}x`],
    ["single-quoted JSON", "{'client':'demo'}"],
  ])("refuses %s with 400 invalid_request, without echoing the body", async (_name, body) => {
    const { description } = await _refused(_tokenRequest(body), 400, "invalid_request");
    expect(description).toBe(
      'The body is not valid UTF-8 JSON; send one JSON object such as {"client":"…","grant_type":"refresh_token","refresh_token":"…"}.',
    );
  });

  it("refuses bytes that are not UTF-8", async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"client":"'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('"}'),
    ]);
    await _refused(_tokenRequest(bytes), 400, "invalid_request");
  });

  it.each([
    ["an array", [refresh], "an array"],
    ["null", null, "null"],
    ["a string", "x", "a string"],
    ["a number", 42, "a number"],
  ])("refuses %s as the body", async (_name, body, what) => {
    const { description } = await _refused(_tokenRequest(JSON.stringify(body)), 400, "invalid_request");
    expect(description).toBe(
      `The body must be one JSON object such as {"client":"…","grant_type":"authorization_code",…}, not ${what}.`,
    );
  });
});

describe("clients and grants", () => {
  it("refuses an unknown client", async () => {
    const { description } = await _refused(
      _tokenRequest({ ...refresh, client: "nope" }),
      400,
      "unknown_client",
    );
    expect(description).toBe(
      'No client "nope" is configured in this relay; use one of the ids GET {base}/clients lists.',
    );
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["a number", 7],
    ["an object", { id: "demo" }],
  ])("refuses a client that is %s", async (_name, client) => {
    const { description } = await _refused(_tokenRequest({ ...refresh, client }), 400, "invalid_request");
    expect(description).toBe(
      '"client" must be a non-empty string naming one of the clients GET {base}/clients lists.',
    );
  });

  it("does not look up inherited properties as clients", async () => {
    await _refused(_tokenRequest({ ...refresh, client: "constructor" }), 400, "unknown_client");
  });

  it.each([
    "client_credentials",
    "password",
    "implicit",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "Authorization_Code",
    "refresh_token ",
  ])("refuses grant_type %j, which would mint tokens with the relay's secret", async (grant) => {
    const { description, logs } = await _refused(
      _tokenRequest({ client: "demo", grant_type: grant }),
      400,
      "unsupported_grant_type",
    );
    expect(description).toBe(
      `grant_type ${JSON.stringify(grant)} is not relayed: only "authorization_code" and "refresh_token" are, because any other grant would mint tokens with this relay's client secret for anyone who can reach it.`,
    );
    expect(logs).toHaveLength(1);
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["a number", 1],
    ["an array", ["refresh_token"]],
  ])("refuses a grant_type that is %s", async (_name, grant_type) => {
    await _refused(_tokenRequest({ client: "demo", grant_type }), 400, "invalid_request");
  });
});

describe("smuggled credentials", () => {
  it.each(["client_id", "client_secret", "client_assertion", "client_assertion_type"])(
    "refuses a %s field in the body",
    async (field) => {
      const body = { ...refresh, [field]: field === "client_secret" ? _DEMO.client_secret : "x" };
      const { description } = await _refused(_tokenRequest(body), 400, "credentials_not_allowed");
      expect(description).toBe(
        `Remove "${field}" from the body: the relay authenticates to the provider with the configured client's own credentials; name the client with "client".`,
      );
    },
  );

  it("names every smuggled field at once", async () => {
    const body = { ...refresh, client_id: _CUSTOM_POST.client_id, client_secret: "guess" };
    const { description } = await _refused(_tokenRequest(body), 400, "credentials_not_allowed");
    expect(description).toContain('Remove "client_id", "client_secret" from the body');
  });

  it.each([
    ["Basic", `Basic ${btoa(`${_DEMO.client_id}:${_DEMO.client_secret}`)}`],
    ["Bearer", "Bearer at-123"],
    ["empty", ""],
  ])("refuses an Authorization header (%s)", async (_name, value) => {
    const { description } = await _refused(
      _tokenRequest(refresh, { headers: { authorization: value } }),
      400,
      "credentials_not_allowed",
    );
    expect(description).toBe(
      "Remove the Authorization header: the relay authenticates to the provider with the configured client's own credentials.",
    );
  });
});

describe("fields", () => {
  it.each([
    ["an unknown field", _codeBody({ foo: 1 }), "foo", "authorization_code"],
    ["scope in a code exchange", _codeBody({ scope: "admin" }), "scope", "authorization_code"],
    [
      "a refresh token in a code exchange",
      _codeBody({ refresh_token: "rt" }),
      "refresh_token",
      "authorization_code",
    ],
    ["a code in a refresh", { ...refresh, code: "c" }, "code", "refresh_token"],
    [
      "a redirect URI in a refresh",
      { ...refresh, redirect_uri: _REDIRECT_URI },
      "redirect_uri",
      "refresh_token",
    ],
    [
      "an endpoint override",
      { ...refresh, token_endpoint: "https://evil.example.test/" },
      "token_endpoint",
      "refresh_token",
    ],
    ["a response_type", _codeBody({ response_type: "token" }), "response_type", "authorization_code"],
  ])("refuses %s, naming the field", async (_name, body, field, grant) => {
    const { description } = await _refused(_tokenRequest(body), 400, "invalid_request");
    expect(description).toMatch(
      new RegExp(`^Unknown field "${field}" for grant_type "${grant}"; remove it \\(allowed fields: `),
    );
  });

  it.each([
    [
      "a missing code",
      _codeBody({ code: undefined }),
      '"code" must be a non-empty string: the code from the authorization response.',
    ],
    [
      "an empty code",
      _codeBody({ code: "" }),
      '"code" must be a non-empty string: the code from the authorization response.',
    ],
    [
      "a numeric code",
      _codeBody({ code: 123 }),
      '"code" must be a non-empty string: the code from the authorization response.',
    ],
    [
      "a missing redirect_uri",
      _codeBody({ redirect_uri: undefined }),
      '"redirect_uri" must be a non-empty string: the redirect URI of the authorization request (RFC 6749 §4.1.3).',
    ],
    [
      "a non-string redirect_uri",
      _codeBody({ redirect_uri: [_REDIRECT_URI] }),
      '"redirect_uri" must be a non-empty string: the redirect URI of the authorization request (RFC 6749 §4.1.3).',
    ],
    [
      "a non-string code_verifier",
      _codeBody({ code_verifier: 5 }),
      '"code_verifier" must be a string when present (RFC 7636 §4.5).',
    ],
    [
      "a missing refresh_token",
      { ...refresh, refresh_token: undefined },
      '"refresh_token" must be a non-empty string: the refresh token to use.',
    ],
    [
      "a refresh_token of null",
      { ...refresh, refresh_token: null },
      '"refresh_token" must be a non-empty string: the refresh token to use.',
    ],
    [
      "a non-string scope",
      { ...refresh, scope: ["a"] },
      '"scope" must be a string when present (RFC 6749 §6).',
    ],
  ])("refuses %s", async (_name, body, message) => {
    const { description } = await _refused(_tokenRequest(body), 400, "invalid_request");
    expect(description).toBe(message);
  });
});

describe("redirect URIs", () => {
  it.each([
    ["without the trailing slash", "http://127.0.0.1:5173/callback"],
    ["with a doubled slash", "http://127.0.0.1:5173/callback//"],
    ["with another case in the path", "http://127.0.0.1:5173/Callback/"],
    ["with another case in the host", "http://LOCALHOST:5173/callback/"],
    ["with an extra query", "http://127.0.0.1:5173/callback/?next=/"],
    ["with https instead of http", "https://127.0.0.1:5173/callback/"],
    ["with a fragment", "http://127.0.0.1:5173/callback/#x"],
    ["with an empty fragment", "http://127.0.0.1:5173/callback/#"],
    ["with localhost instead of 127.0.0.1", "http://localhost:5173/callback/"],
    ["with an explicit default port", "http://127.0.0.1:80/callback/"],
    ["percent-encoded", "http://127.0.0.1:5173/%63allback/"],
    ["with surrounding space", ` ${_REDIRECT_URI}`],
    ["of another client", "https://app.example.test/callback"],
  ])("refuses a redirect URI %s", async (_name, redirectUri) => {
    const { description } = await _refused(
      _tokenRequest(_codeBody({ redirect_uri: redirectUri })),
      400,
      "invalid_redirect_uri",
    );
    expect(description).toBe(
      `redirect_uri ${JSON.stringify(redirectUri)} is not one of client "demo"'s redirect URIs; it must equal one of them byte for byte: ${JSON.stringify(_DEMO.redirect_uris)}.`,
    );
  });

  it("accepts each configured redirect URI", async () => {
    for (const redirectUri of _DEMO.redirect_uris) {
      const relay = _relay();
      expect((await relay.handle(_tokenRequest(_codeBody({ redirect_uri: redirectUri })))).status).toBe(200);
      expect(relay.fetch.calls).toHaveLength(1);
    }
  });
});

describe("origins", () => {
  it.each([
    ["another site", "https://evil.example.test"],
    ["an opaque origin", "null"],
    ["localhost for 127.0.0.1", "http://localhost:5173"],
    ["the allowed host on another port", "http://127.0.0.1:4174"],
    ["the allowed origin with a trailing slash", `${_ALLOWED_ORIGIN}/`],
    ["the allowed origin over https", "https://127.0.0.1:4173"],
  ])("refuses %s with 403 and no CORS headers, on every route", async (_name, origin) => {
    for (const [method, path] of [
      ["POST", "/relay/token"],
      ["GET", "/relay/clients"],
      ["GET", "/relay/health"],
      ["OPTIONS", "/relay/token"],
      ["GET", "/relay/nope"],
    ] as const) {
      const request =
        method === "POST"
          ? _tokenRequest(_codeBody(), { headers: { origin } })
          : new Request(`${_RELAY_ORIGIN}${path}`, { method, headers: { origin } });
      const answer = await _refused(request, 403, "origin_not_allowed");
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
      expect(answer.description).toBe(
        `Origin ${JSON.stringify(origin)} may not call this relay; the operator can add it to TOKENDESK_ALLOWED_ORIGINS (exact origins, comma separated).`,
      );
    }
  });

  it("answers an allowed origin's refusal with CORS headers so the page can read it", async () => {
    const answer = await _refused(
      _tokenRequest({ ...refresh, client: "nope" }, { headers: { origin: _ALLOWED_ORIGIN } }),
      400,
      "unknown_client",
    );
    expect(answer.headers["access-control-allow-origin"]).toBe(_ALLOWED_ORIGIN);
    expect(answer.headers.vary).toBe("Origin");
  });
});

describe("log lines for refusals", () => {
  it("name the route, status and error, and never the caller's code or free text", async () => {
    const relay = _relay();
    await relay.handle(_tokenRequest(_codeBody({ redirect_uri: "https://evil.example.test/cb" })));
    await relay.handle(_tokenRequest({ client: "demo", grant_type: "secret-looking-grant-value" }));
    await relay.handle(_tokenRequest({ ...refresh, client: "client-name-typed-by-someone" }));
    await relay.handle(new Request(`${_RELAY_ORIGIN}/relay/token?code=abc`, { method: "GET" }));
    expect(relay.logs).toEqual([
      expect.stringMatching(
        /^POST \/relay\/token 400 error=invalid_redirect_uri client=demo grant=authorization_code ms=\d+$/,
      ),
      expect.stringMatching(
        /^POST \/relay\/token 400 error=unsupported_grant_type client=demo grant=other ms=\d+$/,
      ),
      expect.stringMatching(/^POST \/relay\/token 400 error=unknown_client ms=\d+$/),
      expect.stringMatching(/^GET \/relay\/token 405 error=method_not_allowed ms=\d+$/),
    ]);
    expect(relay.fetch.calls).toHaveLength(0);
  });
});
