import { describe, expect, it } from "vitest";
import {
  basicAuthorization,
  checkJsonContentType,
  checkOrigin,
  checkTokenRequest,
  formUrlEncode,
  isLoopbackHost,
  passUpstreamHeaders,
  redirectUriAllowed,
} from "../../src/relay/policy.ts";

describe("client authentication encoding (RFC 6749 §2.3.1)", () => {
  it("matches the RFC's example Authorization header", () => {
    // RFC 6749 §2.3.1: client_id s6BhdRkqt3, secret gX1fBat3bV.
    expect(basicAuthorization("s6BhdRkqt3", "gX1fBat3bV")).toBe("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
  });

  it("form-urlencodes id and secret before base64, so ':' in either cannot shift the split", () => {
    expect(formUrlEncode("p@ss:w/rd+&=")).toBe("p%40ss%3Aw%2Frd%2B%26%3D");
    expect(basicAuthorization("demo app:1", "p@ss:w/rd+&=")).toBe(
      `Basic ${btoa("demo+app%3A1:p%40ss%3Aw%2Frd%2B%26%3D")}`,
    );
  });

  it.each([
    ["a b", "a+b"],
    ["é", "%C3%A9"],
    ["*-._~", "*-._%7E"],
    ["%", "%25"],
  ])("form-urlencodes %j as %j (RFC 6749 Appendix B)", (raw, encoded) => {
    expect(formUrlEncode(raw)).toBe(encoded);
  });

  it("gives URLSearchParams' text for every ASCII character, non-ASCII and a lone surrogate", () => {
    const samples = [
      ...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)),
      "ä€𝄞 mixed !'()~*-._ text",
      "\ud800",
      "a\udc00b",
    ];
    for (const sample of samples) {
      expect(formUrlEncode(sample), JSON.stringify(sample)).toBe(
        new URLSearchParams([["", sample]]).toString().slice(1),
      );
    }
  });
});

describe("checkOrigin", () => {
  const allowed = new Set(["http://127.0.0.1:4173"]);
  const url = "http://127.0.0.1:5173/relay/token";

  it.each([
    [null, { kind: "absent" }],
    ["http://127.0.0.1:4173", { kind: "allowed", origin: "http://127.0.0.1:4173" }],
    ["http://127.0.0.1:5173", { kind: "same-origin" }],
    ["null", { kind: "refused", origin: "null" }],
    ["http://localhost:5173", { kind: "refused", origin: "http://localhost:5173" }],
    ["http://127.0.0.1:4173/", { kind: "refused", origin: "http://127.0.0.1:4173/" }],
    ["HTTP://127.0.0.1:4173", { kind: "refused", origin: "HTTP://127.0.0.1:4173" }],
    ["https://127.0.0.1:4173", { kind: "refused", origin: "https://127.0.0.1:4173" }],
    ["http://127.0.0.1:41730", { kind: "refused", origin: "http://127.0.0.1:41730" }],
  ])("classifies Origin %j", (origin, verdict) => {
    expect(checkOrigin(origin, url, allowed)).toEqual(verdict);
  });
});

describe("isLoopbackHost", () => {
  it.each(["127.0.0.1", "127.255.0.9", "[::1]", "localhost"])("treats %s as loopback", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(["128.0.0.1", "10.0.0.1", "localhost.example.test", "127.0.0.1.example.test", "[::2]", "0.0.0.0"])(
    "does not treat %s as loopback",
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe("passUpstreamHeaders", () => {
  it("lower-cases names and drops cookies, hop-by-hop fields and fields named in Connection (RFC 9110 §7.6.1)", () => {
    const headers = new Headers([
      ["Content-Type", "application/json"],
      ["Set-Cookie", "session=abc"],
      ["Set-Cookie", "other=def"],
      ["Connection", "keep-alive, X-Hop"],
      ["Keep-Alive", "timeout=5"],
      ["Transfer-Encoding", "chunked"],
      ["Upgrade", "h2c"],
      ["Proxy-Authenticate", "Basic"],
      ["X-Hop", "1"],
      ["Retry-After", "60"],
      ["WWW-Authenticate", 'Basic realm="Application"'],
    ]);
    expect(passUpstreamHeaders(headers)).toEqual({
      "content-type": "application/json",
      "retry-after": "60",
      "www-authenticate": 'Basic realm="Application"',
    });
  });
});

describe("redirectUriAllowed", () => {
  const configured = ["http://127.0.0.1:5173/callback/"];

  it("accepts the configured URI byte for byte", () => {
    expect(redirectUriAllowed("http://127.0.0.1:5173/callback/", configured)).toBe(true);
  });

  it.each([
    "http://127.0.0.1:5173/callback",
    "http://127.0.0.1:5173/callback//",
    "http://127.0.0.1:5173/Callback/",
    "HTTP://127.0.0.1:5173/callback/",
    "https://127.0.0.1:5173/callback/",
    "http://127.0.0.1:5173/callback/?x=1",
    "http://127.0.0.1:5173/callback/#",
    "http://127.0.0.1:5173/%63allback/",
    "http://localhost:5173/callback/",
    "http://127.0.0.1:5173/callback/ ",
  ])("refuses the variant %j", (variant) => {
    expect(redirectUriAllowed(variant, configured)).toBe(false);
  });
});

describe("checkJsonContentType", () => {
  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON;charset=UTF-8",
    'application/json; charset="utf-8"',
  ])("accepts %j", (value) => {
    expect(checkJsonContentType(value)).toBeUndefined();
  });

  it.each([
    [null, "The request has no Content-Type; send the body as JSON with Content-Type: application/json."],
    [
      "text/plain",
      'Content-Type "text/plain" is not accepted; send the body as JSON with Content-Type: application/json.',
    ],
    [
      "application/json-patch+json",
      'Content-Type "application/json-patch+json" is not accepted; send the body as JSON with Content-Type: application/json.',
    ],
    [
      "application/json; charset=utf-16",
      'Content-Type charset "utf-16" is not accepted; JSON must be UTF-8 (RFC 8259 §8.1).',
    ],
  ])("refuses %j", (value, problem) => {
    expect(checkJsonContentType(value)).toBe(problem);
  });
});

describe("checkTokenRequest", () => {
  const clients = new Map([["demo", { id: "demo", redirect_uris: ["http://127.0.0.1:5173/callback/"] }]]);

  it("returns the grant with only the fields the relay forwards", () => {
    expect(
      checkTokenRequest(
        { client: "demo", grant_type: "refresh_token", refresh_token: "rt", scope: "a b" },
        clients,
      ),
    ).toEqual({
      ok: true,
      client: clients.get("demo"),
      grant: { grant_type: "refresh_token", refresh_token: "rt", scope: "a b" },
    });
  });

  it("refuses smuggled credentials before anything else, even for an unknown client", () => {
    expect(
      checkTokenRequest({ client: "nope", grant_type: "password", client_secret: "x" }, clients),
    ).toMatchObject({
      ok: false,
      error: "credentials_not_allowed",
    });
  });

  it("refuses a JSON __proto__ key as an unknown field rather than following it", () => {
    const body: unknown = JSON.parse(
      '{"client":"demo","grant_type":"refresh_token","refresh_token":"rt","__proto__":{"scope":"admin"}}',
    );
    expect(checkTokenRequest(body, clients)).toMatchObject({
      ok: false,
      error: "invalid_request",
      description: expect.stringContaining('Unknown field "__proto__"'),
    });
  });
});
