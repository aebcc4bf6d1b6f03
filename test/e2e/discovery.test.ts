/**
 * Discovery in headless Chromium: a custom client filled from the demo authorization server's OpenID
 * metadata (read by the page: oidc-provider allows CORS), from the FreshBooks-like emulator's
 * RFC 8414 metadata, which has no CORS headers, so the page asks the relay; and from issuers whose
 * well-known path redirects (test/support/issuers.ts): Django's append-slash 301 is followed, by the
 * relay or by the page, a redirect to another origin is refused in words, and metadata naming
 * another issuer is explained.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { type FreshBooksEmulator, startFreshBooksEmulator } from "../support/emulators/freshbooks.ts";
import { startTestIssuers, type TestIssuers } from "../support/issuers.ts";

let dev: RunningDevServer;
let fb: FreshBooksEmulator;
let issuers: TestIssuers;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  fb = await startFreshBooksEmulator({});
  issuers = await startTestIssuers();
  dev = await startDevServer();
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
  await fb?.close();
  await issuers?.close();
});

async function _discover(issuer: string, outcome: "discovered" | "discovery-problem" = "discovered") {
  await page.getByLabel("Issuer").fill(issuer);
  await page.getByRole("button", { name: "Discover", exact: true }).click();
  await page.getByTestId(outcome).waitFor();
}

/** The drafted TOKENDESK_CLIENTS entries, as JSON. */
async function _draft(): Promise<Record<string, unknown>[]> {
  const text = (await page.getByTestId("client-draft").textContent()) ?? "";
  return JSON.parse(text.replace(/^TOKENDESK_CLIENTS='/, "").replace(/'$/, "")) as Record<string, unknown>[];
}

describe("discovery fills a custom client", () => {
  it("from the demo server's OpenID metadata, read by the page", async () => {
    await page.goto(`${dev.origin}/`);
    await page.getByRole("link", { name: "Discover its endpoints" }).click();
    await _discover(dev.demo.issuer);
    expect(await page.getByTestId("discovered").textContent()).toContain("from the page");
    const endpoints = (await page.getByTestId("discovered-endpoints").textContent()) ?? "";
    expect(endpoints).toContain(dev.demo.authorization_endpoint);
    expect(endpoints).toContain(dev.demo.token_endpoint);
    // The demo server introspects (RFC 7662): the page names the endpoint and what it is for.
    expect(endpoints).toContain(
      `Introspection endpoint (RFC 7662): asks the provider whether a token is still active, and its scope and expiry. ${dev.demo.introspection_endpoint}`,
    );
    expect(await page.getByTestId("discovered-metadata").textContent()).toContain("S256 supported");
    expect(await _draft()).toEqual([
      {
        id: "127.0.0.1",
        provider: "custom",
        client_id: "<client id from the provider>",
        client_secret: "<client secret from the provider>",
        redirect_uris: [`${dev.origin}/callback/`],
        scope: "openid offline_access",
        issuer: dev.demo.issuer,
        authorization_endpoint: dev.demo.authorization_endpoint,
        token_endpoint: dev.demo.token_endpoint,
        userinfo_endpoint: dev.demo.userinfo_endpoint,
        revocation_endpoint: dev.demo.revocation_endpoint,
        introspection_endpoint: dev.demo.introspection_endpoint,
        jwks_uri: `${dev.demo.issuer}/jwks`,
        token_endpoint_auth_method: "client_secret_basic",
        body_encoding: "form",
      },
    ]);
  });

  it("from RFC 8414 metadata without CORS, through the relay", async () => {
    await _discover(fb.origin);
    expect(await page.getByTestId("discovered").textContent()).toContain("through the relay");
    const tried = (await page.locator("ol.attempts").textContent()) ?? "";
    expect(tried).toContain(`${fb.origin}/.well-known/openid-configuration from the page`);
    expect(tried).toContain(`${fb.origin}/.well-known/oauth-authorization-server from the relay: 200`);
    const draft = (await page.getByTestId("client-draft").textContent()) ?? "";
    expect(draft).toContain('"token_endpoint_auth_method": "client_secret_post"');
    expect(draft).toContain(`"token_endpoint": "${fb.token_endpoint}"`);
    // FreshBooks publishes no introspection endpoint: the page says what that costs.
    expect(await page.getByTestId("discovered-endpoints").textContent()).toContain(
      "Introspection endpoint (RFC 7662): asks the provider whether a token is still active, and its scope and expiry. Not published: the provider cannot be asked whether a token is active.",
    );
    expect(draft).not.toContain("introspection_endpoint");
    // Each document was asked for twice: by the page, whose answer the browser withheld (no CORS),
    // then by the relay, which read it.
    const wellKnown = fb.requests.filter((r) => r.path.startsWith("/.well-known/"));
    expect(wellKnown.map((r) => [r.path, r.status])).toEqual([
      ["/.well-known/openid-configuration", 404],
      ["/.well-known/openid-configuration", 404],
      ["/.well-known/oauth-authorization-server", 200],
      ["/.well-known/oauth-authorization-server", 200],
    ]);
  });
});

describe("discovery that survives real servers", () => {
  const OPENID = "/.well-known/openid-configuration";

  it("follows Django's append-slash 301 through the relay and drafts every endpoint", async () => {
    const issuer = issuers.issuer("o");
    const before = issuers.requests.length;
    await _discover(issuer);
    const found = (await page.getByTestId("discovered").textContent()) ?? "";
    expect(found).toBe(
      `Found the metadata of ${issuer} through the relay, read at ${issuer}${OPENID}/ after a trailing-slash redirect.`,
    );
    const tried = (await page.locator("ol.attempts").textContent()) ?? "";
    expect(tried).toContain(`${issuer}${OPENID} from the page: not readable from the page`);
    expect(tried).toContain(`${issuer}${OPENID} from the relay: 301 to ${issuer}${OPENID}/, then 200`);
    // The page's one request (its 301 has no CORS headers), then the relay's two on the same origin.
    expect(
      issuers.requests.slice(before).map((r) => [r.path, r.origin === undefined ? "relay" : "page"]),
    ).toEqual([
      [`/o${OPENID}`, "page"],
      [`/o${OPENID}`, "relay"],
      [`/o${OPENID}/`, "relay"],
    ]);
    expect(issuers.elsewhereRequests).toEqual([]);
    const endpoints = (await page.getByTestId("discovered-endpoints").textContent()) ?? "";
    expect(endpoints).toContain(
      `Userinfo endpoint: the identity probe: whose account a token belongs to. ${issuer}/userinfo/`,
    );
    expect(endpoints).not.toContain("Not published");
    expect(await page.getByTestId("auth-method-reason").textContent()).toMatch(
      /^Client authentication drafted as client_secret_basic: the server lists it \(client_secret_post is listed too\)/,
    );
    expect(await _draft()).toEqual([
      {
        id: "127.0.0.1",
        provider: "custom",
        client_id: "<client id from the provider>",
        client_secret: "<client secret from the provider>",
        redirect_uris: [`${dev.origin}/callback/`],
        scope: "openid",
        issuer,
        authorization_endpoint: `${issuer}/authorize/`,
        token_endpoint: `${issuer}/token/`,
        userinfo_endpoint: `${issuer}/userinfo/`,
        revocation_endpoint: `${issuer}/revoke_token/`,
        introspection_endpoint: `${issuer}/introspect/`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint_auth_method: "client_secret_basic",
        body_encoding: "form",
      },
    ]);
  });

  it("follows the same redirect from the page when the server allows CORS on it", async () => {
    const issuer = issuers.issuer("cors");
    const before = issuers.requests.length;
    await _discover(issuer);
    expect(await page.getByTestId("discovered").textContent()).toBe(
      `Found the metadata of ${issuer} from the page, read at ${issuer}${OPENID}/ after a trailing-slash redirect.`,
    );
    expect(await page.locator("ol.attempts").textContent()).toBe(
      `${issuer}${OPENID} from the page: redirected to ${issuer}${OPENID}/ (a trailing slash added), then 200`,
    );
    expect(issuers.requests.slice(before).map((r) => r.path)).toEqual([`/cors${OPENID}`, `/cors${OPENID}/`]);
  });

  it("refuses a redirect to another origin in words, and the relay never calls it", async () => {
    await _discover(issuers.issuer("moved"), "discovery-problem");
    const problem = (await page.getByTestId("discovery-problem").textContent()) ?? "";
    expect(problem).toBe(
      `The issuer redirects its metadata to ${issuers.elsewhere}/moved${OPENID}/, on another port (${new URL(issuers.elsewhere).port}, not ${new URL(issuers.origin).port}); tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin.`,
    );
    expect(await page.getByTestId("discovered").count()).toBe(0);
    expect(await page.getByTestId("client-draft").count()).toBe(0);
    expect(issuers.elsewhereRequests).toEqual([]);
  });

  it("reads nothing from another origin the browser was redirected to", async () => {
    await _discover(issuers.issuer("moved-cors"), "discovery-problem");
    expect(await page.getByTestId("discovery-problem").textContent()).toMatch(
      /^The issuer redirects its metadata to http:\/\/127\.0\.0\.1:\d+\/moved-cors\/\.well-known\/openid-configuration\/, on another port/,
    );
    // The browser followed (fetch cannot stop at a redirect and still read it), but nothing it read
    // from there was used, and the relay was not asked.
    expect(issuers.elsewhereRequests.map((r) => r.path)).toEqual([`/moved-cors${OPENID}/`]);
    expect(await page.getByTestId("client-draft").count()).toBe(0);
  });

  it("explains metadata naming the issuer without the slash typed, and discovers that one on request", async () => {
    const issuer = issuers.issuer("o");
    await _discover(`${issuer}/`, "discovery-problem");
    const problem = page.getByTestId("discovery-problem");
    expect(await problem.textContent()).toContain(
      `The metadata names issuer ${issuer}, not ${issuer}/: they differ in the trailing slash (the metadata's issuer has none).`,
    );
    await problem.getByRole("button", { name: `Discover ${issuer} instead` }).click();
    await page.getByTestId("discovered").waitFor();
    expect(await page.getByLabel("Issuer").inputValue()).toBe(issuer);
    expect((await _draft())[0]?.issuer).toBe(issuer);
  });

  it("explains metadata naming an issuer on another origin, and offers nothing", async () => {
    await _discover(issuers.issuer("named-elsewhere"), "discovery-problem");
    const problem = page.getByTestId("discovery-problem");
    expect(await problem.textContent()).toContain(
      "It is on another origin, so tokendesk does not offer it: if https://login.example.test really is your issuer, type it yourself.",
    );
    expect(await problem.getByRole("button").count()).toBe(0);
  });
});
