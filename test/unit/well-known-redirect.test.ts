/** The one redirect discovery follows, shared by the page and the relay. */
import { describe, expect, it } from "vitest";
import { acceptableWellKnownRedirect, isRedirectStatus } from "../../src/providers/well-known-redirect.ts";

const DOC = new URL("https://auth.example.test/o/.well-known/openid-configuration");
const SLASHED = "https://auth.example.test/o/.well-known/openid-configuration/";
const ONLY = "tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin.";

describe("acceptableWellKnownRedirect", () => {
  it.each([
    ["Django's relative Location", "/o/.well-known/openid-configuration/"],
    ["an absolute Location", SLASHED],
    ["a Location relative to the document", "openid-configuration/"],
    ["a fragment, which is never sent", `${SLASHED}#top`],
    ["the default port written out", "https://auth.example.test:443/o/.well-known/openid-configuration/"],
    ["the host in capitals", "https://AUTH.example.test/o/.well-known/openid-configuration/"],
  ])("follows one trailing slash added: %s", (_name, location) => {
    const verdict = acceptableWellKnownRedirect(DOC, location);
    expect(verdict).toEqual({ ok: true, url: new URL(SLASHED), change: "a trailing slash added" });
    expect(verdict.ok && verdict.url.href).toBe(SLASHED);
  });

  it("follows one trailing slash removed", () => {
    expect(acceptableWellKnownRedirect(new URL(SLASHED), "/o/.well-known/openid-configuration")).toEqual({
      ok: true,
      url: DOC,
      change: "a trailing slash removed",
    });
  });

  it.each([
    [
      "another host",
      "https://other.example.test/o/.well-known/openid-configuration/",
      `The issuer redirects its metadata to https://other.example.test/o/.well-known/openid-configuration/, on another host (other.example.test, not auth.example.test); ${ONLY}`,
    ],
    [
      "another scheme",
      "http://auth.example.test/o/.well-known/openid-configuration/",
      `The issuer redirects its metadata to http://auth.example.test/o/.well-known/openid-configuration/, on another scheme (http, not https); ${ONLY}`,
    ],
    [
      "another port",
      "https://auth.example.test:8443/o/.well-known/openid-configuration/",
      `The issuer redirects its metadata to https://auth.example.test:8443/o/.well-known/openid-configuration/, on another port (8443, not the default); ${ONLY}`,
    ],
    [
      "a protocol-relative Location to another host",
      "//evil.example.test/o/.well-known/openid-configuration/",
      `The issuer redirects its metadata to https://evil.example.test/o/.well-known/openid-configuration/, on another host (evil.example.test, not auth.example.test); ${ONLY}`,
    ],
    [
      "a login page on the same origin",
      "/accounts/login/?next=/o/.well-known/openid-configuration",
      `The issuer redirects its metadata to https://auth.example.test/accounts/login/?next=/o/.well-known/openid-configuration, another path on the same origin; ${ONLY}`,
    ],
    [
      "a longer path",
      "/o/.well-known/openid-configuration/v2",
      `The issuer redirects its metadata to https://auth.example.test/o/.well-known/openid-configuration/v2, another path on the same origin; ${ONLY}`,
    ],
    [
      "two slashes",
      "/o/.well-known/openid-configuration//",
      `The issuer redirects its metadata to https://auth.example.test/o/.well-known/openid-configuration//, another path on the same origin; ${ONLY}`,
    ],
    [
      "the same path with a query",
      "/o/.well-known/openid-configuration?format=json",
      "The issuer redirects its metadata to https://auth.example.test/o/.well-known/openid-configuration?format=json, which adds a query (?format=json); tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin, with the query unchanged.",
    ],
    [
      "the slash form with a query",
      "/o/.well-known/openid-configuration/?tenant=a",
      "The issuer redirects its metadata to https://auth.example.test/o/.well-known/openid-configuration/?tenant=a, which adds a query (?tenant=a); tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin, with the query unchanged.",
    ],
    ["the same URL", DOC.href, `The issuer redirects its metadata to the same URL, ${DOC.href}; ${ONLY}`],
    [
      "a user name in the Location",
      "https://user@auth.example.test/o/.well-known/openid-configuration/",
      `The issuer redirects its metadata to a URL with a user name or password; ${ONLY}`,
    ],
    [
      "a Location that is no URL",
      "https://[nope/",
      'The issuer redirects its metadata to "https://[nope/", which is not a URL.',
    ],
    [
      "no Location",
      null,
      "The issuer answered with a redirect but no Location header, so there is nowhere to follow.",
    ],
  ])("refuses %s, and says why", (_name, location, why) => {
    expect(acceptableWellKnownRedirect(DOC, location)).toEqual({ ok: false, why });
  });

  it("refuses a second redirect, even a slash one", () => {
    expect(acceptableWellKnownRedirect(new URL(SLASHED), "/o/.well-known/openid-configuration", 1)).toEqual({
      ok: false,
      why: "The issuer redirects its metadata again, to https://auth.example.test/o/.well-known/openid-configuration; tokendesk follows one redirect at most (a trailing slash added or removed, on the same origin).",
    });
  });

  it("cuts a huge Location short in its words", () => {
    const verdict = acceptableWellKnownRedirect(DOC, `https://other.example.test/${"a".repeat(5000)}`);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.why.length).toBeLessThan(500);
  });
});

describe("isRedirectStatus", () => {
  it("is true for the statuses fetch follows, and only those", () => {
    expect([300, 301, 302, 303, 304, 305, 307, 308, 200, 404].filter(isRedirectStatus)).toEqual([
      301, 302, 303, 307, 308,
    ]);
  });
});
