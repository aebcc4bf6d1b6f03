import { afterEach, describe, expect, it } from "vitest";
import {
  _ACME_SANDBOX,
  _ALLOWED_ORIGIN,
  _assertNoSecretLeaked,
  _CUSTOM_JSON,
  _CUSTOM_POST,
  _codeBody,
  _DEMO,
  _DEMO_BASIC,
  _envelope,
  _expectBaseHeaders,
  _jsonResponse,
  _observe,
  _REDIRECT_URI,
  _RELAY_ORIGIN,
  _read,
  _recordingFetch,
  _relay,
  _SPECIAL,
  _secretForms,
  _tokenRequest,
} from "./_helpers.ts";

afterEach(_assertNoSecretLeaked);

const VERIFIER = "dBjftJeZ4CVP-mJ92K9uK7E8mGqfVw9nqYA3Ta2Z3Q4";

describe("code exchange for the demo client (client_secret_basic, form)", () => {
  it("sends exactly one request built from the configuration and answers the exact envelope", async () => {
    const relay = _relay({
      fetch: _recordingFetch(() =>
        _jsonResponse(200, { access_token: "at-1", token_type: "Bearer" }, { "x-request-id": "r1" }),
      ),
    });
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));

    expect(relay.fetch.calls).toEqual([
      {
        url: "http://127.0.0.1:4000/token",
        method: "POST",
        headers: {
          accept: "application/json",
          authorization: _DEMO_BASIC,
          "content-type": "application/x-www-form-urlencoded",
          "user-agent": "tokendesk-relay/0.1",
        },
        body: `grant_type=authorization_code&code=code-abc&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fcallback%2F&code_verifier=${VERIFIER}`,
        redirect: "manual",
        hasSignal: true,
      },
    ]);
    expect(answer.status).toBe(200);
    _expectBaseHeaders(answer.headers);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    expect(answer.body).toEqual({
      sent: {
        method: "POST",
        url: "http://127.0.0.1:4000/token",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "user-agent": "tokendesk-relay/0.1",
          authorization: "Basic [redacted]",
        },
        body: `grant_type=authorization_code&code=code-abc&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fcallback%2F&code_verifier=${VERIFIER}`,
      },
      upstream: {
        status: 200,
        headers: { "content-type": "application/json", "x-request-id": "r1" },
        body: '{"access_token":"at-1","token_type":"Bearer"}',
      },
      ms: expect.any(Number),
    });
    expect(answer.body?.ms).toBeGreaterThanOrEqual(0);
  });

  it("leaves client_id out of the body with Basic authentication (RFC 6749 §2.3.1)", async () => {
    const relay = _relay();
    await relay.handle(_tokenRequest(_codeBody()));
    expect(new URLSearchParams(relay.fetch.calls[0]?.body).has("client_id")).toBe(false);
  });

  it("omits code_verifier when the caller sent none", async () => {
    const relay = _relay();
    await relay.handle(_tokenRequest(_codeBody({ code_verifier: undefined })));
    expect(relay.fetch.calls[0]?.body).toBe(
      "grant_type=authorization_code&code=code-abc&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fcallback%2F",
    );
  });

  it("form-encodes characters in the code instead of letting them add fields", async () => {
    const relay = _relay();
    await relay.handle(_tokenRequest(_codeBody({ code: "a&client_secret=x&b=c d" })));
    const sent = new URLSearchParams(relay.fetch.calls[0]?.body);
    expect(sent.get("code")).toBe("a&client_secret=x&b=c d");
    expect(sent.has("client_secret")).toBe(false);
  });
});

describe("refresh", () => {
  it("sends grant_type, refresh_token and scope when given", async () => {
    const relay = _relay();
    const answer = await _read(
      await relay.handle(
        _tokenRequest({
          client: "demo",
          grant_type: "refresh_token",
          refresh_token: "rt 1/+",
          scope: "openid demo:read",
        }),
      ),
    );
    expect(answer.status).toBe(200);
    expect(relay.fetch.calls[0]?.body).toBe(
      "grant_type=refresh_token&refresh_token=rt+1%2F%2B&scope=openid+demo%3Aread",
    );
  });

  it("sends no scope when the caller gave none (the configured default is not added)", async () => {
    const relay = _relay();
    await relay.handle(_tokenRequest({ client: "demo", grant_type: "refresh_token", refresh_token: "rt" }));
    expect(relay.fetch.calls[0]?.body).toBe("grant_type=refresh_token&refresh_token=rt");
  });
});

describe("client authentication and body encoding", () => {
  it("form-urlencodes a special id and secret before base64 (RFC 6749 §2.3.1)", async () => {
    const relay = _relay();
    const answer = await _read(
      await relay.handle(
        _tokenRequest({ client: "special", grant_type: "refresh_token", refresh_token: "rt" }),
      ),
    );
    const call = relay.fetch.calls[0];
    expect(call?.headers.authorization).toBe(`Basic ${btoa("demo+app%3A1:p%40ss%3Aw%2Frd%2B%26%3D")}`);
    expect(call?.url).toBe(_SPECIAL.token_endpoint);
    expect(answer.body?.sent).toMatchObject({
      url: "https://auth.example.test/oauth/token?tenant=a",
      headers: { authorization: "Basic [redacted]" },
    });
  });

  it("sends client_id and client_secret in a form body for client_secret_post, redacting only the secret", async () => {
    const relay = _relay();
    const answer = await _read(
      await relay.handle(
        _tokenRequest({
          client: "custom-post",
          grant_type: "authorization_code",
          code: "c1",
          redirect_uri: "https://app.example.test/callback",
        }),
      ),
    );
    const call = relay.fetch.calls[0];
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const prefix =
      "grant_type=authorization_code&code=c1&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcallback&client_id=post-client&client_secret=";
    expect(call?.body).toBe(`${prefix}post-secret-Hj4%26x%3D1+y`);
    expect(new URLSearchParams(call?.body).get("client_secret")).toBe(_CUSTOM_POST.client_secret);
    expect(answer.body?.sent).toEqual({
      method: "POST",
      url: "https://auth.example.test/token",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        "user-agent": "tokendesk-relay/0.1",
      },
      body: `${prefix}[redacted]`,
    });
  });

  it("sends a JSON body for a custom client with body_encoding json, redacting the secret in place", async () => {
    const relay = _relay();
    const answer = await _read(
      await relay.handle(
        _tokenRequest({
          client: "custom-json",
          grant_type: "refresh_token",
          refresh_token: "rt-9",
          scope: "a b",
        }),
      ),
    );
    const call = relay.fetch.calls[0];
    expect(call?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(call?.body ?? "")).toEqual({
      grant_type: "refresh_token",
      refresh_token: "rt-9",
      scope: "a b",
      client_id: "json-client",
      client_secret: _CUSTOM_JSON.client_secret,
    });
    const { sent } = _envelope(answer.body);
    expect(sent.body).toBe(
      '{"grant_type":"refresh_token","refresh_token":"rt-9","scope":"a b","client_id":"json-client","client_secret":"[redacted]"}',
    );
    expect(call?.body).toBe(sent.body.replace('"[redacted]"', JSON.stringify(_CUSTOM_JSON.client_secret)));
  });

  it("sends a JSON body with Basic authentication for such a custom client", async () => {
    const client = {
      ..._CUSTOM_JSON,
      id: "json-basic",
      token_endpoint_auth_method: "client_secret_basic" as const,
    };
    const relay = _relay({ clients: [client] });
    await relay.handle(
      _tokenRequest({ client: "json-basic", grant_type: "refresh_token", refresh_token: "rt" }),
    );
    const call = relay.fetch.calls[0];
    expect(call?.headers.authorization).toMatch(/^Basic /);
    expect(call?.body).toBe('{"grant_type":"refresh_token","refresh_token":"rt"}');
  });

  it("takes a recipe environment's endpoint and the recipe's extra headers", async () => {
    const relay = _relay();
    const answer = await _read(
      await relay.handle(
        _tokenRequest({ client: "acme-sandbox", grant_type: "refresh_token", refresh_token: "rt" }),
      ),
    );
    const call = relay.fetch.calls[0];
    expect(call?.url).toBe("https://api.sandbox.acme.example.test/v2/token_endpoint");
    expect(call?.headers["x-ratelimit-test"]).toBe("true");
    expect(call?.headers.authorization).toBe(
      `Basic ${btoa(`${_ACME_SANDBOX.client_id}:${_ACME_SANDBOX.client_secret}`)}`,
    );
    expect(_envelope(answer.body).sent.headers["x-ratelimit-test"]).toBe("true");
  });

  it("sends the configured User-Agent", async () => {
    const relay = _relay({ userAgent: "acme-integration/2.0 (ops@example.test)" });
    await relay.handle(_tokenRequest(_codeBody()));
    expect(relay.fetch.calls[0]?.headers["user-agent"]).toBe("acme-integration/2.0 (ops@example.test)");
  });
});

describe("upstream answers are reported verbatim", () => {
  async function _upstreamSays(response: () => Response) {
    const relay = _relay({ fetch: _recordingFetch(response) });
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));
    expect(relay.fetch.calls).toHaveLength(1);
    expect(answer.status).toBe(200);
    _expectBaseHeaders(answer.headers);
    return {
      upstream: _envelope(answer.body).upstream,
      logs: relay.logs,
    };
  }

  it("passes an OAuth error JSON 400 through", async () => {
    const body = '{"error":"invalid_grant","error_description":"The code was already used."}';
    const { upstream } = await _upstreamSays(
      () =>
        new Response(body, { status: 400, headers: { "Content-Type": "application/json;charset=UTF-8" } }),
    );
    expect(upstream).toEqual({
      status: 400,
      headers: { "content-type": "application/json;charset=UTF-8" },
      body,
    });
  });

  it("passes FreeAgent's HTML 401 with WWW-Authenticate through", async () => {
    const { upstream } = await _upstreamSays(
      () =>
        new Response("HTTP Basic: Access denied.\n", {
          status: 401,
          headers: {
            "Content-Type": "text/html; charset=utf-8",
            "WWW-Authenticate": 'Basic realm="Application"',
            "Set-Cookie": "_session=abc; HttpOnly",
          },
        }),
    );
    expect(upstream).toEqual({
      status: 401,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "www-authenticate": 'Basic realm="Application"',
      },
      body: "HTTP Basic: Access denied.\n",
    });
  });

  it("passes a non-JSON 200 through as text", async () => {
    const body = "access_token=gho_abc&scope=repo&token_type=bearer";
    const { upstream } = await _upstreamSays(
      () =>
        new Response(body, { status: 200, headers: { "content-type": "application/x-www-form-urlencoded" } }),
    );
    expect(upstream.body).toBe(body);
  });

  it("passes a 429 with Retry-After through", async () => {
    const { upstream, logs } = await _upstreamSays(
      () =>
        new Response("You must not exceed 15 requests per 60 seconds", {
          status: 429,
          headers: { "content-type": "text/plain", "retry-after": "60" },
        }),
    );
    expect(upstream).toEqual({
      status: 429,
      headers: { "content-type": "text/plain", "retry-after": "60" },
      body: "You must not exceed 15 requests per 60 seconds",
    });
    expect(logs).toEqual([
      expect.stringMatching(
        /^POST \/relay\/token 200 client=demo grant=authorization_code upstream=429 ms=\d+$/,
      ),
    ]);
  });

  it("passes a 503 HTML page through", async () => {
    const html = "<html><body><h1>Service Unavailable</h1><script>alert(1)</script></body></html>";
    const { upstream } = await _upstreamSays(
      () => new Response(html, { status: 503, headers: { "content-type": "text/html" } }),
    );
    expect(upstream).toMatchObject({ status: 503, body: html });
  });

  it("passes an empty 204 through", async () => {
    const { upstream } = await _upstreamSays(() => new Response(null, { status: 204 }));
    expect(upstream).toEqual({ status: 204, headers: {}, body: "" });
  });

  it("decodes a body in the charset the provider names", async () => {
    const { upstream } = await _upstreamSays(
      () =>
        new Response(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), {
          status: 400,
          headers: { "content-type": "text/plain; charset=iso-8859-1" },
        }),
    );
    expect(upstream.body).toBe("café");
  });

  it("drops Set-Cookie and hop-by-hop headers from the upstream headers", async () => {
    const { upstream } = await _upstreamSays(
      () =>
        new Response("{}", {
          headers: {
            "content-type": "application/json",
            "set-cookie": "a=b",
            connection: "keep-alive, x-internal",
            "keep-alive": "timeout=5",
            "x-internal": "node-7",
            upgrade: "h2c",
            "cache-control": "no-store",
            pragma: "no-cache",
          },
        }),
    );
    expect(upstream.headers).toEqual({
      "content-type": "application/json",
      "cache-control": "no-store",
      pragma: "no-cache",
    });
  });

  it("reports a 302 without following it", async () => {
    const { upstream } = await _upstreamSays(
      () => new Response(null, { status: 302, headers: { location: "https://evil.example.test/steal" } }),
    );
    expect(upstream).toEqual({
      status: 302,
      headers: { location: "https://evil.example.test/steal" },
      body: "",
    });
  });
});

describe("upstream failures", () => {
  it("answers 502 upstream_response_too_large over maxResponseBytes, with the sent request", async () => {
    const relay = _relay({
      maxResponseBytes: 1024,
      fetch: _recordingFetch(() => new Response("x".repeat(1025), { status: 200 })),
    });
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));
    expect(relay.fetch.calls).toHaveLength(1);
    expect(answer.status).toBe(502);
    _expectBaseHeaders(answer.headers);
    expect(answer.body).toEqual({
      error: "upstream_response_too_large",
      error_description:
        "The token endpoint http://127.0.0.1:4000/token answered 200 with a body larger than 1024 bytes; the relay stopped reading. The provider may have issued tokens that are now lost: check the connection before retrying.",
      outcome: "unknown",
      sent: expect.objectContaining({
        url: "http://127.0.0.1:4000/token",
        headers: expect.objectContaining({ authorization: "Basic [redacted]" }),
      }),
    });
  });

  it("accepts a body of exactly maxResponseBytes", async () => {
    const relay = _relay({
      maxResponseBytes: 1024,
      fetch: _recordingFetch(() => new Response("x".repeat(1024))),
    });
    expect((await relay.handle(_tokenRequest(_codeBody()))).status).toBe(200);
  });

  it("answers 502 upstream_unreachable when fetch rejects, once, with outcome unknown", async () => {
    const relay = _relay({
      fetch: _recordingFetch(() => {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }),
        });
      }),
    });
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));
    expect(relay.fetch.calls).toHaveLength(1);
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({
      error: "upstream_unreachable",
      error_description:
        "The token endpoint http://127.0.0.1:4000/token could not be reached (ENOTFOUND: getaddrinfo ENOTFOUND). The provider may or may not have processed the request: do not send the same code again, and with rotating refresh tokens check the connection before refreshing again.",
      outcome: "unknown",
      sent: expect.objectContaining({ method: "POST" }),
    });
    expect(relay.logs).toEqual([
      expect.stringMatching(
        /^POST \/relay\/token 502 error=upstream_unreachable client=demo grant=authorization_code ms=\d+$/,
      ),
    ]);
  });

  it("redacts the secret should a network error ever quote it", async () => {
    const relay = _relay({
      fetch: _recordingFetch(() => {
        throw new TypeError(`bad header ${_DEMO_BASIC} and ${_DEMO.client_secret}`);
      }),
    });
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));
    expect(answer.body?.error_description).toContain("bad header Basic [redacted] and [redacted]");
  });

  it("answers a JSON 500 without a stack when something unexpected breaks after sending", async () => {
    const relay = _relay({
      fetch: _recordingFetch(
        () =>
          ({
            status: 200,
            body: null,
            headers: {
              get: () => null,
              forEach: () => {
                throw new Error("kaboom at /work/main/src/relay/handler.ts:1:1");
              },
            },
          }) as unknown as Response,
      ),
    });
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));
    expect(answer.status).toBe(500);
    _expectBaseHeaders(answer.headers);
    expect(answer.body).toEqual({
      error: "internal_error",
      error_description:
        "The relay failed after sending the request upstream; the provider may or may not have processed it. Check the connection before sending the same code or refresh token again.",
      outcome: "unknown",
    });
  });

  it("answers 504 on time even when the fetch ignores its abort signal", async () => {
    const relay = _relay({
      timeoutMs: 50,
      fetch: _recordingFetch(() => new Promise<Response>(() => undefined)),
    });
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));
    expect(relay.fetch.calls).toHaveLength(1);
    expect(answer.status).toBe(504);
    expect(answer.body).toMatchObject({ error: "upstream_timeout", outcome: "unknown" });
  });

  it("answers 504 on time even when the body stream ignores the abort signal", async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"access_token":'));
      },
    });
    const relay = _relay({ timeoutMs: 50, fetch: _recordingFetch(() => new Response(stalled)) });
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));
    expect(answer.status).toBe(504);
  });

  it("keeps answering when the logger throws", async () => {
    const relay = _relay({
      log: () => {
        throw new Error("disk full");
      },
    });
    expect((await relay.handle(new Request(`${_RELAY_ORIGIN}/relay/health`))).status).toBe(200);
  });
});

describe("GET /relay/clients and /relay/health", () => {
  it("lists every client's public facts and never a secret", async () => {
    const relay = _relay();
    const response = await relay.handle(new Request(`${_RELAY_ORIGIN}/relay/clients`));
    const text = await response.clone().text();
    const answer = await _read(response);
    expect(answer.status).toBe(200);
    _expectBaseHeaders(answer.headers);
    expect(answer.body).toEqual({
      clients: [
        {
          id: "demo",
          provider: "demo",
          environment: null,
          client_id: "tokendesk-demo",
          redirect_uris: _DEMO.redirect_uris,
          scope: "openid demo:read",
          issuer: "http://127.0.0.1:4000",
          authorization_endpoint: "http://127.0.0.1:4000/auth",
          token_endpoint: "http://127.0.0.1:4000/token",
          identity_endpoint: null,
          revocation_endpoint: "http://127.0.0.1:4000/token/revocation",
          introspection_endpoint: null,
          jwks_uri: null,
          token_endpoint_auth_method: "client_secret_basic",
          body_encoding: "form",
          api_base_urls: [],
        },
        {
          id: "special",
          provider: "custom",
          environment: null,
          client_id: "demo app:1",
          redirect_uris: [_REDIRECT_URI],
          scope: null,
          issuer: null,
          authorization_endpoint: null,
          token_endpoint: "https://auth.example.test/oauth/token?tenant=a",
          identity_endpoint: null,
          revocation_endpoint: null,
          introspection_endpoint: null,
          jwks_uri: null,
          token_endpoint_auth_method: "client_secret_basic",
          body_encoding: "form",
          api_base_urls: [],
        },
        expect.objectContaining({
          id: "custom-post",
          token_endpoint_auth_method: "client_secret_post",
          body_encoding: "form",
        }),
        expect.objectContaining({
          id: "custom-json",
          token_endpoint_auth_method: "client_secret_post",
          body_encoding: "json",
        }),
        {
          id: "acme-sandbox",
          provider: "acme",
          environment: "sandbox",
          client_id: "acme-client",
          redirect_uris: [_REDIRECT_URI],
          scope: null,
          issuer: null,
          authorization_endpoint: "https://sandbox.acme.example.test/approve_app",
          token_endpoint: "https://api.sandbox.acme.example.test/v2/token_endpoint",
          identity_endpoint: null,
          revocation_endpoint: "https://api.sandbox.acme.example.test/v2/revoke",
          introspection_endpoint: null,
          jwks_uri: null,
          token_endpoint_auth_method: "client_secret_basic",
          body_encoding: "form",
          api_base_urls: [],
        },
      ],
    });
    expect(text).not.toContain('client_secret"');
    for (const secret of _secretForms()) expect(text).not.toContain(secret);
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("answers HEAD with the headers and no body", async () => {
    const relay = _relay();
    const response = await relay.handle(new Request(`${_RELAY_ORIGIN}/relay/clients`, { method: "HEAD" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("");
  });

  it("answers the health check", async () => {
    const relay = _relay();
    const answer = await _read(await relay.handle(new Request(`${_RELAY_ORIGIN}/relay/health`)));
    expect(answer).toMatchObject({ status: 200, body: { ok: true } });
    _expectBaseHeaders(answer.headers);
    expect(relay.logs).toEqual([expect.stringMatching(/^GET \/relay\/health 200 ms=\d+$/)]);
  });
});

describe("CORS", () => {
  it("names an allowed origin exactly, with Vary: Origin", async () => {
    const relay = _relay();
    const answer = await _read(
      await relay.handle(_tokenRequest(_codeBody(), { headers: { origin: _ALLOWED_ORIGIN } })),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers["access-control-allow-origin"]).toBe(_ALLOWED_ORIGIN);
    expect(answer.headers.vary).toBe("Origin");
    expect(answer.headers["access-control-allow-credentials"]).toBeUndefined();
    expect(relay.fetch.calls).toHaveLength(1);
  });

  it("serves a same-origin page without CORS headers", async () => {
    const relay = _relay();
    const answer = await _read(
      await relay.handle(_tokenRequest(_codeBody(), { headers: { origin: _RELAY_ORIGIN } })),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    expect(relay.fetch.calls).toHaveLength(1);
  });

  it("serves a caller without Origin (curl, a server) without CORS headers", async () => {
    const relay = _relay();
    const answer = await _read(await relay.handle(_tokenRequest(_codeBody())));
    expect(answer.status).toBe(200);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("answers an allowed origin's preflight with 204, the route's methods and only Content-Type", async () => {
    const relay = _relay();
    const answer = await _read(
      await relay.handle(
        new Request(`${_RELAY_ORIGIN}/relay/token`, {
          method: "OPTIONS",
          headers: {
            origin: _ALLOWED_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
          },
        }),
      ),
    );
    expect(answer.status).toBe(204);
    expect(answer.body).toBeNull();
    _expectBaseHeaders(answer.headers);
    expect(answer.headers).toMatchObject({
      "access-control-allow-origin": _ALLOWED_ORIGIN,
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "Content-Type",
      "access-control-max-age": "600",
      vary: "Origin",
      allow: "POST, OPTIONS",
    });
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("answers a preflight for /relay/clients with GET and HEAD", async () => {
    const relay = _relay();
    const response = await relay.handle(
      new Request(`${_RELAY_ORIGIN}/relay/clients`, {
        method: "OPTIONS",
        headers: { origin: _ALLOWED_ORIGIN },
      }),
    );
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, HEAD");
  });

  it("answers OPTIONS without Origin with Allow and no CORS headers", async () => {
    const relay = _relay();
    const response = await relay.handle(new Request(`${_RELAY_ORIGIN}/relay/token`, { method: "OPTIONS" }));
    expect(response.status).toBe(204);
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("answers a preflight for an unknown path with 404", async () => {
    const relay = _relay();
    const response = await relay.handle(
      new Request(`${_RELAY_ORIGIN}/relay/admin`, {
        method: "OPTIONS",
        headers: { origin: _ALLOWED_ORIGIN },
      }),
    );
    expect(response.status).toBe(404);
  });
});

describe("secrecy", () => {
  it("never puts a secret, code, token or Authorization value in a log line", async () => {
    const relay = _relay({
      fetch: _recordingFetch(() =>
        _jsonResponse(200, { access_token: "at-LOGCHECK", refresh_token: "rt-LOGCHECK" }),
      ),
    });
    for (const client of ["demo", "special", "custom-post", "custom-json", "acme-sandbox"]) {
      await relay.handle(
        _tokenRequest({
          client,
          grant_type: "refresh_token",
          refresh_token: "rt-IN-LOGCHECK",
          scope: "s-LOGCHECK",
        }),
      );
    }
    await relay.handle(_tokenRequest(_codeBody({ code: "code-LOGCHECK" })));
    expect(relay.logs).toHaveLength(6);
    for (const line of relay.logs) {
      expect(line).not.toMatch(/LOGCHECK|Basic|redacted/);
    }
  });

  it("detects a leak when one happens (the scanner itself works)", () => {
    _observe(`x-debug: ${btoa(`${_DEMO.client_id}:${_DEMO.client_secret}`)}`);
    expect(() => _assertNoSecretLeaked()).toThrow(/leaked/);
  });
});
