/**
 * One build, three ways to host it. On the plainest static host, as GitHub Pages serves a project
 * site: `dist/` under a sub-path (`/tokendesk/`) of a file server with no rewrite rules, the relay
 * running on its own on another origin (`npm run relay`'s server), found through `config.json`;
 * Chromium walks authorize → exchange → refresh across the two origins. At the root of another
 * host. And as Cloudflare serves it: the Worker in workerd with `dist/` as its static assets and
 * the relay on the same origin, walked the same way.
 */
import { cp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoServer, startDemoServer } from "../../src/dev/demo-server.ts";
import { loadRelayOptions } from "../../src/relay/config.ts";
import { type RelayServer, startRelayServer } from "../../src/relay/node.ts";
import { type BuiltApp, buildApp } from "../support/build.ts";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { loginAndConsentInBrowser } from "../support/demo-login.ts";
import { type StaticServer, startStaticServer } from "../support/static-server.ts";
import { expectThemesFollowSystemAndSwitch } from "../support/themes.ts";
import { _tokenValue } from "../support/values.ts";
import { bundleWorker, type RunningWorkerd, startWorkerd, type WorkerBundle } from "../support/workerd.ts";

const MOUNT = "/tokendesk/";

let built: BuiltApp;
let site: StaticServer;
let rootSite: StaticServer;
let demo: DemoServer;
let relay: RelayServer;
let workerBundle: WorkerBundle;
let workerd: RunningWorkerd;
let workerOrigin: string;
let browser: Browser;
let page: Page;
const relayLog: string[] = [];
const consoleErrors: string[] = [];

/** The relay's demo client, for a page whose callback is `redirectUri`. */
function _demoClients(redirectUri: string): string {
  return JSON.stringify([
    {
      id: "demo",
      provider: "demo",
      client_id: demo.clientId,
      client_secret: demo.clientSecret,
      redirect_uris: [redirectUri],
      scope: demo.scope,
      issuer: demo.issuer,
      authorization_endpoint: demo.authorization_endpoint,
      token_endpoint: demo.token_endpoint,
      revocation_endpoint: demo.revocation_endpoint,
    },
  ]);
}

/** A port on 127.0.0.1 that was free a moment ago: the Worker's redirect URI must be known first. */
async function _freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  built = await buildApp();
  // The Worker serves the build as it comes, with the default config.json (the relay on its origin).
  const workerAssets = `${built.outDir}-worker`;
  await cp(built.outDir, workerAssets, { recursive: true });
  site = await startStaticServer(built.outDir, MOUNT);
  rootSite = await startStaticServer(built.outDir, "/");
  const workerPort = await _freePort();
  workerOrigin = `http://127.0.0.1:${workerPort}`;
  demo = await startDemoServer({ redirectUris: [`${site.url}callback/`, `${workerOrigin}/callback/`] });
  workerBundle = await bundleWorker();
  workerd = await startWorkerd(
    workerBundle,
    [
      {
        name: "app",
        bindings: { TOKENDESK_CLIENTS: _demoClients(`${workerOrigin}/callback/`) },
        assetsDirectory: workerAssets,
      },
    ],
    { port: workerPort },
  );
  // The relay as an operator runs it: its whole configuration from the environment.
  const options = loadRelayOptions({
    TOKENDESK_CLIENTS: _demoClients(`${site.url}callback/`),
    TOKENDESK_ALLOWED_ORIGINS: `${site.origin},${rootSite.origin}`,
  });
  relay = await startRelayServer({ ...options, log: (line) => relayLog.push(line) }, { port: 0 });
  // One build for every deployment: only config.json says where the relay is.
  await writeFile(join(built.outDir, "config.json"), JSON.stringify({ relay: relay.url.replace(/\/$/, "") }));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  const ours = (url: string) =>
    url.startsWith(site.origin) || url.startsWith(rootSite.origin) || url.startsWith(workerOrigin);
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
  await workerd?.close();
  await workerBundle?.remove();
  await demo?.close();
  await site?.close();
  await rootSite?.close();
  await built?.remove();
  if (built) await rm(`${built.outDir}-worker`, { recursive: true, force: true });
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
    await loginAndConsentInBrowser(page);
    expect(page.url().startsWith(`${site.url}#/connections/`)).toBe(true);
    expect(page.url()).not.toMatch(/[?&](code|state)=/);
    expect(site.requested).toContain(`${MOUNT}callback/`);
    expect((await _tokenValue(page, "code")).length).toBeGreaterThan(20);
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
    const first = await _tokenValue(page, "refresh-token");
    expect(first.length).toBeGreaterThan(20);
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.getByTestId("history").getByText("rotated", { exact: true }).waitFor();
    expect(await _tokenValue(page, "refresh-token")).not.toBe(first);
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

  it("follows the system's light or dark setting until the theme switch overrides it", async () => {
    const page = await browser.context.newPage();
    try {
      await expectThemesFollowSystemAndSwitch(page, rootSite.url);
    } finally {
      await page.close();
    }
  });
});

describe("the same build as Cloudflare serves it: the Worker with static assets and the relay on one origin", () => {
  it("walks authorize → exchange → refresh with the Worker's security headers and no CORS at all", async () => {
    // A browser of its own: the demo server must not remember the login of the walk above.
    const workerBrowser = await launchBrowser();
    const workerPage = await workerBrowser.context.newPage();
    // Only tokendesk's own pages count: the demo server's pages are a provider's, not ours.
    workerPage.on("console", (m) => {
      if (m.type() === "error" && workerPage.url().startsWith(workerOrigin)) {
        consoleErrors.push(`${m.text()} at ${m.location().url}`);
      }
    });
    const before = demo.tokenRequests.length;
    try {
      const landing = await workerPage.goto(`${workerOrigin}/`);
      const headers = landing?.headers() ?? {};
      expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(headers["referrer-policy"]).toBe("no-referrer");
      expect(headers["x-content-type-options"]).toBe("nosniff");
      await workerPage.getByRole("heading", { name: /demo · Demo authorization server/ }).waitFor();
      expect(await workerPage.getByTestId("redirect-uri").textContent()).toBe(`${workerOrigin}/callback/`);
      await workerPage.getByRole("link", { name: "Authorize" }).click();
      await loginAndConsentInBrowser(workerPage);
      expect(workerPage.url().startsWith(`${workerOrigin}/#/connections/`)).toBe(true);
      await workerPage.getByRole("button", { name: "Exchange" }).click();
      await workerPage.getByTestId("access-token").waitFor();
      await workerPage.getByRole("button", { name: "Refresh", exact: true }).click();
      await workerPage.getByTestId("history").getByText("rotated", { exact: true }).waitFor();
    } finally {
      await workerBrowser.close();
      await removeProfile(workerBrowser.profile);
    }
    expect(demo.tokenRequests.slice(before).map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 200],
      ["refresh_token", 200],
    ]);
    // Same origin: the browser sent no preflight, and the Worker logged both token requests.
    expect(workerd.stdout.filter((line) => line.startsWith("OPTIONS "))).toEqual([]);
    expect(workerd.stdout.filter((line) => /^POST \/relay\/token 200 client=demo /.test(line))).toHaveLength(
      2,
    );
    expect(consoleErrors, consoleErrors.join("\n")).toEqual([]);
  });
});
