/**
 * The whole walk in headless Chromium: authorize at the demo server (a real oidc-provider), exchange
 * and refresh through the relay, and find everything again after a reload and a browser restart.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { refreshTokens } from "../support/demo-flow.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { _showValues } from "../support/values.ts";

let dev: RunningDevServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

function _watch(p: Page) {
  // Only tokendesk's own pages count: the demo server's pages are a provider's, not ours.
  p.on("console", (m) => {
    if (m.type() === "error" && p.url().startsWith(dev.origin))
      consoleErrors.push(`${m.text()} at ${m.location().url}`);
  });
  p.on("pageerror", (e) => {
    if (p.url().startsWith(dev.origin)) consoleErrors.push(e.message);
  });
}

beforeAll(async () => {
  dev = await startDevServer();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  _watch(page);
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
});

describe("authorize → exchange → refresh against the demo server through the relay", () => {
  let connectionUrl = "";
  let firstRefreshToken = "";
  let secondRefreshToken = "";
  /** Every one-time value and token the walk saw, which no share link may contain. */
  const seen: string[] = [];

  it("lists the relay's demo client with the redirect URI to register", async () => {
    await page.goto(`${dev.origin}/`);
    await page.getByRole("heading", { name: /demo · Demo authorization server/ }).waitFor();
    expect(await page.getByTestId("redirect-uri").textContent()).toBe(`${dev.origin}/callback/`);
    await expect(page.getByRole("button", { name: "Copy redirect URI" }).count()).resolves.toBe(1);
  });

  it("shows every parameter of the authorization URL before going there", async () => {
    await page.getByRole("link", { name: "Authorize" }).click();
    const url = new URL((await page.getByTestId("authorization-url").textContent()) ?? "");
    expect(url.origin + url.pathname).toBe(dev.demo.authorization_endpoint);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("client_id")).toBe(dev.demo.clientId);
    expect(url.searchParams.get("redirect_uri")).toBe(`${dev.origin}/callback/`);
    expect(url.searchParams.get("scope")).toBe("openid demo:read");
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    for (const name of [
      "response_type",
      "client_id",
      "redirect_uri",
      "scope",
      "state",
      "code_challenge",
      "code_challenge_method",
    ]) {
      await page.getByRole("rowheader", { name, exact: true }).waitFor();
    }
    await expect(page.getByText(/exchange it within 5 minutes/).count()).resolves.toBe(1);
  });

  it("logs in and consents at the demo server, then shows the code with a live countdown and a clean address", async () => {
    await page.getByRole("button", { name: /^Continue to 127\.0\.0\.1:\d+$/ }).click();
    await page.getByPlaceholder("Enter any login").fill("alice");
    await page.getByPlaceholder("and password").fill("anything");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/#\/connections\//);
    connectionUrl = page.url();
    expect(connectionUrl).not.toMatch(/[?&](code|state)=/);
    expect(connectionUrl.startsWith(`${dev.origin}/#/connections/`)).toBe(true);
    // Values are masked until the page's switch is on; this walk reads them.
    await _showValues(page);
    const code = await page.getByTestId("code").textContent();
    seen.push(code ?? "");
    expect(code?.length).toBeGreaterThan(20);
    const countdown = page.locator("#code-heading ~ .token-field .countdown .left");
    const first = await countdown.textContent();
    expect(first).toMatch(/^expires in 4:5\d$|^expires in 5:00$/);
    await page.waitForFunction(
      (before) =>
        document.querySelector("#code-heading ~ .token-field .countdown .left")?.textContent !== before,
      first,
    );
  });

  it("exchanges the code through the relay, showing the request as sent with the secret redacted", async () => {
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor();
    const last = page.getByRole("region", { name: /^Last exchange · code exchange/ });
    const sent = (await last.getByTestId("sent-request").textContent()) ?? "";
    expect(sent).toContain(`POST ${dev.demo.token_endpoint}`);
    expect(sent).toContain("Basic [redacted]");
    expect(sent).toContain("grant_type=authorization_code");
    expect(sent).not.toContain(dev.demo.clientSecret);
    const response = (await last.getByTestId("upstream-response").textContent()) ?? "";
    expect(response).toContain('"access_token"');
    expect(response).toContain('"refresh_token_expires_in"');
    const access = page.locator("#tokens-heading ~ .token-field").first().locator(".countdown .left");
    expect(await access.textContent()).toMatch(/^expires in (2:00|1:[0-5]\d)$/);
    const refresh = page.locator("#tokens-heading ~ .token-field").nth(1).locator(".countdown .left");
    expect(await refresh.textContent()).toMatch(/^expires in (23:5\d:\d\d|1 d 00:00:00)$/);
    firstRefreshToken = (await page.getByTestId("refresh-token").textContent()) ?? "";
    expect(firstRefreshToken.length).toBeGreaterThan(20);
    expect(dev.demo.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([["authorization_code", 200]]);
  });

  it("refreshes, replacing the rotated refresh token, and records both events", async () => {
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
      firstRefreshToken,
    );
    secondRefreshToken = (await page.getByTestId("refresh-token").textContent()) ?? "";
    seen.push((await page.getByTestId("access-token").textContent()) ?? "");
    expect(secondRefreshToken).not.toBe(firstRefreshToken);
    const last = page.getByRole("region", { name: /^Last exchange · refresh/ });
    expect(await last.getByTestId("sent-request").textContent()).toContain("grant_type=refresh_token");
    const history = page.getByTestId("history");
    await history.getByText("rotated", { exact: true }).waitFor();
    const types = await history.locator("li > strong").allTextContents();
    expect(types).toEqual(["authorized", "exchanged", "refreshed", "rotated"]);
    expect(dev.demo.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 200],
      ["refresh_token", 200],
    ]);
  });

  it("keeps the connection, token set, countdowns and history across a reload", async () => {
    await page.reload();
    await page.getByTestId("refresh-token").waitFor();
    await _showValues(page);
    expect(await page.getByTestId("refresh-token").textContent()).toBe(secondRefreshToken);
    expect(
      await page.locator("#tokens-heading ~ .token-field .countdown .left").first().textContent(),
    ).toMatch(/^expires in/);
    expect(await page.getByTestId("history").locator("li > strong").allTextContents()).toEqual([
      "authorized",
      "exchanged",
      "refreshed",
      "rotated",
    ]);
  });

  it("keeps them across closing and reopening the browser", async () => {
    const profile = browser.profile;
    await browser.close();
    browser = await launchBrowser(profile);
    page = await browser.context.newPage();
    _watch(page);
    await page.goto(connectionUrl);
    await page.getByTestId("refresh-token").waitFor();
    await _showValues(page);
    expect(await page.getByTestId("refresh-token").textContent()).toBe(secondRefreshToken);
    await page.goto(`${dev.origin}/`);
    await page.getByRole("link", { name: /^demo · / }).waitFor();
  });

  it("has the demo server refuse the rotated-out refresh token", async () => {
    const answer = await refreshTokens(dev.demo, firstRefreshToken);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_grant");
  });

  it("shares a configuration as a link without any secret, code or token, opening at the authorize step", async () => {
    seen.push(firstRefreshToken, secondRefreshToken);
    const forbidden = [
      ...seen.filter((v) => v.length > 0),
      dev.demo.clientSecret,
      Buffer.from(`${dev.demo.clientId}:${dev.demo.clientSecret}`).toString("base64"),
    ];
    await page.goto(`${dev.origin}/#/authorize/demo`);
    await page.getByTestId("authorization-url").waitFor();
    const authUrl = new URL((await page.getByTestId("authorization-url").textContent()) ?? "");
    forbidden.push(authUrl.searchParams.get("state") ?? "", authUrl.searchParams.get("code_challenge") ?? "");
    await page.getByLabel("Scope").fill("openid");
    await page.getByLabel("Scope").blur();
    const extra = page.getByLabel(/Extra authorization parameters/);
    await extra.fill(`code=${seen[0]}`);
    await extra.blur();
    await page.getByText(/"code" cannot be an extra parameter/).waitFor();
    await extra.fill("prompt=consent\nlogin_hint=ops@example.com");
    await extra.blur();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="share-link"]')?.textContent?.includes("prompt"),
    );
    const link = (await page.getByTestId("share-link").textContent()) ?? "";
    // Decode every layer a reader might: the URL, its hash, and the hash's query.
    const url = new URL(link);
    const decoded = [link, decodeURIComponent(link), url.hash, decodeURIComponent(url.hash)];
    const query = new URLSearchParams(url.hash.split("?")[1] ?? "");
    decoded.push(...[...query].flat());
    for (const value of forbidden) {
      for (const text of decoded)
        expect(text.includes(value), "a share link holds a secret, code or token").toBe(false);
    }
    expect(Object.fromEntries(query)).toEqual({
      provider: "demo",
      scope: "openid",
      "x.prompt": "consent",
      "x.login_hint": "ops@example.com",
    });

    const other = await browser.context.newPage();
    await other.goto(link);
    const opened = new URL((await other.getByTestId("authorization-url").textContent()) ?? "");
    expect(opened.searchParams.get("scope")).toBe("openid");
    expect(opened.searchParams.get("prompt")).toBe("consent");
    expect(opened.searchParams.get("login_hint")).toBe("ops@example.com");
    expect(opened.searchParams.get("state")).not.toBe(authUrl.searchParams.get("state"));
    await other.close();
  });

  it("never put the client secret in the page, and logged no errors", async () => {
    const basic = Buffer.from(`${dev.demo.clientId}:${dev.demo.clientSecret}`).toString("base64");
    const html = await page.content();
    expect(html).not.toContain(dev.demo.clientSecret);
    expect(html).not.toContain(basic);
    expect(consoleErrors).toEqual([]);
  });

  it("registers no service worker from the dev server, so hot reload serves every change", async () => {
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length))).toBe(
      0,
    );
  });
});
