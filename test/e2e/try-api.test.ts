/**
 * "Try the API" in headless Chromium against the demo server's protected resource, through the relay:
 * a sample read, a write that asks first, the answer as a tree and as text, history without query
 * values, curl; accessibility in light and dark and at 360 px; and, with a short-lived access token, an
 * expired token that offers a refresh first and is refused by the API when sent anyway.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { _axe, _overflowing } from "../support/axe.ts";
import { launchBrowser, removeProfile } from "../support/chromium.ts";
import { refreshTokens } from "../support/demo-flow.ts";
import { loginAndConsentInBrowser } from "../support/demo-login.ts";
import { startDevServer } from "../support/dev-server.ts";
import { _showValues, _tokenValue } from "../support/values.ts";

/** Starts a dev server and a browser on it; console errors on tokendesk's own pages are collected. */
async function _start(demo: { accessTtl?: number } = {}) {
  const dev = await startDevServer({ demo });
  const browser = await launchBrowser();
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && page.url().startsWith(dev.origin)) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { dev, browser, page, errors };
}

/** Authorizes the demo client and exchanges its code; returns once the tokens are on the page. */
async function _connect(page: Page, origin: string, login: string): Promise<void> {
  await page.goto(`${origin}/#/authorize/demo`);
  await page.getByTestId("authorization-url").waitFor();
  await loginAndConsentInBrowser(page, login);
  await page.getByRole("button", { name: "Exchange" }).click();
  await page.getByTestId("access-token").waitFor();
}

function _panel(page: Page) {
  return page.getByRole("region", { name: /^Try the API/ });
}

describe("Try the API against the demo server", () => {
  let run: Awaited<ReturnType<typeof _start>>;
  let page: Page;

  beforeAll(async () => {
    run = await _start();
    page = run.page;
  });

  afterAll(async () => {
    await run?.browser.close();
    if (run) await removeProfile(run.browser.profile);
    await run?.dev.close();
  });

  it("reads the protected resource with a sample: one call through the relay, the answer as a tree and as text", async () => {
    await _connect(page, run.dev.origin, "dana");
    const panel = _panel(page);
    expect(await panel.getByLabel("URL", { exact: true }).inputValue()).toBe(run.dev.demo.api_base_url);
    await panel.getByRole("button", { name: /^GET Who am I/ }).click();
    expect(await panel.getByLabel("URL", { exact: true }).inputValue()).toBe(
      `${run.dev.demo.api_base_url}profile`,
    );
    expect(await panel.getByTestId("api-badge").textContent()).toBe("read-only");
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await panel.getByTestId("api-answer").waitFor();
    expect(await panel.getByTestId("api-status").textContent()).toBe("200");
    const tree = panel.getByRole("list", { name: "The answer's JSON" });
    expect(await tree.textContent()).toContain('sub: "dana"');
    expect(await panel.getByTestId("api-body").textContent()).toContain(
      `"client_id": "${run.dev.demo.clientId}"`,
    );
    expect(run.dev.demo.apiRequests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/api/profile", 200],
    ]);
    const sent =
      (await panel.getByText("The request as the relay sent it").locator("..").textContent()) ?? "";
    expect(sent).toContain("Bearer [redacted]");
  });

  it("asks before a POST, sends it once confirmed, and lists the note it made", async () => {
    const panel = _panel(page);
    await panel.getByLabel("Method").selectOption("POST");
    expect(await panel.getByTestId("api-badge").textContent()).toBe("may change data");
    await panel.getByLabel("URL", { exact: true }).fill(`${run.dev.demo.api_base_url}notes`);
    await panel.getByLabel(/^Headers/).fill("Accept: application/json\nContent-Type: application/json");
    await panel.getByLabel(/^Body/).fill('{"text": "from the browser"');
    expect(await panel.getByTestId("api-check").textContent()).toMatch(/The body is not valid JSON/);
    await panel.getByLabel(/^Body/).fill('{"text": "from the browser"}');
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    const dialog = page.getByRole("alertdialog", { name: "Send a POST to Demo authorization server?" });
    expect(await dialog.textContent()).toContain("A POST may create something at Demo authorization server");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(run.dev.demo.apiRequests).toHaveLength(1);
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await dialog.getByRole("button", { name: "Send the POST" }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="api-status"]')?.textContent === "201",
    );
    await panel.getByRole("button", { name: /^GET My notes/ }).click();
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    // The POST's own answer already holds the note: wait for the GET's status before reading.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="api-status"]')?.textContent === "200",
    );
    expect(await panel.getByTestId("api-body").textContent()).toContain("from the browser");
    expect(run.dev.demo.apiRequests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/api/profile", 200],
      ["POST", "/api/notes", 201],
      ["GET", "/api/notes", 200],
    ]);
  });

  it("keeps each call in the history as method, URL without query values, status and time", async () => {
    const panel = _panel(page);
    await panel
      .getByLabel("URL", { exact: true })
      .fill(`${run.dev.demo.api_base_url}profile?email=dana%40example.test`);
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    const history = page.getByTestId("history");
    await history.getByText(/API call GET .*\/api\/profile\?email=\[…\]: 200 in \d+ ms\./).waitFor();
    const text = (await history.textContent()) ?? "";
    expect(text).toMatch(/API call POST .*\/api\/notes: 201 in \d+ ms\./);
    expect(text).not.toContain("dana%40example.test");
    expect(text).not.toContain("from the browser");
  });

  it("copies as curl with $ACCESS_TOKEN unless the real token is asked for", async () => {
    const panel = _panel(page);
    await panel.getByText("The curl command").click();
    const curl = panel.getByTestId("api-curl");
    expect(await curl.textContent()).toContain('-H "Authorization: Bearer $ACCESS_TOKEN"');
    const token = await _tokenValue(page, "access-token");
    await panel.getByRole("checkbox", { name: "Put the real access token in the copy" }).check();
    expect(await curl.textContent()).not.toContain(token);
    await _showValues(page);
    expect(await curl.textContent()).toContain(`Bearer ${token}`);
    await _showValues(page, false);
    await panel.getByRole("checkbox", { name: "Put the real access token in the copy" }).uncheck();
  });

  it("is axe-clean in light and dark, and fits 360 px, with an answer on screen", async () => {
    await _panel(page).getByTestId("api-answer").waitFor();
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await _axe(page), scheme).toEqual([]);
    }
    await page.setViewportSize({ width: 360, height: 780 });
    expect(await _overflowing(page)).toEqual([]);
    expect(await _axe(page), "dark at 360 px").toEqual([]);
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it("puts each call into the diagnostic bundle: the URL without query values, the token redacted, no body", async () => {
    const token = await _tokenValue(page, "access-token");
    await page.getByRole("link", { name: "Diagnose in the support desk" }).click();
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download diagnostic bundle" }).click();
    const text = await readFile((await (await download).path()) ?? "", "utf8");
    const calls = (
      JSON.parse(text) as {
        log: {
          entries: {
            request: { method: string; url: string; headers: { name: string; value: string }[] } | null;
          }[];
        };
      }
    ).log.entries
      .map((e) => e.request)
      .filter((r) => r?.url.includes("/api/"));
    expect(calls.map((r) => `${r?.method} ${r?.url.replace(run.dev.demo.api_base_url, "")}`)).toEqual([
      "GET profile",
      "POST notes",
      "GET notes",
      "GET profile?email=[…]",
    ]);
    for (const r of calls) {
      const authorization = r?.headers.find((h) => h.name.toLowerCase() === "authorization")?.value;
      expect(authorization).toMatch(/redacted/);
    }
    for (const secret of [token, "dana%40example.test", "from the browser", run.dev.demo.clientSecret]) {
      expect(text.includes(secret), secret).toBe(false);
    }
    await page.goBack();
    await _panel(page).waitFor();
  });

  it("never showed the token but as masked or [redacted], and logged no errors", async () => {
    const token = await _tokenValue(page, "access-token");
    expect(await page.content()).not.toContain(token);
    expect(run.errors).toEqual([]);
  });
});

describe("an expired access token", () => {
  const ACCESS_TTL = 6;
  let run: Awaited<ReturnType<typeof _start>>;
  let page: Page;

  beforeAll(async () => {
    run = await _start({ accessTtl: ACCESS_TTL });
    page = run.page;
  });

  afterAll(async () => {
    await run?.browser.close();
    if (run) await removeProfile(run.browser.profile);
    await run?.dev.close();
  });

  it("offers a refresh first; sent anyway, the API refuses it with 401 invalid_token", async () => {
    await _connect(page, run.dev.origin, "erin");
    const panel = _panel(page);
    await panel.getByRole("button", { name: /^GET Who am I/ }).click();
    // The page's clock reaches the token's expiry: the panel says so, and offers the refresh.
    await panel.getByTestId("api-expired").waitFor({ timeout: (ACCESS_TTL + 10) * 1000 });
    expect(await panel.getByTestId("api-expired").textContent()).toContain("Refresh first, or send anyway");
    await panel.getByRole("button", { name: "Refresh first" }).waitFor();
    await panel.getByRole("button", { name: "Send anyway" }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="api-status"]')?.textContent === "401",
    );
    expect(await panel.getByTestId("api-body").textContent()).toContain('"error": "invalid_token"');
    expect(run.dev.demo.tokenRequests.map((r) => r.grantType)).toEqual(["authorization_code"]);
  });

  it("refreshes first, then the same call succeeds with the new token", async () => {
    const panel = _panel(page);
    await panel.getByRole("button", { name: "Refresh first" }).click();
    await panel.getByTestId("api-expired").waitFor({ state: "detached" });
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="api-status"]')?.textContent === "200",
    );
    expect(run.dev.demo.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 200],
      ["refresh_token", 200],
    ]);
    expect(run.dev.demo.apiRequests.map((r) => r.status)).toEqual([401, 200]);
  });

  it("asks first once the refresh token was handed off to a server", async () => {
    await page.getByRole("button", { name: "Export for a server" }).click();
    await page.getByTestId("handoff-env").waitFor();
    const panel = _panel(page);
    await panel.getByTestId("api-expired").waitFor({ timeout: (ACCESS_TTL + 10) * 1000 });
    await panel.getByRole("button", { name: "Refresh first" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Refresh a handed-off token?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(run.dev.demo.tokenRequests.map((r) => r.grantType)).toEqual([
      "authorization_code",
      "refresh_token",
    ]);
  });

  it("offers no refresh once the refresh token is dead; Send anyway still shows the API's refusal", async () => {
    // The server it was handed to refreshes first: the refresh here meets invalid_grant, and the
    // refresh token is dead.
    const handoff = JSON.parse(await _tokenValue(page, "handoff-json")) as { refresh_token: string };
    await refreshTokens(run.dev.demo, handoff.refresh_token);
    const panel = _panel(page);
    await panel.getByRole("button", { name: "Refresh first" }).click();
    await page
      .getByRole("alertdialog", { name: "Refresh a handed-off token?" })
      .getByRole("button", { name: /^Refresh/ })
      .click();
    await panel
      .getByText("The refresh token is dead, so there is nothing to refresh with: authorize again.")
      .waitFor();
    expect(await panel.getByRole("button", { name: "Refresh first" }).count()).toBe(0);
    expect(run.dev.demo.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 200],
      ["refresh_token", 200],
      ["refresh_token", 200],
      ["refresh_token", 400],
    ]);
    await panel.getByRole("button", { name: "Send anyway" }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="api-status"]')?.textContent === "401",
    );
    expect(run.errors).toEqual([]);
  });
});
