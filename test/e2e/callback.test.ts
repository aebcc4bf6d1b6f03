/**
 * The redirect URI in a real browser: answers that do not belong to an authorization started here
 * are refused, nothing is sent to the relay, and the address bar never keeps a code.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";

let dev: RunningDevServer;
let browser: Browser;
async function _page(): Promise<Page> {
  return browser.context.newPage();
}

/** Starts an authorization in the page and stops at the provider's login form; returns its state. */
async function _startAuthorization(page: Page): Promise<string> {
  await page.goto(`${dev.origin}/#/authorize/demo`);
  const url = new URL((await page.getByTestId("authorization-url").textContent()) ?? "");
  await page.getByRole("button", { name: /^Continue to/ }).click();
  await page.getByPlaceholder("Enter any login").waitFor();
  return url.searchParams.get("state") ?? "";
}

async function _login(page: Page): Promise<void> {
  await page.getByPlaceholder("Enter any login").fill("bob");
  await page.getByPlaceholder("and password").fill("x");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

beforeAll(async () => {
  dev = await startDevServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
});

describe("the callback", () => {
  it("refuses an answer whose state no authorization here started, and strips it from the address", async () => {
    const page = await _page();
    await page.goto(`${dev.origin}/callback/?code=forged-code&state=forged-state`);
    await page.getByRole("heading", { name: "Unknown or already used authorization" }).waitFor();
    expect(page.url()).toBe(`${dev.origin}/#/callback`);
    expect(dev.demo.tokenRequests).toHaveLength(0);
    // The callback's history entry was replaced, not added to: one step back leaves the app.
    await page.goBack();
    expect(page.url()).toBe("about:blank");
    await page.close();
  });

  it("refuses an answer without state", async () => {
    const page = await _page();
    await page.goto(`${dev.origin}/callback/?code=forged-code`);
    await page.getByRole("heading", { name: "This answer carries no state" }).waitFor();
    expect(page.url()).not.toContain("forged-code");
    await page.close();
  });

  it("shows a provider's error description as text, never as markup", async () => {
    const page = await _page();
    const state = await _startAuthorization(page);
    const hostile = '<img src=x onerror="window.__pwned=1">';
    await page.goto(
      `${dev.origin}/callback/?error=access_denied&error_description=${encodeURIComponent(hostile)}&state=${state}`,
    );
    await page.getByRole("heading", { name: "The provider did not authorize" }).waitFor();
    expect(await page.getByRole("alert").textContent()).toContain(
      `The provider answered "access_denied": ${hostile}`,
    );
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.close();
  });

  it("uses a code once: a reload, the back button or a second tab does not send it again", async () => {
    const page = await _page();
    let callbackUrl = "";
    page.on("request", (r) => {
      if (r.url().startsWith(`${dev.origin}/callback/?`)) callbackUrl = r.url();
    });
    await _startAuthorization(page);
    await _login(page);
    await page.waitForURL(/#\/connections\//);
    expect(callbackUrl).toContain("code=");
    await page.reload();
    await page.getByRole("button", { name: "Exchange" }).waitFor();

    const second = await _page();
    await second.goto(callbackUrl);
    await second.getByRole("heading", { name: "Unknown or already used authorization" }).waitFor();
    await second.close();

    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor();
    await page.goBack();
    await page.goto(callbackUrl);
    await page.getByRole("heading", { name: "Unknown or already used authorization" }).waitFor();
    expect(dev.demo.tokenRequests.filter((r) => r.grantType === "authorization_code")).toHaveLength(1);
    await page.close();
  });
});
