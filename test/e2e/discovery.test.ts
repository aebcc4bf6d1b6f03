/**
 * Discovery in headless Chromium: a custom client filled from the demo authorization server's OpenID
 * metadata (read by the page: oidc-provider allows CORS), and from the FreshBooks-like emulator's
 * RFC 8414 metadata, which has no CORS headers, so the page asks the relay.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { type FreshBooksEmulator, startFreshBooksEmulator } from "../support/emulators/freshbooks.ts";

let dev: RunningDevServer;
let fb: FreshBooksEmulator;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  fb = await startFreshBooksEmulator({});
  dev = await startDevServer();
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
  await fb?.close();
});

async function _discover(issuer: string) {
  await page.getByLabel("Issuer").fill(issuer);
  await page.getByRole("button", { name: "Discover" }).click();
  await page.getByTestId("discovered").waitFor();
}

describe("discovery fills a custom client", () => {
  it("from the demo server's OpenID metadata, read by the page", async () => {
    await page.goto(`${dev.origin}/`);
    await page.getByRole("link", { name: "Discover its endpoints" }).click();
    await _discover(dev.demo.issuer);
    expect(await page.getByTestId("discovered").textContent()).toContain("from the page");
    const metadata = (await page.getByTestId("discovered-metadata").textContent()) ?? "";
    expect(metadata).toContain(dev.demo.authorization_endpoint);
    expect(metadata).toContain(dev.demo.token_endpoint);
    expect(metadata).toContain("S256 supported");
    const draft = (await page.getByTestId("client-draft").textContent()) ?? "";
    const json = JSON.parse(draft.replace(/^TOKENDESK_CLIENTS='/, "").replace(/'$/, "")) as Record<
      string,
      unknown
    >[];
    expect(json).toEqual([
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
        identity_endpoint: `${dev.demo.issuer}/me`,
        revocation_endpoint: dev.demo.revocation_endpoint,
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
