/**
 * FreeAgent in headless Chromium against the FreeAgent-like emulator (test/support/emulators), through
 * the relay with the real FreeAgent recipe (only its endpoints moved to the emulator): what the page
 * says before authorizing, a used code answered with FreeAgent's HTML 401, the exchange with its
 * 20-year refresh_token_expires_in, the identity probe, rotation, and FreeAgent's 429 with Retry-After.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeagent } from "../../src/providers/freeagent.ts";
import type { RunningDevServer } from "../support/dev-server.ts";
import { tokenCalls } from "../support/emulators/core.ts";
import { type FreeAgentEmulator, startFreeAgentEmulator } from "../support/emulators/freeagent.ts";
import { type EmulatedWalk, startEmulatedWalk } from "../support/emulators/walk.ts";
import { _showValues } from "../support/values.ts";

let fa: FreeAgentEmulator;
let walk: EmulatedWalk;
let dev: RunningDevServer;
let page: Page;

beforeAll(async () => {
  fa = await startFreeAgentEmulator({});
  // The test asks the emulator for the limit of FreeAgent's sandbox test header (5 refreshes a
  // minute), so FreeAgent's own 429 is met after a few clicks, before any limit of tokendesk's.
  walk = await startEmulatedWalk({
    recipe: freeagent,
    emulator: fa,
    requestHeaders: { "X-RateLimit-Test": "true" },
  });
  ({ dev, page } = walk);
});

afterAll(async () => {
  await walk?.close();
  await fa?.close();
});

/** Authorizes at the emulator's consent page and waits for the connection page with the code. */
async function _authorize(): Promise<string> {
  await page.getByRole("button", { name: /^Continue to 127\.0\.0\.1:\d+$/ }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.waitForURL(/#\/connections\//);
  // These tests hand the tokens on screen to the emulator: values in clear.
  await _showValues(page);
  return (await page.getByTestId("code").textContent()) ?? "";
}

function _problem() {
  return page.getByTestId("problem");
}

describe("FreeAgent through the relay", () => {
  it("says before authorizing how long the code lives and marks the unconfirmed rate limit", async () => {
    await page.goto(`${dev.origin}/`);
    await page.getByRole("heading", { name: /^freeagent · FreeAgent · emulator$/ }).waitFor();
    await page.goto(`${dev.origin}/#/authorize/freeagent`);
    const facts = page.getByTestId("provider-facts");
    await facts
      .getByText("The authorization code lives 15 minutes: exchange it within 15 minutes.")
      .waitFor();
    const limit = facts.locator('[data-fact="rate-limit"]');
    expect(await limit.textContent()).toMatch(
      /^FreeAgent allows 15 refreshes per 60 seconds.*\(unconfirmed\)$/,
    );
    expect(await facts.locator('[data-fact="identity"]').textContent()).toContain(fa.identity_endpoint);
    const url = new URL((await page.getByTestId("authorization-url").textContent()) ?? "");
    expect(`${url.origin}${url.pathname}`).toBe(fa.authorization_endpoint);
    expect(url.searchParams.get("client_id")).toBe(fa.clientId);
    expect(url.searchParams.has("scope")).toBe(false);
    // Another client's authorize page, reached by its address alone, is wholly that client's.
    const urlOf = () => page.getByTestId("authorization-url").textContent();
    await page.goto(`${dev.origin}/#/authorize/demo`);
    await page.waitForFunction(
      (endpoint) =>
        document.querySelector('[data-testid="authorization-url"]')?.textContent?.startsWith(endpoint) ===
        true,
      dev.demo.authorization_endpoint,
    );
    expect(new URL((await urlOf()) ?? "").searchParams.get("scope")).toBe("openid demo:read");
    await page.goto(`${dev.origin}/#/authorize/freeagent`);
    await page.waitForFunction(
      (endpoint) =>
        document.querySelector('[data-testid="authorization-url"]')?.textContent?.startsWith(endpoint) ===
        true,
      fa.authorization_endpoint,
    );
  });

  it("shows FreeAgent's HTML 401 for a code used elsewhere as FreeAgent's answer, with an explanation", async () => {
    const code = await _authorize();
    // Another client of the same app spends the code first.
    const elsewhere = await fetch(fa.token_endpoint, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${fa.clientId}:${fa.clientSecret}`)}`,
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": "another-client",
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: `${dev.origin}/callback/`,
      }).toString(),
    });
    expect(elsewhere.status).toBe(200);
    await page.getByRole("button", { name: "Exchange" }).click();
    await _problem()
      .getByRole("heading", { name: "The provider refused the code exchange (HTTP 401)" })
      .waitFor();
    expect(await _problem().textContent()).toContain("also when the code was already used or expired");
    const last = page.getByRole("region", { name: /^Last exchange · code exchange/ });
    const answer = (await last.getByTestId("upstream-response").textContent()) ?? "";
    expect(answer).toContain("HTTP Basic: Access denied.");
    expect(answer).toContain('www-authenticate: Basic realm="Application"');
    expect(answer).toContain("content-type: text/html");
    expect(tokenCalls(fa.requests)).toEqual([
      ["authorization_code", 200],
      ["authorization_code", 401],
    ]);
  });

  it("exchanges a fresh code and counts the refresh token down from refresh_token_expires_in", async () => {
    await _problem().getByRole("link", { name: "Authorize again" }).click();
    await _authorize();
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor();
    const last = page.getByRole("region", { name: /^Last exchange · code exchange/ });
    expect(await last.getByTestId("sent-request").textContent()).toContain("Basic [redacted]");
    expect(await last.getByTestId("upstream-response").textContent()).toContain(
      '"refresh_token_expires_in": 631151957',
    );
    const refresh = page.locator("#tokens-heading ~ .token-field").nth(1).locator(".countdown");
    expect(await refresh.textContent()).toMatch(/20\.0 years/);
  });

  it("identifies the account through the relay with the token as a Bearer token", async () => {
    await page.getByRole("button", { name: "Identify the account" }).click();
    await page.getByTestId("account").getByText("ada@example.test").waitFor();
    expect(await page.getByTestId("account").textContent()).toBe(
      "This token belongs to ada@example.test (from user.email in the answer).",
    );
    const account = page.getByRole("region", { name: "Account" });
    const sent = (await account.getByTestId("sent-request").textContent()) ?? "";
    expect(sent).toContain(`GET ${fa.identity_endpoint}`);
    expect(sent).toContain("Bearer [redacted]");
    expect(fa.requests.filter((r) => r.path === "/v2/users/me").map((r) => r.status)).toEqual([200]);
    // The connection remembers whom it belongs to, so the list tells accounts apart at a glance.
    expect(await page.getByTestId("connection-account").textContent()).toBe(" · account ada@example.test");
    const url = page.url();
    await page.goto(url.replace(/#.*$/, "#/"));
    await page.getByText("ada@example.test", { exact: true }).waitFor();
    await page.goto(url);
    await page.getByTestId("refresh-token").waitFor();
    await _showValues(page);
  });

  it("rotates the refresh token on refresh: FreeAgent no longer accepts the old one", async () => {
    const before = (await page.getByTestId("refresh-token").textContent()) ?? "";
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
      before,
    );
    expect(fa.refreshTokenActive(before)).toBe(false);
    expect(fa.refreshTokenActive((await page.getByTestId("refresh-token").textContent()) ?? "")).toBe(true);
  });

  it("shows FreeAgent's 429 with when to retry, and keeps the refresh token", async () => {
    for (let i = 0; i < 8 && !(await _problem().isVisible()); i++) {
      const before = (await page.getByTestId("refresh-token").textContent()) ?? "";
      await page.getByRole("button", { name: "Refresh", exact: true }).click();
      await page.waitForFunction(
        (old) =>
          document.querySelector('[data-testid="refresh-token"]')?.textContent !== old ||
          document.querySelector('[data-testid="problem"]') !== null,
        before,
      );
    }
    await _problem().getByRole("heading", { name: "Rate limited by the provider" }).waitFor();
    expect(await _problem().textContent()).toContain("Try again after 60 seconds.");
    const last = page.getByRole("region", { name: /^Last exchange · refresh/ });
    const answer = (await last.getByTestId("upstream-response").textContent()) ?? "";
    expect(answer).toContain("retry-after: 60");
    expect(answer).toContain("You must not exceed 5 requests per 60 seconds");
    const refreshes = tokenCalls(fa.requests).filter(([grant]) => grant === "refresh_token");
    expect(refreshes).toEqual([...Array(5).fill(["refresh_token", 200]), ["refresh_token", 429]]);
    // A 429 spends nothing: the stored refresh token is still FreeAgent's current one.
    expect(fa.refreshTokenActive((await page.getByTestId("refresh-token").textContent()) ?? "")).toBe(true);
  });

  it("never put the client secret in the page, and logged no errors", async () => {
    const html = await page.content();
    expect(html).not.toContain(fa.clientSecret);
    expect(html).not.toContain(btoa(`${fa.clientId}:${fa.clientSecret}`));
    expect(walk.consoleErrors).toEqual([]);
  });
});
