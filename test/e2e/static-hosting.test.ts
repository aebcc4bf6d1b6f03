/**
 * The built app on the plainest static host, as GitHub Pages serves a project site: `dist/` under a
 * sub-path (`/tokendesk/`) of a file server with no rewrite rules, and the relay running on its own
 * on another origin (`npm run relay`'s server), found through `config.json`. Chromium walks
 * authorize → exchange → refresh across the two origins; the same build then loads from a root.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoServer, startDemoServer } from "../../src/dev/demo-server.ts";
import { loadRelayOptions } from "../../src/relay/config.ts";
import { type RelayServer, startRelayServer } from "../../src/relay/node.ts";
import { type BuiltApp, buildApp } from "../support/build.ts";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { type StaticServer, startStaticServer } from "../support/static-server.ts";

const MOUNT = "/tokendesk/";

let built: BuiltApp;
let site: StaticServer;
let rootSite: StaticServer;
let demo: DemoServer;
let relay: RelayServer;
let browser: Browser;
let page: Page;
const relayLog: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  built = await buildApp();
  site = await startStaticServer(built.outDir, MOUNT);
  rootSite = await startStaticServer(built.outDir, "/");
  demo = await startDemoServer({ redirectUris: [`${site.url}callback/`] });
  // The relay as an operator runs it: its whole configuration from the environment.
  const options = loadRelayOptions({
    TOKENDESK_CLIENTS: JSON.stringify([
      {
        id: "demo",
        provider: "demo",
        client_id: demo.clientId,
        client_secret: demo.clientSecret,
        redirect_uris: [`${site.url}callback/`],
        scope: demo.scope,
        issuer: demo.issuer,
        authorization_endpoint: demo.authorization_endpoint,
        token_endpoint: demo.token_endpoint,
      },
    ]),
    TOKENDESK_ALLOWED_ORIGINS: `${site.origin},${rootSite.origin}`,
  });
  relay = await startRelayServer({ ...options, log: (line) => relayLog.push(line) }, { port: 0 });
  // One build for every deployment: only config.json says where the relay is.
  await writeFile(join(built.outDir, "config.json"), JSON.stringify({ relay: relay.url.replace(/\/$/, "") }));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  const ours = (url: string) => url.startsWith(site.origin) || url.startsWith(rootSite.origin);
  page.on("console", (m) => {
    if (m.type() === "error" && ours(page.url())) consoleErrors.push(`${m.text()} at ${m.location().url}`);
  });
  page.on("pageerror", (e) => {
    if (ours(page.url())) consoleErrors.push(e.message);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await relay?.close();
  await demo?.close();
  await site?.close();
  await rootSite?.close();
  await built?.remove();
});

describe("the built app under a sub-path of a plain static host, with the relay on another origin", () => {
  it("loads from the sub-path and lists the relay's client with the sub-path's redirect URI", async () => {
    expect(new URL(relay.url).origin).not.toBe(site.origin);
    await page.goto(site.url);
    await page.getByRole("heading", { name: /demo · Demo authorization server/ }).waitFor();
    expect(await page.getByTestId("redirect-uri").textContent()).toBe(`${site.url}callback/`);
    // Every file came from under the sub-path, and none was missing.
    expect(site.requested.every((path) => path.startsWith(MOUNT))).toBe(true);
    expect(relayLog).toContainEqual(expect.stringMatching(/^GET \/relay\/clients 200 ms=\d+$/));
  });

  it("authorizes at the demo server and comes back to the sub-path's callback with a clean address", async () => {
    await page.getByRole("link", { name: "Authorize" }).click();
    const url = new URL((await page.getByTestId("authorization-url").textContent()) ?? "");
    expect(url.searchParams.get("redirect_uri")).toBe(`${site.url}callback/`);
    await page.getByRole("button", { name: /^Continue to 127\.0\.0\.1:\d+$/ }).click();
    await page.getByPlaceholder("Enter any login").fill("alice");
    await page.getByPlaceholder("and password").fill("anything");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/#\/connections\//);
    expect(page.url().startsWith(`${site.url}#/connections/`)).toBe(true);
    expect(page.url()).not.toMatch(/[?&](code|state)=/);
    expect(site.requested).toContain(`${MOUNT}callback/`);
    expect((await page.getByTestId("code").textContent())?.length).toBeGreaterThan(20);
  });

  it("exchanges the code through the relay on the other origin", async () => {
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor();
    const last = page.getByRole("region", { name: /^Last exchange · code exchange/ });
    const sent = (await last.getByTestId("sent-request").textContent()) ?? "";
    expect(sent).toContain(`POST ${demo.token_endpoint}`);
    expect(sent).toContain("Basic [redacted]");
    expect(demo.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([["authorization_code", 200]]);
    // Cross-origin for real: the browser asked the relay's permission before sending the JSON body.
    expect(relayLog).toContainEqual(expect.stringMatching(/^OPTIONS \/relay\/token 204 ms=\d+$/));
    expect(relayLog).toContainEqual(
      expect.stringMatching(
        /^POST \/relay\/token 200 client=demo grant=authorization_code upstream=200 ms=\d+$/,
      ),
    );
  });

  it("refreshes through the relay, replacing the rotated refresh token", async () => {
    const first = (await page.getByTestId("refresh-token").textContent()) ?? "";
    expect(first.length).toBeGreaterThan(20);
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
      first,
    );
    expect(demo.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 200],
      ["refresh_token", 200],
    ]);
    expect(relayLog.filter((line) => line.startsWith("POST /relay/token 200"))).toHaveLength(2);
  });

  it("kept the secret out of the page and met no CSP or other console error across origins", async () => {
    const basic = Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString("base64");
    const html = await page.content();
    expect(html).not.toContain(demo.clientSecret);
    expect(html).not.toContain(basic);
    expect(consoleErrors).toEqual([]);
  });
});

describe("the same build at the root of another host", () => {
  it("loads, finds the relay through config.json, and names the root's callback as redirect URI", async () => {
    const rootPage = await browser.context.newPage();
    try {
      await rootPage.goto(rootSite.url);
      await rootPage.getByRole("heading", { name: /demo · Demo authorization server/ }).waitFor();
      expect(await rootPage.getByTestId("redirect-uri").textContent()).toBe(`${rootSite.origin}/callback/`);
      const callback = await fetch(`${rootSite.origin}/callback/`);
      expect(callback.status).toBe(200);
      expect(await callback.text()).toContain("<title>tokendesk · callback</title>");
      expect(rootSite.requested.filter((path) => path.startsWith(MOUNT))).toEqual([]);
    } finally {
      await rootPage.close();
    }
    expect(consoleErrors).toEqual([]);
  });
});
