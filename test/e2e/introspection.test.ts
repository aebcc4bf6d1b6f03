/**
 * Introspection (RFC 7662) in headless Chromium against the demo server (a real oidc-provider) through
 * the relay: a fresh access token is active, with its scope, client, subject and expiry explained;
 * once it is revoked, oidc-provider has ended the whole grant, and introspection says so of the
 * refresh token; the support desk says the same of the pasted access token. Each click is exactly
 * one request at the demo server's introspection endpoint, and no token request.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { loginAndConsentInBrowser } from "../support/demo-login.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { _tokenValue } from "../support/values.ts";

let dev: RunningDevServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const PASTE = "Paste a token, a token response, an exported connection or a diagnostic bundle";
const INACTIVE = "expired, revoked, or was never issued by this server — RFC 7662 §2.2 does not say which.";

beforeAll(async () => {
  dev = await startDevServer();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && page.url().startsWith(dev.origin)) consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
});

/** What reached the demo server's introspection endpoint since `count`, as [status, active]. */
function _introspectionsSince(count: number): Array<[number, boolean | undefined]> {
  return dev.demo.introspectionRequests.slice(count).map((r) => [r.status, r.active]);
}

describe("introspection against the demo server", () => {
  let accessToken = "";

  it("calls a freshly exchanged access token active, and explains scope, client_id, sub and exp", async () => {
    await page.goto(`${dev.origin}/#/authorize/demo`);
    await loginAndConsentInBrowser(page, "dana");
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor({ state: "attached" });
    accessToken = await _tokenValue(page, "access-token");
    expect(accessToken.length).toBeGreaterThan(20);
    const before = dev.demo.introspectionRequests.length;
    const tokenRequests = dev.demo.tokenRequests.length;

    const panel = page.getByRole("region", { name: "Introspect read-only" });
    expect(await panel.getByTestId("introspect-note").textContent()).toContain(
      `asks 127.0.0.1:${new URL(dev.demo.issuer).port} whether a token is still active`,
    );
    await panel.getByRole("button", { name: "Introspect the access token" }).click();
    const verdict = panel.getByTestId("introspection-verdict");
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain("The access token is active.");
    const claim = (name: string) => panel.getByTestId(`introspection-claim-${name}`).textContent();
    expect(await claim("scope")).toBe("openid demo:readWhat the token may do: openid, demo:read (2 scopes).");
    expect(await claim("client_id")).toBe(
      `${dev.demo.clientId}The client the token was issued to: this relay client.`,
    );
    expect(await claim("sub")).toMatch(/^dana/);
    expect(await claim("token_type")).toMatch(/^BearerA bearer token/);
    const exp = panel.getByTestId("introspection-claim-exp");
    const expiresAt = Date.parse((await exp.locator("time").getAttribute("datetime")) ?? "");
    expect(expiresAt - Date.now()).toBeGreaterThan(60_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(120_000);
    expect(await exp.textContent()).toMatch(/\(in 1:\d\d\)When the token expires, unless revoked first\.$/);

    const sent = (await panel.getByTestId("sent-request").textContent()) ?? "";
    expect(sent).toContain(`POST ${dev.demo.introspection_endpoint}`);
    expect(sent).toContain("Basic [redacted]");
    expect(sent).not.toContain(dev.demo.clientSecret);
    expect(_introspectionsSince(before)).toEqual([[200, true]]);
    expect(dev.demo.tokenRequests).toHaveLength(tokenRequests);
    await page.getByTestId("history").getByText("introspected", { exact: true }).waitFor();
  });

  it("after the access token is revoked, calls the refresh token not active: the provider ended the grant", async () => {
    await page.getByRole("button", { name: "Revoke the access token (ends it now)" }).click();
    await page
      .getByRole("alertdialog", { name: "Revoke the access token?" })
      .getByRole("button", { name: "Revoke the access token" })
      .click();
    const panel = page.getByRole("region", { name: "Introspect read-only" });
    await panel.getByRole("button", { name: "Introspect the access token" }).waitFor({ state: "detached" });
    await panel.getByTestId("introspect-stale").waitFor();
    const before = dev.demo.introspectionRequests.length;

    await panel.getByRole("button", { name: "Introspect the refresh token" }).click();
    const verdict = panel.getByTestId("introspection-verdict");
    await verdict.getByText("The refresh token is not active.").waitFor();
    expect(await verdict.textContent()).toContain(INACTIVE);
    expect(await panel.getByTestId("introspection-claim-active").textContent()).toMatch(/^false/);
    expect(_introspectionsSince(before)).toEqual([[200, false]]);
  });

  it("in the support desk, calls the pasted revoked access token not active, with one request", async () => {
    await page.getByRole("link", { name: "Support desk", exact: true }).click();
    await page.getByLabel(PASTE).fill(accessToken);
    const checks = page.getByRole("region", { name: "Safe checks read-only" });
    const before = dev.demo.introspectionRequests.length;
    await checks.getByRole("button", { name: "Introspect the access token" }).click();
    const verdict = checks.getByTestId("introspection-verdict");
    await verdict.getByText("The access token is not active.").waitFor();
    expect(await verdict.textContent()).toContain(INACTIVE);
    expect(await checks.getByTestId("upstream-response").textContent()).toContain('"active": false');
    expect(_introspectionsSince(before)).toEqual([[200, false]]);
    expect(consoleErrors).toEqual([]);
  });
});
