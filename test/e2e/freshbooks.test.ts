/**
 * FreshBooks in headless Chromium against the FreshBooks-like emulator, with the dev server over https
 * (`npm start -- --mode https`, FreshBooks refuses http redirect URIs) and the real FreshBooks recipe:
 * JSON body credentials, created_at, the identity probe, a refresh that ends the previous access token,
 * and a refresh token spent elsewhere refused and explained.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshbooks } from "../../src/providers/freshbooks.ts";
import type { RunningDevServer } from "../support/dev-server.ts";
import { tokenCalls } from "../support/emulators/core.ts";
import { type FreshBooksEmulator, startFreshBooksEmulator } from "../support/emulators/freshbooks.ts";
import { type EmulatedWalk, startEmulatedWalk } from "../support/emulators/walk.ts";
import { _showValues } from "../support/values.ts";

let fb: FreshBooksEmulator;
let walk: EmulatedWalk;
let dev: RunningDevServer;
let page: Page;

beforeAll(async () => {
  fb = await startFreshBooksEmulator({});
  walk = await startEmulatedWalk({ recipe: freshbooks, emulator: fb, https: true });
  ({ dev, page } = walk);
});

afterAll(async () => {
  await walk?.close();
  await fb?.close();
});

/** A token on screen, in clear: the page's "Show values" switch is turned on first. */
async function _token(testId: string): Promise<string> {
  await _showValues(page);
  return (await page.getByTestId(testId).textContent()) ?? "";
}

async function _identity(accessToken: string): Promise<number> {
  const answer = await fetch(fb.identity_endpoint, { headers: { authorization: `Bearer ${accessToken}` } });
  return answer.status;
}

describe("FreshBooks through the relay, served over https", () => {
  it("serves the page over https, so FreshBooks' redirect rule holds, and says refresh tokens work once", async () => {
    expect(dev.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await page.goto(`${dev.origin}/#/authorize/freshbooks`);
    const facts = page.getByTestId("provider-facts");
    await facts.getByText("The authorization code lives 5 minutes: exchange it within 5 minutes.").waitFor();
    expect(await facts.locator('[data-fact="policy"]').textContent()).toBe(
      "Each refresh token works exactly once. After you copy one to your server, do not refresh here, or the server's copy dies.",
    );
    expect(await facts.locator('[data-fact="ends-access"]').textContent()).toMatch(
      /ends the previous access token/,
    );
    await expect(page.getByTestId("redirect-warning").count()).resolves.toBe(0);
  });

  it("authorizes and exchanges with the credentials in a JSON body, keeping FreshBooks' created_at", async () => {
    await page.getByRole("button", { name: /^Continue to 127\.0\.0\.1:\d+$/ }).click();
    await page.getByRole("button", { name: "Approve" }).click();
    await page.waitForURL(/#\/connections\//);
    expect(page.url().startsWith(`${dev.origin}/#/connections/`)).toBe(true);
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor();
    const last = page.getByRole("region", { name: /^Last exchange · code exchange/ });
    const sent = (await last.getByTestId("sent-request").textContent()) ?? "";
    expect(sent).toContain("content-type: application/json");
    expect(sent).toContain('"client_secret": "[redacted]"');
    expect(sent).not.toContain(fb.clientSecret);
    expect(await last.getByTestId("upstream-response").textContent()).toContain('"created_at"');
    await page.getByTestId("provider-issued-at").waitFor();
    const access = page.locator("#tokens-heading ~ .token-field").first().locator(".countdown");
    expect(await access.textContent()).toMatch(/^expires in (12:00:00|11:59:\d\d)\b/);
  });

  it("identifies the account through the relay", async () => {
    await page.getByRole("button", { name: "Identify the account" }).click();
    await page.getByTestId("account").getByText("ada@example.test").waitFor();
  });

  it("refreshes once: the previous access token stops working at FreshBooks at once", async () => {
    const oldAccess = await _token("access-token");
    const oldRefresh = await _token("refresh-token");
    expect(await _identity(oldAccess)).toBe(200);
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
      oldRefresh,
    );
    expect(await _identity(oldAccess)).toBe(401);
    expect(await _identity(await _token("access-token"))).toBe(200);
    await page.getByTestId("history").getByText("rotated", { exact: true }).waitFor();
  });

  it("refuses and explains a refresh with a refresh token already spent elsewhere", async () => {
    // A server holding a copy of the current refresh token uses it first.
    const copy = await _token("refresh-token");
    const server = await fetch(fb.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: copy,
        client_id: fb.clientId,
        client_secret: fb.clientSecret,
      }),
    });
    expect(server.status).toBe(200);
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    const problem = page.getByTestId("problem");
    await problem
      .getByRole("heading", { name: "The provider refused the refresh token (invalid_grant)" })
      .waitFor();
    expect(await problem.textContent()).toContain(
      "This refresh token is dead. Authorize again to get a new one.",
    );
    await page.getByText("refused by the provider").waitFor();
    expect(await page.getByRole("button", { name: "Refresh", exact: true }).isDisabled()).toBe(true);
    expect(tokenCalls(fb.requests)).toEqual([
      ["authorization_code", 200],
      ["refresh_token", 200],
      ["refresh_token", 200],
      ["refresh_token", 400],
    ]);
  });

  it("never put the client secret in the page, and logged no errors", async () => {
    expect(await page.content()).not.toContain(fb.clientSecret);
    expect(walk.consoleErrors).toEqual([]);
  });
});
