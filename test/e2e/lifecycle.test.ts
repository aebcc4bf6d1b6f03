/**
 * The token lifecycle in real Chromium tabs against a rotating authorization server: one refresh
 * for five tabs, a tab closed mid-refresh, a connection dropped after the server rotated, a
 * hand-off that makes every later refresh ask first, and a revocation the server then enforces.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelayFault } from "../../src/dev/vite-plugin.ts";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { refreshTokens } from "../support/demo-flow.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { _showValues } from "../support/values.ts";

let dev: RunningDevServer;
let browser: Browser;
const faults: RelayFault[] = [];

const refreshes = () => dev.demo.tokenRequests.filter((r) => r.grantType === "refresh_token");

/** The refresh token on screen, in clear (the page's "Show values" switch is off after a reload). */
async function _refreshToken(page: Page): Promise<string> {
  await _showValues(page);
  return (await page.getByTestId("refresh-token").textContent()) ?? "";
}

/** Authorizes and exchanges in a fresh tab; returns the tab, on its connection's page. */
async function _connect(): Promise<Page> {
  const page = await _tab();
  await page.goto(`${dev.origin}/#/authorize/demo`);
  await page.getByRole("button", { name: /^Continue to/ }).click();
  // The demo server remembers the login (and the consent) from an earlier test in this browser; a
  // revocation ends the grant, so it may ask for consent again without a login.
  const back = page.waitForURL(/#\/connections\//);
  const login = page.getByPlaceholder("Enter any login");
  const consent = page.getByRole("button", { name: "Continue", exact: true });
  const consented = consent.waitFor().then(() => "consent" as const);
  const returned = back.then(() => "back" as const);
  let next = await Promise.race([login.waitFor().then(() => "login" as const), consented, returned]);
  if (next === "login") {
    await login.fill("carol");
    await page.getByPlaceholder("and password").fill("x");
    await page.getByRole("button", { name: "Sign-in" }).click();
    next = await Promise.race([consented, returned]);
  }
  if (next === "consent") await consent.click();
  await back;
  await page.getByRole("button", { name: "Exchange" }).click();
  await page.getByTestId("refresh-token").waitFor();
  // These tests compare tokens on screen: values in clear.
  await _showValues(page);
  return page;
}

/** A new tab whose page errors fail loudly in the test log. */
async function _tab(): Promise<Page> {
  const page = await browser.context.newPage();
  page.on("pageerror", (e) => console.error(`page error in ${page.url()}: ${e.message}`));
  return page;
}

async function _open(url: string): Promise<Page> {
  const page = await _tab();
  await page.goto(url);
  await page.getByTestId("refresh-token").waitFor();
  await _showValues(page);
  return page;
}

beforeAll(async () => {
  // Access tokens of 12 s, so automatic refreshes fall due within the test.
  dev = await startDevServer({ demo: { accessTtl: 12 }, faults });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
});

describe("the refresh engine across tabs", () => {
  it("sends one refresh when five tabs need one at the same moment, and every tab shows its result", async () => {
    const first = await _connect();
    const url = first.url();
    const before = await _refreshToken(first);
    const tabs = [first, ...(await Promise.all([1, 2, 3, 4].map(() => _open(url))))];
    const countBefore = refreshes().length;
    // Turning auto-refresh on in one tab reaches all five; each plans the same instant from storage.
    await first.getByRole("spinbutton").fill("6");
    await first.getByRole("spinbutton").blur();
    await first.getByRole("checkbox", { name: "Refresh automatically" }).check();
    for (const tab of tabs) await tab.getByTestId("next-auto-refresh").waitFor();
    for (const tab of tabs) {
      await tab.waitForFunction(
        (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
        before,
        { timeout: 20_000 },
      );
    }
    const shown = await Promise.all(tabs.map(_refreshToken));
    expect(new Set(shown).size).toBe(1);
    expect(shown[0]).not.toBe(before);
    const sent = refreshes().slice(countBefore);
    expect(sent.map((r) => r.status)).toEqual([200]);
    expect(dev.demo.tokenRequests.some((r) => r.error === "invalid_grant")).toBe(false);
    // Turn it off again (and wait until stored), or any later tab would keep refreshing this one.
    await first.getByRole("checkbox", { name: "Refresh automatically" }).uncheck();
    await first.getByTestId("next-auto-refresh").waitFor({ state: "detached" });
    await Promise.all(tabs.map((t) => t.close()));
  });

  it("finishes a refresh whose tab was closed mid-request, and the other tab shows it at once", async () => {
    const a = await _connect();
    const b = await _open(a.url());
    const before = await _refreshToken(a);
    const countBefore = refreshes().length;
    faults.push({ kind: "delay", ms: 2500 });
    await a.getByRole("button", { name: "Refresh", exact: true }).click();
    await expect.poll(() => refreshes().length, { timeout: 10_000 }).toBe(countBefore + 1);
    // The provider has rotated the token; its answer is still on the way back. Close the tab now.
    await a.close();
    await b.getByRole("button", { name: "Refresh", exact: true }).click();
    await b.waitForFunction(
      (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
      before,
      { timeout: 8_000 },
    );
    const after = await _refreshToken(b);
    expect(refreshes().length).toBe(countBefore + 1);
    // Nothing was lost: the stored token is the one the server issued, and it works.
    await b.reload();
    expect(await _refreshToken(b)).toBe(after);
    await b.getByRole("button", { name: "Refresh", exact: true }).click();
    await b.waitForFunction(
      (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
      after,
    );
    expect(
      refreshes()
        .slice(countBefore)
        .map((r) => r.status),
    ).toEqual([200, 200]);
    await b.close();
  });

  it("says the outcome is unknown when the answer is lost after the server rotated, and never retries", async () => {
    const page = await _connect();
    const before = await _refreshToken(page);
    const countBefore = refreshes().length;
    await page.getByRole("checkbox", { name: "Refresh automatically" }).check();
    faults.push({ kind: "drop" });
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.getByRole("heading", { name: "Refresh: outcome unknown" }).waitFor();
    expect(await page.getByTestId("status").textContent()).toBe("Outcome of the last refresh unknown");
    await page.getByRole("link", { name: "Authorize again" }).waitFor();
    expect(await _refreshToken(page)).toBe(before);
    // The server did rotate; the page must not try again on its own, even with auto-refresh on.
    await page.waitForTimeout(7_000);
    expect(
      refreshes()
        .slice(countBefore)
        .map((r) => r.status),
    ).toEqual([200]);
    await page.reload();
    expect(await _refreshToken(page)).toBe(before);
    await page.close();
  });
});

describe("revocation", () => {
  it("revokes the refresh token once confirmed, shows it dead, and the demo server then refuses it", async () => {
    const page = await _connect();
    const token = await _refreshToken(page);
    const countBefore = refreshes().length;
    const revoke = page.getByRole("button", { name: "Revoke the refresh token (ends it for good)" });
    const dialog = page.getByRole("alertdialog", { name: "Revoke the refresh token?" });
    await revoke.click();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await page.getByTestId("status").textContent()).not.toBe("Dead: authorize again");

    await revoke.click();
    await dialog.getByRole("button", { name: "Revoke it for good" }).click();
    await page
      .locator("span.status")
      .filter({ hasText: /^revoked$/ })
      .waitFor();
    expect(await page.getByTestId("status").textContent()).toBe("Dead: authorize again");
    expect(await page.getByRole("button", { name: "Refresh", exact: true }).isDisabled()).toBe(true);
    expect(await revoke.isDisabled()).toBe(true);
    const history = page.getByTestId("history");
    expect(await history.locator("li > strong").allTextContents()).toContain("revoked");
    expect(await history.textContent()).not.toContain(token);
    // Stored before it was shown: a reload shows the same.
    await page.reload();
    await page
      .locator("span.status")
      .filter({ hasText: /^revoked$/ })
      .waitFor();

    // The page sent no refresh; the demo server now refuses one with the revoked token.
    expect(refreshes().length).toBe(countBefore);
    const refused = await refreshTokens(dev.demo, token);
    expect(refused).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(
      refreshes()
        .slice(countBefore)
        .map((r) => [r.status, r.error]),
    ).toEqual([[400, "invalid_grant"]]);
    await page.close();
  });
});

describe("hand-off to a server", () => {
  it("exports what a server needs, turns auto-refresh off, and asks before any refresh here", async () => {
    const page = await _connect();
    const token = await _refreshToken(page);
    await page.getByRole("checkbox", { name: "Refresh automatically" }).check();
    await page.getByRole("button", { name: "Export for a server" }).click();
    const env = (await page.getByTestId("handoff-env").textContent()) ?? "";
    expect(env).toContain(`OAUTH_REFRESH_TOKEN=${token}`);
    expect(env).toContain(`OAUTH_TOKEN_ENDPOINT=${dev.demo.token_endpoint}`);
    expect(env).toContain("OAUTH_CLIENT_SECRET=<your client secret>");
    expect(env).toContain("OAUTH_REFRESH_POLICY=rotating");
    expect(env).not.toContain(dev.demo.clientSecret);
    expect(await page.getByTestId("handoff-curl").textContent()).toContain('"$OAUTH_CLIENT_SECRET"');
    expect(await page.getByRole("checkbox", { name: "Refresh automatically" }).isChecked()).toBe(false);
    expect(await page.getByRole("checkbox", { name: "Refresh automatically" }).isDisabled()).toBe(true);
    expect(await page.getByTestId("status").textContent()).toBe("Handed off to a server");

    const countBefore = refreshes().length;
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    const dialog = page.getByRole("alertdialog", { name: "Refresh a handed-off token?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await page.waitForTimeout(500);
    expect(refreshes().length).toBe(countBefore);
    expect(await _refreshToken(page)).toBe(token);

    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await dialog.getByRole("button", { name: "Refresh anyway" }).click();
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
      token,
    );
    expect(refreshes().length).toBe(countBefore + 1);
    const history = await page.getByTestId("history").locator("li > strong").allTextContents();
    expect(history).toContain("exported");
    await page.close();
  });
});
