/**
 * The built app installed and offline, as a person meets it. On the Worker (app and relay on one
 * origin, workerd): the service worker precaches the build, a cached callback page still takes the
 * code out of the address bar, steps that need the network say "offline" instead of sending (and
 * mark nothing as sent), and a reload offline shows the connections, tokens, countdowns and history
 * while the support desk decodes a pasted JWT; every token, code and verifier stays out of the
 * page's text until "Show values". Under a sub-path of a plain static host: the same, with caches of
 * its own, and a new version offered as "a new version is ready — reload".
 */
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoServer, startDemoServer } from "../../src/dev/demo-server.ts";
import { precacheManifest } from "../../src/dev/service-worker-build.ts";
import { cachePrefix } from "../../src/offline/routes.ts";
import { _axe, _overflowing } from "../support/axe.ts";
import { type BuiltApp, buildApp } from "../support/build.ts";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { loginAndConsentInBrowser } from "../support/demo-login.ts";
import { type StaticServer, startStaticServer } from "../support/static-server.ts";
import { _showValues, _tokenValue } from "../support/values.ts";
import { bundleWorker, type RunningWorkerd, startWorkerd, type WorkerBundle } from "../support/workerd.ts";

const MOUNT = "/tokendesk/";
const PASTE = "Paste a token, a token response, an exported connection or a diagnostic bundle";

let built: BuiltApp;
let workerAssets: string;
let siteDir: string;
let site: StaticServer;
let demo: DemoServer;
let workerBundle: WorkerBundle;
let workerd: RunningWorkerd;
let workerOrigin: string;
let browser: Browser;
let page: Page;
/** Every response the pages saw, with whether the service worker gave it. */
const responses: Array<{ url: string; method: string; fromServiceWorker: boolean }> = [];
const pageErrors: string[] = [];
/** The connection's tokens, code and verifier, as they came and went. */
const values: string[] = [];

async function _freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function _watch(p: Page): void {
  p.on("response", (r: Response) =>
    responses.push({ url: r.url(), method: r.request().method(), fromServiceWorker: r.fromServiceWorker() }),
  );
  p.on("pageerror", (e) => pageErrors.push(`${e.message} at ${p.url()}`));
}

/** Waits until the page's service worker is active; returns its scope. */
async function _serviceWorkerActive(p: Page): Promise<string> {
  await expect
    .poll(() => p.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.state)), {
      timeout: 30_000,
    })
    .toBe("activated");
  return p.evaluate(() => navigator.serviceWorker.ready.then((r) => r.scope));
}

/** Every cache of the origin with the URLs in it. */
async function _caches(p: Page): Promise<Record<string, string[]>> {
  return p.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      out[name] = (await (await caches.open(name)).keys()).map((request) => request.url);
    }
    return out;
  });
}

/**
 * Which of `secrets` the page holds anywhere a screen share, a screen reader or a script would find
 * it: its rendered text, its text content, every attribute, form values, its address.
 */
async function _leaks(p: Page, secrets: readonly string[]): Promise<string[]> {
  return p.evaluate((list) => {
    const texts = [location.href, document.title, document.body.innerText, document.body.textContent ?? ""];
    for (const el of document.querySelectorAll("*")) {
      for (const attribute of el.attributes) texts.push(attribute.value);
      if (
        el instanceof HTMLInputElement ||
        el instanceof HTMLTextAreaElement ||
        el instanceof HTMLSelectElement
      )
        texts.push(el.value);
    }
    const all = texts.join("\n");
    return list.filter((value) => all.includes(value) || all.includes(encodeURIComponent(value)));
  }, secrets);
}

async function _openAllDetails(p: Page): Promise<void> {
  for (const d of await p.locator("details").all()) await d.evaluate((el) => el.setAttribute("open", ""));
}

/** Waits until the connection's latest ID token is verified against the issuer's keys. */
async function _idTokenVerified(p: Page): Promise<void> {
  await p.waitForFunction(
    () => document.querySelector('[data-testid="id-token-badge"]')?.textContent === "verified",
  );
}

const _relayPosts = () => workerd.stdout.filter((line) => /^POST \/relay\//.test(line));

beforeAll(async () => {
  built = await buildApp();
  workerAssets = `${built.outDir}-worker`;
  siteDir = `${built.outDir}-site`;
  await cp(built.outDir, workerAssets, { recursive: true });
  await cp(built.outDir, siteDir, { recursive: true });
  const workerPort = await _freePort();
  workerOrigin = `http://127.0.0.1:${workerPort}`;
  site = await startStaticServer(siteDir, MOUNT);
  demo = await startDemoServer({ redirectUris: [`${workerOrigin}/callback/`] });
  workerBundle = await bundleWorker();
  const clients = JSON.stringify([
    {
      id: "demo",
      provider: "demo",
      client_id: demo.clientId,
      client_secret: demo.clientSecret,
      redirect_uris: [`${workerOrigin}/callback/`],
      scope: demo.scope,
      issuer: demo.issuer,
      authorization_endpoint: demo.authorization_endpoint,
      token_endpoint: demo.token_endpoint,
      identity_endpoint: demo.userinfo_endpoint,
      revocation_endpoint: demo.revocation_endpoint,
    },
  ]);
  workerd = await startWorkerd(
    workerBundle,
    [
      {
        name: "app",
        bindings: { TOKENDESK_CLIENTS: clients, TOKENDESK_ALLOWED_ORIGINS: site.origin },
        assetsDirectory: workerAssets,
      },
    ],
    { port: workerPort },
  );
  // The static host's copy finds the Worker's relay through config.json, as GitHub Pages would.
  await writeFile(join(siteDir, "config.json"), JSON.stringify({ relay: `${workerOrigin}/relay` }));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  _watch(page);
}, 120_000);

afterAll(async () => {
  await browser?.context.setOffline(false).catch(() => undefined);
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await workerd?.close();
  await workerBundle?.remove();
  await demo?.close();
  await site?.close();
  await built?.remove();
  for (const dir of [workerAssets, siteDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe("on the Worker: app and relay on one origin", () => {
  it("installs: a manifest with icons, and a service worker that precaches the app but not the relay", async () => {
    await page.goto(`${workerOrigin}/`);
    await page.getByRole("heading", { name: /demo · Demo authorization server/ }).waitFor();
    expect(await page.locator('link[rel="manifest"]').getAttribute("href")).toBe("./manifest.webmanifest");
    const manifest = (await (await fetch(`${workerOrigin}/manifest.webmanifest`)).json()) as {
      start_url: string;
      scope: string;
      display: string;
      icons: Array<{ src: string; sizes: string; type: string }>;
    };
    expect(manifest).toMatchObject({ start_url: "./", scope: "./", display: "standalone" });
    for (const size of ["192x192", "512x512"]) {
      const icon = manifest.icons.find((i) => i.sizes === size && i.type === "image/png");
      expect(icon, size).toBeDefined();
      const answer = await fetch(new URL(icon?.src ?? "", `${workerOrigin}/`));
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toBe("image/png");
    }
    expect(await _serviceWorkerActive(page)).toBe(`${workerOrigin}/`);
    const cached = Object.values(await _caches(page)).flat();
    expect(cached).toContain(`${workerOrigin}/`);
    expect(cached).toContain(`${workerOrigin}/callback/`);
    expect(cached).toContain(`${workerOrigin}/manifest.webmanifest`);
    expect(cached.filter((url) => /\/relay\/|config\.json|\?/.test(url))).toEqual([]);
  });

  it("comes back to the cached callback page, which still takes the code out of the address bar", async () => {
    await page.getByRole("link", { name: "Authorize" }).click();
    await loginAndConsentInBrowser(page);
    const callback = responses.find((r) => r.url.startsWith(`${workerOrigin}/callback/?`));
    expect(callback?.fromServiceWorker).toBe(true);
    expect(page.url()).not.toMatch(/[?&](code|state)=/);
    const code = await _tokenValue(page, "code");
    expect(code.length).toBeGreaterThan(20);
    values.push(code);
    expect(await _leaks(page, [code])).toEqual([]);
  });

  it("offline, says so instead of exchanging the code, and leaves it unsent for later", async () => {
    const tokenRequests = demo.tokenRequests.length;
    const relayPosts = _relayPosts().length;
    await browser.context.setOffline(true);
    await page.getByTestId("offline-notice").waitFor();
    await page.getByRole("button", { name: "Exchange" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "You are offline, so the code exchange was not sent." })
      .waitFor();
    // Not marked as sent, so it can still be exchanged; a reload offline says the same.
    expect(await page.getByText("Sent for exchange", { exact: false }).count()).toBe(0);
    await page.reload();
    await page.getByRole("button", { name: "Exchange" }).waitFor();
    expect(await page.getByRole("button", { name: "Exchange" }).isDisabled()).toBe(false);
    expect(demo.tokenRequests.length).toBe(tokenRequests);
    expect(_relayPosts().length).toBe(relayPosts);
    await browser.context.setOffline(false);
    await page.getByTestId("offline-notice").waitFor({ state: "detached" });
  });

  it("exchanges, refreshes and identifies online, with every token, code and verifier masked until Show values", async () => {
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor();
    // The ID token is checked against the issuer's keys, which this client's relay finds from the
    // issuer's metadata (the client names no jwks_uri): one POST /relay/jwks per ID token.
    await _idTokenVerified(page);
    await _showValues(page);
    const sent =
      (await page
        .getByRole("region", { name: /^Last exchange/ })
        .getByTestId("sent-request")
        .textContent()) ?? "";
    const verifier = decodeURIComponent(/code_verifier=([^&\s]+)/.exec(sent)?.[1] ?? "");
    expect(sent).toContain(`code=${encodeURIComponent(values[0] ?? "")}`);
    for (const id of ["access-token", "refresh-token", "id-token"]) {
      values.push((await page.getByTestId(id).textContent()) ?? "");
    }
    await _showValues(page, false);
    values.push(verifier);

    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.getByTestId("history").getByText("rotated", { exact: true }).waitFor();
    await _idTokenVerified(page);
    const latest: string[] = [];
    for (const id of ["access-token", "refresh-token", "id-token"]) latest.push(await _tokenValue(page, id));
    values.push(...latest);
    await page.getByRole("button", { name: "Identify the account" }).click();
    await page.getByTestId("account").waitFor();
    await page.getByRole("button", { name: "Export for a server" }).click();
    await page.getByTestId("handoff-env").waitFor();
    await _openAllDetails(page);

    // Code, verifier, both access, refresh and ID tokens, none short. The two ID tokens may be the
    // same: a refresh within the second the first was issued signs the same claims again.
    expect(values).toHaveLength(8);
    expect(new Set([values[1], values[2], values[5], values[6]]).size).toBe(4);
    for (const value of values) expect(value.length).toBeGreaterThan(20);
    expect(await _leaks(page, values)).toEqual([]);
    expect(await page.getByText("hidden value", { exact: false }).count()).toBeGreaterThan(5);

    await _showValues(page);
    const [access, refresh, idToken] = latest;
    // Shown: the token fields, the last exchange (the refresh token it spent, the ones it got), the export.
    expect(await _leaks(page, values)).toEqual(expect.arrayContaining([access, refresh, idToken, values[2]]));
    expect(await page.getByTestId("handoff-env").textContent()).toContain(`OAUTH_REFRESH_TOKEN=${refresh}`);
    await _showValues(page, false);
    expect(await _leaks(page, values)).toEqual([]);

    expect(demo.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 200],
      ["refresh_token", 200],
    ]);
    expect(_relayPosts().map((line) => line.split(" ").slice(0, 3).join(" "))).toEqual([
      "POST /relay/token 200",
      "POST /relay/jwks 200",
      "POST /relay/token 200",
      "POST /relay/jwks 200",
      "POST /relay/probe 200",
    ]);
  });

  it("offline, a reload shows the connection, its countdowns and history, and refuses a refresh in words", async () => {
    const relayPosts = _relayPosts().length;
    await browser.context.setOffline(true);
    await page.reload();
    await page.getByTestId("offline-notice").waitFor();
    await page.getByTestId("refresh-token").waitFor();
    expect(await page.getByTestId("status").textContent()).toBe("Handed off to a server");
    expect(
      await page.locator("#tokens-heading ~ .token-field .countdown .left").first().textContent(),
    ).toMatch(/^expires in/);
    expect(await page.getByTestId("history").locator("li > strong").allTextContents()).toEqual(
      expect.arrayContaining(["authorized", "exchanged", "refreshed", "rotated", "exported"]),
    );
    expect(await _leaks(page, values)).toEqual([]);

    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Refresh anyway" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "You are offline, so the refresh was not sent." })
      .waitFor();
    expect(await page.getByTestId("status").textContent()).toBe("Handed off to a server");
    expect(_relayPosts().length).toBe(relayPosts);
    expect(demo.tokenRequests).toHaveLength(2);
  });

  it("offline, the support desk decodes a pasted JWT", async () => {
    await page.goto(`${workerOrigin}/#/support`);
    await page.getByLabel(PASTE).fill(values[7] ?? "");
    const facts = page.getByTestId("jwt-facts");
    await facts.waitFor();
    expect(await facts.textContent()).toContain(demo.issuer);
    expect(await page.getByTestId("inspect-summary").textContent()).not.toBe("");
  });

  it("offline, the home page lists the connection and says why the relay's clients are missing", async () => {
    await page.goto(`${workerOrigin}/`);
    await page.reload();
    await page.getByRole("heading", { name: "Connections" }).waitFor();
    expect(await page.locator("ul.connections li").count()).toBe(1);
    await page
      .getByRole("alert")
      .filter({ hasText: "You are offline: the relay's clients load when the network is back." })
      .waitFor();
    await browser.context.setOffline(false);
    // Back online, the clients load without a reload.
    await page.getByRole("heading", { name: /demo · Demo authorization server/ }).waitFor();
  });

  it("never had the service worker answer the relay or config.json, nor cache an address with a query", async () => {
    const relay = responses.filter((r) => r.url.startsWith(`${workerOrigin}/relay/`));
    const config = responses.filter((r) => r.url.startsWith(`${workerOrigin}/config.json`));
    expect(relay.length).toBeGreaterThan(0);
    expect(config.length).toBeGreaterThan(0);
    expect([...relay, ...config].filter((r) => r.fromServiceWorker)).toEqual([]);
    expect(
      responses.filter((r) => r.fromServiceWorker && r.url.startsWith(`${workerOrigin}/assets/`)).length,
    ).toBeGreaterThan(0);
    const cached = Object.values(await _caches(page)).flat();
    expect(cached.filter((url) => /\/relay\/|config\.json|\?/.test(url))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe("under a sub-path of a plain static host", () => {
  let sub: Page;

  it("installs with a scope and caches of its own, and reloads offline", async () => {
    sub = await browser.context.newPage();
    _watch(sub);
    await sub.goto(site.url);
    await sub.getByRole("heading", { name: /demo · Demo authorization server/ }).waitFor();
    expect(await _serviceWorkerActive(sub)).toBe(site.url);
    expect(site.requested).toContain(`${MOUNT}sw.js`);
    expect(site.requested.every((path) => path.startsWith(MOUNT))).toBe(true);
    const own = Object.keys(await _caches(sub)).filter((name) => name.startsWith(cachePrefix(site.url)));
    expect(own).toHaveLength(1);

    await browser.context.setOffline(true);
    await sub.reload();
    await sub.getByRole("heading", { name: "Connections" }).waitFor();
    await sub.getByTestId("offline-notice").waitFor();
    await browser.context.setOffline(false);
    await sub.getByRole("heading", { name: /demo · Demo authorization server/ }).waitFor();
  });

  it('offers a new version as "a new version is ready — reload", accessibly, and reloads into it', async () => {
    const { version } = await precacheManifest(siteDir);
    const script = await readFile(join(siteDir, "sw.js"), "utf8");
    expect(script).toContain(version);
    const next = "0123456789abcdef";
    await writeFile(join(siteDir, "sw.js"), script.replace(version, next));
    await sub.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    const notice = sub.getByText("A new version is ready — reload to use it.");
    await notice.waitFor();
    const problems: string[] = [];
    for (const scheme of ["light", "dark"] as const) {
      await sub.emulateMedia({ colorScheme: scheme });
      await sub.setViewportSize({ width: 1100, height: 900 });
      for (const v of await _axe(sub)) problems.push(`${scheme}: ${v}`);
      await sub.setViewportSize({ width: 360, height: 800 });
      for (const w of await _overflowing(sub)) problems.push(`${scheme} at 360 px: ${w}`);
    }
    expect(problems).toEqual([]);

    const reloaded = sub.waitForEvent("load");
    await sub.getByRole("button", { name: "Reload" }).click();
    await reloaded;
    await sub.getByRole("heading", { name: "Connections" }).waitFor();
    expect(await notice.count()).toBe(0);
    // The new version took over, and the older version's cache is gone.
    expect(Object.keys(await _caches(sub))).toEqual([`${cachePrefix(site.url)}${next}`]);
    expect(pageErrors).toEqual([]);
  });
});
