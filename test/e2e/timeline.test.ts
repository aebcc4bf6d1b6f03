/**
 * The timeline in headless Chromium for the demo walk: authorize, exchange, refresh, hand off, a
 * refresh elsewhere, and the invalid_grant that follows here. Keyboard only from a mark to its
 * history line; the saved SVG and PNG downloaded and scanned for every token, code, verifier and
 * secret the connection held; the same picture drawn from the connection's bundle in the support desk.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Download, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { refreshTokens } from "../support/demo-flow.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { _showValues, _tokenValue } from "../support/values.ts";

let dev: RunningDevServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
/** Every credential value the walk saw, in the page or at the server that was handed the token. */
const held = new Set<string>();

beforeAll(async () => {
  dev = await startDevServer();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && page.url().startsWith(dev.origin) && !/status of 404/.test(m.text()))
      consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
});

/** A token field's value in clear (read with "Show values" on, then masked again). */
async function _value(testId: string): Promise<string> {
  const value = await _tokenValue(page, testId);
  if (value.length >= 8) held.add(value);
  return value;
}

/** The page's stored records, read from IndexedDB as the app wrote them. */
async function _storedSecrets(): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open("tokendesk");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction("records").objectStore("records").getAll();
          request.onsuccess = () => {
            const values: string[] = [];
            for (const record of request.result as Array<Record<string, unknown>>) {
              const auth = record.authorization as
                | { code?: string; codeVerifier?: string }
                | null
                | undefined;
              const tokens = record.tokenSet as Record<string, string | null> | null | undefined;
              for (const v of [
                auth?.code,
                auth?.codeVerifier,
                tokens?.accessToken,
                tokens?.refreshToken,
                tokens?.idToken,
              ]) {
                if (typeof v === "string") values.push(v);
              }
            }
            resolve(values);
          };
        };
      }),
  );
}

async function _download(click: () => Promise<void>): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const path = await download.path();
  return { download, bytes: await readFile(path) };
}

async function _focusedLabel(): Promise<string> {
  return page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? "");
}

function _sha8(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 8);
}

describe("the timeline of the demo walk", () => {
  let refreshTokenHere = "";

  it("walks authorize → exchange → refresh → hand-off, a refresh elsewhere, then invalid_grant here", async () => {
    await page.goto(`${dev.origin}/#/authorize/demo`);
    await page.getByRole("button", { name: /^Continue to / }).click();
    await page.getByPlaceholder("Enter any login").fill("erin");
    await page.getByPlaceholder("and password").fill("x");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.waitForURL(/#\/connections\//);
    await _value("code");
    for (const v of await _storedSecrets()) held.add(v);
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor();
    await _value("access-token");
    const first = await _value("refresh-token");
    if (await page.getByTestId("id-token").count()) await _value("id-token");
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    // The token is masked, so the history says when it rotated.
    await page.getByTestId("history").getByText("rotated", { exact: true }).waitFor();
    await _value("access-token");
    refreshTokenHere = await _value("refresh-token");
    expect(refreshTokenHere).not.toBe(first);
    for (const v of await _storedSecrets()) held.add(v);
    await page.getByRole("button", { name: "Export for a server" }).click();
    await _showValues(page);
    const handoff = JSON.parse((await page.getByTestId("handoff-json").textContent()) ?? "{}") as {
      refresh_token: string;
    };
    await _showValues(page, false);
    expect(handoff.refresh_token).toBe(refreshTokenHere);
    // The server that was handed the token refreshes with it: the demo server rotates it there.
    const elsewhere = await refreshTokens(dev.demo, handoff.refresh_token);
    expect(elsewhere.status).toBe(200);
    for (const v of Object.values(elsewhere.body)) if (typeof v === "string" && v.length >= 16) held.add(v);
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page
      .getByRole("alertdialog")
      .getByRole("button", { name: /^Refresh/ })
      .click();
    await page.getByTestId("history").locator("li > strong", { hasText: "failed" }).waitFor();
    expect(await page.getByTestId("history").locator("li > strong").allTextContents()).toEqual([
      "authorized",
      "exchanged",
      "refreshed",
      "rotated",
      "exported",
      "failed",
    ]);
  });

  it("draws the code, both access tokens, the lineage ending in invalid_grant, and says so in words", async () => {
    const picture = page.getByTestId("timeline-picture");
    await picture.waitFor();
    const summary = (await page.getByTestId("timeline-summary").textContent()) ?? "";
    expect(summary).toMatch(
      new RegExp(
        `^2 access tokens, 1 refresh, 1 rotation\\. Code received \\d\\d:\\d\\d:\\d\\d, sent for exchange \\d\\d:\\d\\d:\\d\\d\\. invalid_grant at \\d\\d:\\d\\d:\\d\\d after the hand-off at \\d\\d:\\d\\d:\\d\\d \\(most likely a refresh elsewhere spent the refresh token\\)\\. Now: access token 2 valid until \\d\\d:\\d\\d:\\d\\d; refresh token ${_sha8(refreshTokenHere)} refused since`,
      ),
    );
    const lane = (name: string) => page.getByRole("group", { name, exact: true }).getByRole("button");
    expect(await lane("Access tokens").count()).toBe(2);
    expect(await lane("Refresh token lineage").first().getAttribute("aria-label")).toMatch(
      /^Refresh token [0-9a-f]{8}, 1 of 2 in its lineage/,
    );
    await expect(
      page.getByRole("button", { name: /failed Refresh failed: 400\. .*invalid_grant/ }).count(),
    ).resolves.toBe(1);
    expect(await picture.getAttribute("aria-describedby")).toBe(
      await page.getByTestId("timeline-summary").getAttribute("id"),
    );
  });

  it("goes from the picture's marks to the history line with the keyboard only", async () => {
    await page.getByRole("button", { name: "Everything" }).focus();
    await page.keyboard.press("Tab");
    expect(await _focusedLabel()).toMatch(/^Authorization code received /);
    // Down to the history's lane, then to its last mark: the invalid_grant.
    for (let i = 0; i < 3; i += 1) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");
    const label = await _focusedLabel();
    expect(label).toMatch(/ failed Refresh failed: 400\. .*\(invalid_grant\)\.$/);
    const detail = (await page.getByTestId("timeline-detail").textContent()) ?? "";
    expect(detail).toContain("UTC");
    await page.keyboard.press("Enter");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { tag: el?.tagName, id: el?.id, inHistory: el?.closest("[data-testid='history']") !== null };
    });
    expect(focused).toMatchObject({ tag: "LI", inHistory: true });
    expect(focused.id).toMatch(/^history-/);
    // The entry says what the mark said.
    const entry = page.locator(`[id="${focused.id}"]`);
    expect(label).toContain(((await entry.locator("strong").textContent()) ?? "").trim());
    expect(await entry.textContent()).toContain("Refresh failed: 400.");
    const inView = await entry.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    expect(inView).toBe(true);
  });

  it("saves an SVG and a PNG that hold no token, code, verifier or secret the connection held", async () => {
    const secret = dev.demo.clientSecret;
    const forbidden = [
      ...held,
      secret,
      Buffer.from(`${dev.demo.clientId}:${secret}`).toString("base64"),
    ].filter((v) => v.length >= 8);
    expect(forbidden.length).toBeGreaterThanOrEqual(8);
    const svg = await _download(() => page.getByRole("button", { name: "Save picture (SVG)" }).click());
    expect(svg.download.suggestedFilename()).toMatch(/^tokendesk-timeline-demo-demo-\d{4}-\d\d-\d\d\.svg$/);
    const text = svg.bytes.toString("utf8");
    expect(text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg /);
    expect(text).toContain("<title>Timeline of ");
    expect(text).toContain("<desc>2 access tokens, 1 refresh, 1 rotation.");
    // Fingerprints, yes; what they stand for, never.
    expect(text).toContain(_sha8(refreshTokenHere));
    for (const value of forbidden) {
      for (const form of [value, encodeURIComponent(value), value.slice(0, 24)]) {
        expect(text.includes(form), `the SVG holds ${value.slice(0, 10)}…`).toBe(false);
      }
    }
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\./);
    // Stands alone: no stylesheet, no class, colours written on the shapes.
    expect(text).not.toMatch(/<link|<style|class=|tabindex/);
    expect(text).toMatch(/fill="rgb\(/);

    const png = await _download(() => page.getByRole("button", { name: "Save picture (PNG)" }).click());
    expect(png.download.suggestedFilename()).toMatch(/\.png$/);
    expect(png.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    const width = png.bytes.readUInt32BE(16);
    const height = png.bytes.readUInt32BE(20);
    const svgWidth = Number(/width="(\d+)"/.exec(text)?.[1]);
    expect(width).toBe(svgWidth * 2);
    expect(height).toBeGreaterThan(100);
  });

  it("draws the same picture from the connection's bundle in the support desk", async () => {
    const here = await page.getByTestId("timeline-summary").textContent();
    await page.getByRole("link", { name: "Diagnose in the support desk" }).click();
    await page.getByTestId("bundle-history").waitFor();
    const desk = page.getByTestId("timeline-summary");
    await desk.waitFor();
    expect((await desk.textContent())?.replace(/Now: .*$/, "")).toBe(here?.replace(/Now: .*$/, ""));
    await page.getByRole("button", { name: /failed Refresh failed: 400\./ }).focus();
    await page.keyboard.press("Enter");
    const id = await page.evaluate(() => document.activeElement?.id);
    expect(id).toBe("bundle-entry-6");
    expect(consoleErrors).toEqual([]);
  });
});
