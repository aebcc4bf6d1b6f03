/**
 * The support desk in headless Chromium against the FreshBooks-like emulator: a customer's server
 * was handed a connection and has since refreshed it; a support user pastes the exported connection,
 * runs the identity probe (a read: the emulator sees no refresh), and gets the refresh token
 * explained as spent, without spending anything.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshbooks } from "../../src/providers/freshbooks.ts";
import type { RunningDevServer } from "../support/dev-server.ts";
import { tokenCalls } from "../support/emulators/core.ts";
import { type FreshBooksEmulator, startFreshBooksEmulator } from "../support/emulators/freshbooks.ts";
import { type EmulatedWalk, startEmulatedWalk } from "../support/emulators/walk.ts";
import { _showValues, _tokenValue } from "../support/values.ts";

let fb: FreshBooksEmulator;
let walk: EmulatedWalk;
let dev: RunningDevServer;
let page: Page;
let exported = "";

const PASTE = "Paste a token, a token response, an exported connection or a diagnostic bundle";

beforeAll(async () => {
  fb = await startFreshBooksEmulator({});
  walk = await startEmulatedWalk({ recipe: freshbooks, emulator: fb, https: true });
  ({ dev, page } = walk);
});

afterAll(async () => {
  await walk?.close();
  await fb?.close();
});

/** What reached the emulator besides the walk that made the connection: one line per request. */
function _requestsSince(count: number): string[] {
  return fb.requests.slice(count).map((r) => `${r.method} ${r.path}${r.grantType ? ` ${r.grantType}` : ""}`);
}

describe("support desk", () => {
  it("gets an exported connection whose refresh token a server then spends", async () => {
    await page.goto(`${dev.origin}/#/authorize/freshbooks`);
    await page.getByRole("button", { name: /^Continue to 127\.0\.0\.1:\d+$/ }).click();
    await page.getByRole("button", { name: "Approve" }).click();
    await page.waitForURL(/#\/connections\//);
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("access-token").waitFor();
    await page.getByRole("button", { name: "Export for a server" }).click();
    // Copied as the person would copy it: the real values (on screen they are masked until shown).
    await _showValues(page);
    exported = (await page.getByTestId("handoff-json").textContent()) ?? "";
    await _showValues(page, false);
    const handoff = JSON.parse(exported) as { refresh_token: string; format: string };
    expect(handoff.format).toBe("tokendesk.handoff");
    // The customer's server refreshes with its copy: FreshBooks spends the refresh token and ends the
    // access token that came with it.
    const server = await fetch(fb.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: handoff.refresh_token,
        client_id: fb.clientId,
        client_secret: fb.clientSecret,
      }),
    });
    expect(server.status).toBe(200);
  });

  it("inspects the pasted export without a network call", async () => {
    const before = fb.requests.length;
    await page.getByRole("link", { name: "Support desk", exact: true }).click();
    await page.getByLabel(PASTE).fill(exported);
    expect(await page.getByTestId("inspect-summary").textContent()).toBe(
      "An exported connection: what a server was given to keep refreshing (refresh policy single-use).",
    );
    const guesses = (await page.getByTestId("origin-guesses").textContent()) ?? "";
    expect(guesses).toMatch(/^FreshBooks certain · relay client freshbooks/);
    await page.getByTestId("pasted-refresh_token").waitFor({ state: "attached" });
    expect(await page.getByTestId("refresh-state").locator("h3").textContent()).toBe(
      "Refresh token: Unknown without spending it",
    );
    expect(_requestsSince(before)).toEqual([]);
  });

  it("runs the identity probe as a read: the emulator records no refresh", async () => {
    const before = fb.requests.length;
    const refreshesBefore = tokenCalls(fb.requests).filter(([grant]) => grant === "refresh_token").length;
    const checks = page.getByRole("region", { name: "Safe checks read-only" });
    await checks.getByRole("button", { name: "Identify the account (read-only)" }).click();
    await checks.getByTestId("probe-problem").waitFor();
    expect(await checks.getByTestId("probe-problem").textContent()).toContain(
      "The provider refused the access token (401).",
    );
    expect(await checks.getByTestId("upstream-response").textContent()).toContain(
      '"error": "unauthenticated"',
    );
    expect(_requestsSince(before)).toEqual(["GET /auth/api/v1/users/me"]);
    expect(tokenCalls(fb.requests).filter(([grant]) => grant === "refresh_token")).toHaveLength(
      refreshesBefore,
    );
  });

  it("explains the spent FreshBooks refresh token, still without spending anything", async () => {
    const before = fb.requests.length;
    const state = page.getByTestId("refresh-state");
    await state.getByRole("heading", { name: "Refresh token: Most likely spent" }).waitFor();
    expect(await state.textContent()).toContain(
      "FreshBooks ends the previous access token when anyone refreshes, so a refresh has happened since.",
    );
    const explain = page.getByRole("region", { name: "Explain a failure" });
    await explain.getByLabel("What the provider answered").selectOption("invalid_grant");
    const first = explain.getByRole("listitem").first();
    expect(await first.locator(".cause-title").textContent()).toBe("The refresh token was already used");
    const evidence = await first.locator(".evidence li").allTextContents();
    expect(evidence).toContain(
      "Known: FreshBooks refresh tokens are single-use: each one works exactly once.",
    );
    expect(
      evidence.some((e) =>
        /^Points to it: The identity endpoint refused the access token issued with it 1[01] h( \d+ min)? before that token's expiry/.test(
          e,
        ),
      ),
    ).toBe(true);
    expect(
      evidence.some((e) => /^Points to it: It was handed off to a server at \d{4}-\d\d-\d\dT/.test(e)),
    ).toBe(true);
    expect(_requestsSince(before)).toEqual([]);
  });

  it("downloads the connection's diagnostic bundle with no token, code or secret in it", async () => {
    const before = fb.requests.length;
    await page.goBack();
    await page.getByTestId("access-token").waitFor();
    const tokens = [await _tokenValue(page, "access-token"), await _tokenValue(page, "refresh-token")];
    await page.getByRole("link", { name: "Diagnose in the support desk" }).click();
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download diagnostic bundle" }).click();
    const file = await (await download).path();
    const text = await readFile(file, "utf8");
    expect(JSON.parse(text).format).toBe("tokendesk.diagnostic-bundle");
    for (const secret of [...tokens, fb.clientSecret]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(text.includes(secret)).toBe(false);
    }
    await page.getByTestId("credential-trail").waitFor();
    expect(_requestsSince(before)).toEqual([]);
    expect(walk.consoleErrors).toEqual([]);
  });
});
