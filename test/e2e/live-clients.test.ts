/**
 * `npm run client -- add` while the dev server runs, in headless Chromium: the page lists the new
 * client without a reload (the dev server pushes the change), the demo server keeps running, and a
 * bad entry keeps the previous clients and says what is wrong, on the page and in the terminal.
 * The .env files live in a temporary directory: the developer's own .env.local is never touched.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { createLogger } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { _axe } from "../support/axe.ts";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { _runClient } from "../support/cli.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";

const SECRET = "live-Secret-Rk4mW8vJ";
let dir: string;
let dev: RunningDevServer;
let browser: Browser;
let page: Page;
const terminal: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tokendesk-live-"));
  // What the dev server prints, as a person would read it in the terminal.
  const logger = createLogger("info", { allowClearScreen: false });
  for (const level of ["info", "warn", "error"] as const) {
    logger[level] = (message) => {
      terminal.push(message);
    };
  }
  dev = await startDevServer({ envDir: dir }, { hmr: true, customLogger: logger });
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
  rmSync(dir, { recursive: true, force: true });
});

const heading = (name: RegExp) => page.getByRole("heading", { name });

describe("clients added while npm start runs", () => {
  it("appear on the open page without a reload, and the demo server keeps running", async () => {
    await page.goto(`${dev.origin}/`);
    await heading(/^demo · Demo authorization server$/).waitFor();
    // Survives only if the page is never reloaded.
    await page.evaluate(() => {
      (window as unknown as { marker: string }).marker = "same page";
    });
    const issuer = dev.demo.issuer;

    const added = await _runClient(
      [
        "add",
        "--provider",
        "freeagent",
        "--environment",
        "sandbox",
        "--client-id",
        "fa-app",
        "--id",
        "books",
        "--redirect-uri",
        `${dev.origin}/callback/`,
        "--env-path",
        join(dir, ".env.local"),
      ],
      `${SECRET}\n`,
    );
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);

    await heading(/^books · FreeAgent · sandbox$/).waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe("same page");
    // No registration warning: the redirect URI given is this page's.
    const card = page.getByRole("article").filter({ has: heading(/^books/) });
    expect(await card.getByRole("note").count()).toBe(0);
    const clients = (await (await fetch(`${dev.origin}/relay/clients`)).json()) as {
      clients: { id: string; issuer: string | null }[];
    };
    expect(clients.clients.map((c) => c.id)).toEqual(["demo", "books"]);
    expect(clients.clients[0]?.issuer).toBe(issuer);
    await expect
      .poll(() => terminal.join("\n"))
      .toContain("tokendesk: relay clients demo, books (added books)");
  });

  it("keeps the previous clients when an entry is bad, and says what is wrong on the page and in the terminal", async () => {
    const file = join(dir, ".env.local");
    const good = readFileSync(file, "utf8");
    // A hand edit: a second client without redirect URIs.
    const clients = JSON.parse(/TOKENDESK_CLIENTS='(.*)'/.exec(good)?.[1] ?? "[]") as unknown[];
    const bad = [
      ...clients,
      { id: "xero", provider: "xero", client_id: "x", client_secret: "xero-Secret-1" },
    ];
    writeFileSync(file, `TOKENDESK_CLIENTS='${JSON.stringify(bad)}'\n`);

    const problem = "TOKENDESK_CLIENTS[1].redirect_uris must be a non-empty array of absolute URLs.";
    const alert = page.getByTestId("relay-config-error");
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`What is wrong: ${problem}`);
    expect(await alert.getAttribute("role")).toBe("alert");
    await heading(/^books · FreeAgent · sandbox$/).waitFor();
    expect(await heading(/^xero/).count()).toBe(0);
    // Readable and accessible where a newcomer meets it: light, dark, and 360 px wide.
    await page.setViewportSize({ width: 360, height: 800 });
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await _axe(page), colorScheme).toEqual([]);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.setViewportSize({ width: 1100, height: 900 });
    await expect.poll(() => terminal.join("\n")).toContain(`and still serves demo, books: ${problem}`);

    // Fixed by hand: the list follows and the problem goes.
    const fixed = [...clients, { ...(bad[1] as object), redirect_uris: [`${dev.origin}/callback/`] }];
    writeFileSync(file, `TOKENDESK_CLIENTS='${JSON.stringify(fixed)}'\n`);
    await heading(/^xero · Xero · production$/).waitFor();
    await alert.waitFor({ state: "detached" });

    // Neither the page nor the terminal ever held a secret.
    const html = await page.content();
    for (const secret of [SECRET, "xero-Secret-1"]) {
      expect(html.includes(secret)).toBe(false);
      expect(terminal.join("\n").includes(secret)).toBe(false);
    }
  });

  it("follows the clients when the window gets focus, also without the dev server's push", async () => {
    // A page that never hears from the dev server, as a page served elsewhere (npm run relay) would.
    const quiet = await browser.context.newPage();
    await quiet.routeWebSocket(/./, () => {
      // Accept the connection and pass nothing on: no HMR message reaches this page.
    });
    await quiet.goto(`${dev.origin}/`);
    await quiet.getByRole("heading", { name: /^xero · Xero · production$/ }).waitFor();

    const file = join(dir, ".env.local");
    const clients = JSON.parse(/TOKENDESK_CLIENTS='(.*)'/.exec(readFileSync(file, "utf8"))?.[1] ?? "[]") as {
      id: string;
    }[];
    writeFileSync(file, `TOKENDESK_CLIENTS='${JSON.stringify(clients.filter((c) => c.id !== "xero"))}'\n`);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${dev.origin}/relay/clients`)).json()) as { clients: unknown[] }).clients
            .length,
      )
      .toBe(2);
    // The relay changed; this page has not been told. The person comes back to it (headless
    // Chromium sends no focus event on a tab switch, so the test sends the one a browser would):
    expect(await quiet.getByRole("heading", { name: /^xero/ }).count()).toBe(1);
    await quiet.evaluate(() => window.dispatchEvent(new FocusEvent("focus")));
    await expect.poll(() => quiet.getByRole("heading", { name: /^xero/ }).count()).toBe(0);
    await quiet.getByRole("heading", { name: /^books · FreeAgent · sandbox$/ }).waitFor();
    await quiet.close();
  });
});
