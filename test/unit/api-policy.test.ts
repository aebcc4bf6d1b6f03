/**
 * The API route's URL containment, header and method policy (src/relay/api-policy.ts) as one table:
 * each row a URL a caller might send, the client's API base URLs, and the rule that refuses it or the
 * exact URL that would be sent.
 */
import { describe, expect, it } from "vitest";
import {
  API_REQUEST_HEADERS,
  checkApiBaseUrl,
  checkApiHeaders,
  checkApiUrl,
  isApiMethod,
  type UrlRule,
} from "../../src/relay/api-policy.ts";
import { isLoopbackHost } from "../../src/relay/policy.ts";

const FA = ["https://api.freeagent.com/v2/"];
const NO_SLASH = ["https://api.freeagent.com/v2"];
const ROOT = ["https://api.example.test/"];
const V6 = ["http://[::1]:8080/api/"];
const LOOP = ["http://127.0.0.1:4000/api/"];
const TWO = ["https://graph.example.test/v1.0/", "https://graph.example.test/beta/"];

type Row = readonly [
  name: string,
  url: unknown,
  bases: readonly string[],
  expected: UrlRule | { sends: string },
];

const ROWS: readonly Row[] = [
  // Allowed, and what is sent.
  [
    "a path under the base",
    "https://api.freeagent.com/v2/company",
    FA,
    { sends: "https://api.freeagent.com/v2/company" },
  ],
  ["the base itself", "https://api.freeagent.com/v2/", FA, { sends: "https://api.freeagent.com/v2/" }],
  [
    "the base without its trailing slash",
    "https://api.freeagent.com/v2",
    FA,
    { sends: "https://api.freeagent.com/v2" },
  ],
  [
    "a query",
    "https://api.freeagent.com/v2/invoices?view=recent&per_page=5",
    FA,
    { sends: "https://api.freeagent.com/v2/invoices?view=recent&per_page=5" },
  ],
  [
    "a query with encoded slashes and dots",
    "https://api.freeagent.com/v2/x?next=%2F..%2Fadmin",
    FA,
    { sends: "https://api.freeagent.com/v2/x?next=%2F..%2Fadmin" },
  ],
  [
    "dot segments that stay inside",
    "https://api.freeagent.com/v2/users/../company",
    FA,
    { sends: "https://api.freeagent.com/v2/company" },
  ],
  [
    "a single-dot segment",
    "https://api.freeagent.com/v2/./company",
    FA,
    { sends: "https://api.freeagent.com/v2/company" },
  ],
  [
    "encoded dot segments that stay inside",
    "https://api.freeagent.com/v2/users/%2e%2E/company",
    FA,
    { sends: "https://api.freeagent.com/v2/company" },
  ],
  [
    "upper-case scheme and host",
    "HTTPS://API.FreeAgent.COM/v2/company",
    FA,
    { sends: "https://api.freeagent.com/v2/company" },
  ],
  [
    "the default port written out",
    "https://api.freeagent.com:443/v2/company",
    FA,
    { sends: "https://api.freeagent.com/v2/company" },
  ],
  [
    "the default port with a leading zero",
    "https://api.freeagent.com:0443/v2/company",
    FA,
    { sends: "https://api.freeagent.com/v2/company" },
  ],
  [
    "a base without a trailing slash, a path below it",
    "https://api.freeagent.com/v2/company",
    NO_SLASH,
    { sends: "https://api.freeagent.com/v2/company" },
  ],
  [
    "any path under a root base",
    "https://api.example.test/anything/at/all",
    ROOT,
    { sends: "https://api.example.test/anything/at/all" },
  ],
  [
    "the root itself without a slash",
    "https://api.example.test",
    ROOT,
    { sends: "https://api.example.test/" },
  ],
  ["an IPv6 loopback base", "http://[::1]:8080/api/profile", V6, { sends: "http://[::1]:8080/api/profile" }],
  [
    "an IPv6 literal written longhand",
    "http://[0:0:0:0:0:0:0:1]:8080/api/profile",
    V6,
    { sends: "http://[::1]:8080/api/profile" },
  ],
  [
    "an IPv4 shorthand of the base's address",
    "http://127.1:4000/api/profile",
    LOOP,
    { sends: "http://127.0.0.1:4000/api/profile" },
  ],
  [
    "the second of two bases",
    "https://graph.example.test/beta/me",
    TWO,
    { sends: "https://graph.example.test/beta/me" },
  ],
  [
    "characters the parser encodes",
    "https://api.freeagent.com/v2/a{b}",
    FA,
    { sends: "https://api.freeagent.com/v2/a%7Bb%7D" },
  ],
  [
    "a semicolon inside a segment",
    "https://api.freeagent.com/v2/a;b=c",
    FA,
    { sends: "https://api.freeagent.com/v2/a;b=c" },
  ],

  // Another origin.
  ["another host", "https://evil.example/v2/company", FA, "origin"],
  ["a sibling host", "https://api.sandbox.freeagent.com/v2/company", FA, "origin"],
  ["a suffix trick", "https://api.freeagent.com.evil.example/v2/company", FA, "origin"],
  ["a trailing dot on the host", "https://api.freeagent.com./v2/company", FA, "origin"],
  ["another port", "https://api.freeagent.com:8443/v2/company", FA, "origin"],
  ["the other scheme's default port", "https://api.freeagent.com:80/v2/company", FA, "origin"],
  ["http for an https base", "http://api.freeagent.com/v2/company", FA, "origin"],
  ["https for an http base", "https://127.0.0.1:4000/api/profile", LOOP, "origin"],
  ["another loopback address", "http://127.0.0.2:4000/api/profile", LOOP, "origin"],
  ["localhost for 127.0.0.1", "http://localhost:4000/api/profile", LOOP, "origin"],
  ["another IPv6 address", "http://[::2]:8080/api/profile", V6, "origin"],
  ["an IPv4-mapped IPv6 address for 127.0.0.1", "http://[::ffff:127.0.0.1]:4000/api/profile", LOOP, "origin"],
  [
    "the host as a decimal number",
    "http://2130706433:4000/api/profile",
    LOOP,
    { sends: "http://127.0.0.1:4000/api/profile" },
  ],
  ["a client without bases", "https://api.freeagent.com/v2/company", [], "origin"],

  // Outside the base's path.
  ["a path beside the base", "https://api.freeagent.com/v3/company", FA, "path"],
  ["a prefix that is not a segment", "https://api.freeagent.com/v2-admin/users", FA, "path"],
  ["a prefix without the base's slash", "https://api.freeagent.com/v2x", NO_SLASH, "path"],
  ["the host's root", "https://api.freeagent.com/", FA, "path"],
  ["the host without a path", "https://api.freeagent.com", FA, "path"],
  ["dot segments climbing out", "https://api.freeagent.com/v2/../token_endpoint", FA, "path"],
  [
    "dot segments climbing out after a segment",
    "https://api.freeagent.com/v2/users/../../token_endpoint",
    FA,
    "path",
  ],
  ["encoded dot segments climbing out", "https://api.freeagent.com/v2/%2e%2e/token_endpoint", FA, "path"],
  ["mixed-case encoded dots climbing out", "https://api.freeagent.com/v2/%2E%2e/token_endpoint", FA, "path"],
  ["half-encoded dots climbing out", "https://api.freeagent.com/v2/.%2e/token_endpoint", FA, "path"],
  ["half-encoded dots the other way", "https://api.freeagent.com/v2/%2e./token_endpoint", FA, "path"],
  ["a different case in the path", "https://api.freeagent.com/V2/company", FA, "path"],
  ["an escaped letter of the base's path", "https://api.freeagent.com/%762/company", FA, "path"],
  ["the other base's sibling", "https://graph.example.test/v2.0/me", TWO, "path"],

  // Tricks inside the path.
  ["an encoded slash", "https://api.freeagent.com/v2/..%2ftoken_endpoint", FA, "encoded-slash"],
  ["an upper-case encoded slash", "https://api.freeagent.com/v2/a%2Fb", FA, "encoded-slash"],
  ["an encoded backslash", "https://api.freeagent.com/v2/..%5ctoken_endpoint", FA, "encoded-slash"],
  ["encoded dots and slashes", "https://api.freeagent.com/v2/%2e%2e%2f%2e%2e%2fadmin", FA, "encoded-slash"],
  ["double-encoded dots", "https://api.freeagent.com/v2/%252e%252e/token_endpoint", FA, "double-encoding"],
  ["a double-encoded slash", "https://api.freeagent.com/v2/..%252ftoken_endpoint", FA, "double-encoding"],
  ["a lone percent sign", "https://api.freeagent.com/v2/100%", FA, "bad-percent"],
  ["a percent sign without hex digits", "https://api.freeagent.com/v2/a%zz", FA, "bad-percent"],
  ["an encoded NUL", "https://api.freeagent.com/v2/company%00.json", FA, "control"],
  ["an encoded line feed", "https://api.freeagent.com/v2/company%0a", FA, "control"],
  ["an encoded DEL", "https://api.freeagent.com/v2/company%7F", FA, "control"],
  ["a dot-dot path parameter (Tomcat)", "https://api.freeagent.com/v2/..;/token_endpoint", FA, "dot-segment"],
  ["a dot-dot path parameter with a value", "https://api.freeagent.com/v2/..;x=1/admin", FA, "dot-segment"],
  ["an encoded dot-dot path parameter", "https://api.freeagent.com/v2/%2e%2e;/admin", FA, "dot-segment"],
  ["a dot path parameter", "https://api.freeagent.com/v2/.;/company", FA, "dot-segment"],
  ["a double slash after the base", "https://api.freeagent.com/v2//evil.example/x", FA, "empty-segment"],
  ["a double slash at the root", "https://api.example.test//evil.example/", ROOT, "empty-segment"],
  ["a double slash at the end", "https://api.freeagent.com/v2/company//", FA, "empty-segment"],

  // Credentials, fragments, backslashes, schemes, controls, syntax.
  ["userinfo", "https://user:pass@api.freeagent.com/v2/company", FA, "userinfo"],
  ["a user name alone", "https://user@api.freeagent.com/v2/company", FA, "userinfo"],
  ["the base's host as userinfo", "https://api.freeagent.com@evil.example/v2/company", FA, "userinfo"],
  ["an empty userinfo", "https://@api.freeagent.com/v2/company", FA, "userinfo"],
  ["a fragment", "https://api.freeagent.com/v2/company#x", FA, "fragment"],
  ["an empty fragment", "https://api.freeagent.com/v2/company#", FA, "fragment"],
  ["a backslash for the authority's end", "https://api.freeagent.com\\@evil.example/v2/", FA, "backslash"],
  ["a backslash in the path", "https://api.freeagent.com/v2\\..\\token_endpoint", FA, "backslash"],
  ["a backslash after the scheme", "https:\\\\api.freeagent.com/v2/company", FA, "backslash"],
  ["javascript:", "javascript:alert(1)", FA, "scheme"],
  ["file:", "file:///etc/passwd", FA, "scheme"],
  ["data:", "data:text/plain,hi", FA, "scheme"],
  ["ftp:", "ftp://api.freeagent.com/v2/company", FA, "scheme"],
  ["ws:", "ws://api.freeagent.com/v2/company", FA, "scheme"],
  ["gopher:", "gopher://api.freeagent.com:443/_GET", FA, "scheme"],
  ["a CR LF in the path", "https://api.freeagent.com/v2/company\r\nX-Injected: 1", FA, "control"],
  ["a line feed the parser would strip", "https://api.freeagent.com/v2/\n../token_endpoint", FA, "control"],
  ["a tab", "https://api.freeagent.com/v2/com\tpany", FA, "control"],
  ["a NUL", "https://api.freeagent.com/v2/company\u0000", FA, "control"],
  ["a space", "https://api.freeagent.com/v2/a b", FA, "control"],
  ["a leading space", " https://api.freeagent.com/v2/company", FA, "control"],
  ["a full-width letter in the host", "https://\uff41pi.freeagent.com/v2/company", FA, "control"],
  ["a non-ASCII path", "https://api.freeagent.com/v2/café", FA, "control"],
  ["no scheme", "api.freeagent.com/v2/company", FA, "syntax"],
  ["a relative path", "/v2/company", FA, "syntax"],
  ["a scheme-relative URL", "//api.freeagent.com/v2/company", FA, "syntax"],
  ["https without slashes", "https:api.freeagent.com/v2/company", FA, "syntax"],
  ["https with one slash", "https:/api.freeagent.com/v2/company", FA, "syntax"],
  ["https with three slashes", "https:///api.freeagent.com/v2/company", FA, "syntax"],
  ["an empty string", "", FA, "syntax"],
  ["not a string", 42, FA, "syntax"],
  ["an invalid port", "https://api.freeagent.com:99999/v2/company", FA, "syntax"],
  ["an overlong URL", `https://api.freeagent.com/v2/${"a".repeat(8200)}`, FA, "syntax"],
];

describe("checkApiUrl: which URLs the relay calls with a token", () => {
  for (const [name, url, bases, expected] of ROWS) {
    it(typeof expected === "string" ? `refuses ${name} (${expected})` : `allows ${name}`, () => {
      const checked = checkApiUrl(url, bases);
      if (typeof expected === "string") {
        expect(checked).toMatchObject({ ok: false, rule: expected });
        if (!checked.ok) expect(checked.problem.length).toBeGreaterThan(10);
      } else {
        expect(checked).toEqual({ ok: true, url: expected.sends, base: expect.any(String) });
      }
    });
  }

  it("says where dot segments led when they climb out of the base", () => {
    const checked = checkApiUrl("https://api.freeagent.com/v2/../token_endpoint", FA);
    expect(checked).toEqual({
      ok: false,
      rule: "path",
      problem:
        'has the path "/token_endpoint" (after resolving its dot segments, "/v2/../token_endpoint" is "/token_endpoint"), outside the API base "https://api.freeagent.com/v2/"',
    });
  });

  it("names the hosts it would call when the origin differs", () => {
    const checked = checkApiUrl("https://evil.example/", TWO);
    expect(checked).toMatchObject({
      problem:
        "goes to https://evil.example, which is not this client's API (https://graph.example.test, https://graph.example.test); the relay calls nothing else",
    });
  });

  it("refuses a URL that carries the access token, raw or percent-encoded", () => {
    expect(checkApiUrl("https://api.freeagent.com/v2/x?access_token=at-1/2", FA, "at-1/2")).toMatchObject({
      rule: "token",
    });
    expect(checkApiUrl("https://api.freeagent.com/v2/x?t=at-1%2F2", FA, "at-1/2")).toMatchObject({
      rule: "token",
    });
    expect(checkApiUrl("https://api.freeagent.com/v2/x", FA, "at-1/2")).toMatchObject({ ok: true });
  });
});

describe("checkApiBaseUrl: the bases an operator or a recipe configures", () => {
  const ok = (value: string, base: string) =>
    expect(checkApiBaseUrl(value, isLoopbackHost)).toEqual({ ok: true, base });
  const bad = (value: unknown, problem: RegExp) =>
    expect(checkApiBaseUrl(value, isLoopbackHost)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(problem),
    });

  it("takes canonical https bases, and http on loopback", () => {
    ok("https://api.example.test/v1/", "https://api.example.test/v1/");
    ok("https://api.example.test/v1", "https://api.example.test/v1");
    ok("https://api.example.test", "https://api.example.test/");
    ok("http://127.0.0.1:4000/api/", "http://127.0.0.1:4000/api/");
    ok("http://[::1]:4000/api/", "http://[::1]:4000/api/");
  });

  it("refuses what the relay could not compare exactly", () => {
    bad("http://api.example.test/", /must use https/);
    bad("ftp://api.example.test/", /must use https/);
    bad("https://u:p@api.example.test/", /user name or password/);
    bad("https://api.example.test/v1/?x=1", /query/);
    bad("https://api.example.test/v1/#x", /fragment/);
    bad("https://API.example.test/v1/", /canonical form; write "https:\/\/api.example.test\/v1\/"/);
    bad("https://api.example.test:443/v1/", /canonical form/);
    bad("https://api.example.test/a/../v1/", /canonical form/);
    bad("https://api.example.test/a%2fb/", /encoded slash/);
    bad("https://api.example.test/a//b/", /empty path segment/);
    bad("api.example.test/v1/", /absolute URL/);
    bad(42, /absolute URL/);
  });
});

describe("checkApiHeaders: an allow-list, not a deny-list", () => {
  const check = (headers: unknown, allowed: string[] = [], reserved: string[] = []) =>
    checkApiHeaders(headers, allowed, reserved);

  it("passes the headers every API takes, names lower-cased", () => {
    expect(
      check({ Accept: "application/json", "Content-Type": "application/json", "If-None-Match": '"abc"' }),
    ).toEqual({
      ok: true,
      headers: [
        ["accept", "application/json"],
        ["content-type", "application/json"],
        ["if-none-match", '"abc"'],
      ],
    });
    expect(API_REQUEST_HEADERS).toContain("prefer");
  });

  it("passes a provider's own headers only for that provider", () => {
    expect(check({ "Xero-Tenant-Id": "t-1" }, ["Xero-Tenant-Id"])).toMatchObject({ ok: true });
    expect(check({ "Xero-Tenant-Id": "t-1" })).toMatchObject({ ok: false, error: "header_not_allowed" });
  });

  for (const name of ["Authorization", "authorization", "Proxy-Authorization", "Cookie", "cookie2"]) {
    it(`refuses the caller's ${name} as a credential`, () => {
      expect(check({ [name]: "Bearer x" })).toMatchObject({ ok: false, error: "credentials_not_allowed" });
    });
  }

  for (const name of [
    "Host",
    "Content-Length",
    "Transfer-Encoding",
    "Connection",
    "Keep-Alive",
    "TE",
    "Trailer",
    "Upgrade",
    "Proxy-Connection",
    "Proxy-Foo",
    "User-Agent",
    "Origin",
    "Referer",
    "Forwarded",
    "X-Forwarded-For",
    "X-Api-Key",
    "X-Anything",
  ]) {
    it(`refuses ${name}`, () => {
      expect(check({ [name]: "x" })).toMatchObject({ ok: false, error: "header_not_allowed" });
    });
  }

  it("refuses a header the recipe sets itself", () => {
    expect(check({ "X-RateLimit-Test": "false" }, ["X-RateLimit-Test"], ["x-ratelimit-test"])).toMatchObject({
      ok: false,
      error: "header_not_allowed",
      description: "Remove the X-RateLimit-Test header: the relay sets it for this provider.",
    });
  });

  it("refuses line breaks, NULs and other controls in values, and bad names", () => {
    for (const value of ["a\r\nX-Injected: 1", "a\nb", "a\u0000", "caf\u00e9", "x".repeat(4097)]) {
      expect(check({ Accept: value }), JSON.stringify(value)).toMatchObject({
        ok: false,
        error: "invalid_request",
      });
    }
    expect(check({ "Bad Name": "x" })).toMatchObject({ ok: false, error: "invalid_request" });
    expect(check({ "Accept:": "x" })).toMatchObject({ ok: false, error: "invalid_request" });
    expect(check({ Accept: 1 })).toMatchObject({ ok: false, error: "invalid_request" });
    expect(check({ Accept: "a", accept: "b" })).toMatchObject({ ok: false, error: "invalid_request" });
    expect(check(["Accept", "x"])).toMatchObject({ ok: false, error: "invalid_request" });
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`If-Match${"-".repeat(i)}`, "x"]));
    expect(check(many)).toMatchObject({ ok: false, error: "invalid_request" });
  });

  it("lists the allowed headers when it refuses an unknown one", () => {
    expect(check({ "X-Api-Key": "k" }, ["Xero-Tenant-Id"])).toMatchObject({
      description: expect.stringContaining("accept, accept-language, content-type"),
    });
    expect(check({ "X-Api-Key": "k" }, ["Xero-Tenant-Id"])).toMatchObject({
      description: expect.stringContaining("xero-tenant-id"),
    });
  });
});

describe("methods", () => {
  it("takes the six API methods in upper case only", () => {
    for (const m of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]) expect(isApiMethod(m)).toBe(true);
    for (const m of ["get", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "", 1, null])
      expect(isApiMethod(m)).toBe(false);
  });
});
