/**
 * "Try the API" in headless Chromium against the FreeAgent-like and FreshBooks-like emulators, through
 * the relay with the real recipes (only their endpoints and API base moved to the emulators): each walk
 * ends at a real API answer, in the provider's own shape.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeagent } from "../../src/providers/freeagent.ts";
import { freshbooks } from "../../src/providers/freshbooks.ts";
import { type FreeAgentEmulator, startFreeAgentEmulator } from "../support/emulators/freeagent.ts";
import { type FreshBooksEmulator, startFreshBooksEmulator } from "../support/emulators/freshbooks.ts";
import { type EmulatedWalk, startEmulatedWalk } from "../support/emulators/walk.ts";

/** Authorizes at an emulator's consent page and exchanges the code. */
async function _connect(page: Page, origin: string, client: string): Promise<void> {
  await page.goto(`${origin}/#/authorize/${client}`);
  await page.getByRole("button", { name: /^Continue to 127\.0\.0\.1:\d+$/ }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.waitForURL(/#\/connections\//);
  await page.getByRole("button", { name: "Exchange" }).click();
  await page.getByTestId("access-token").waitFor();
}

function _panel(page: Page) {
  return page.getByRole("region", { name: /^Try the API/ });
}

async function _status(page: Page, status: string): Promise<void> {
  await page.waitForFunction(
    (s) => document.querySelector('[data-testid="api-status"]')?.textContent === s,
    status,
  );
}

describe("FreeAgent: exchange, then GET /v2/company", () => {
  let fa: FreeAgentEmulator;
  let walk: EmulatedWalk;
  let page: Page;

  beforeAll(async () => {
    fa = await startFreeAgentEmulator({});
    walk = await startEmulatedWalk({ recipe: freeagent, emulator: fa });
    page = walk.page;
  });

  afterAll(async () => {
    await walk?.close();
    await fa?.close();
  });

  it("shows the company the token reaches, called with the relay's User-Agent", async () => {
    await _connect(page, walk.dev.origin, "freeagent");
    const panel = _panel(page);
    await panel.getByRole("button", { name: "GET The company" }).click();
    expect(await panel.getByLabel("URL", { exact: true }).inputValue()).toBe(`${fa.origin}/v2/company`);
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await _status(page, "200");
    const tree = panel.getByRole("list", { name: "The answer's JSON" });
    expect(await tree.textContent()).toContain('name: "Analytical Engines Ltd"');
    // The emulator answers 400 to a request without a User-Agent, as FreeAgent does.
    expect(fa.requests.filter((r) => r.path === "/v2/company").map((r) => r.status)).toEqual([200]);
  });

  it("shows FreeAgent's own 401 once the access token has ended", async () => {
    fa.expireAccessTokens();
    const panel = _panel(page);
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await _status(page, "401");
    expect(await panel.getByTestId("api-body").textContent()).toContain(
      '"message": "Access token not recognised"',
    );
    await page
      .getByTestId("history")
      .getByText(/API call GET .*\/v2\/company: 401 in \d+ ms\./)
      .waitFor();
    expect(await page.content()).not.toContain(fa.clientSecret);
    expect(walk.consoleErrors).toEqual([]);
  });
});

describe("FreshBooks: the account id from the identity answer, then the clients", () => {
  let fb: FreshBooksEmulator;
  let walk: EmulatedWalk;
  let page: Page;

  beforeAll(async () => {
    fb = await startFreshBooksEmulator({});
    walk = await startEmulatedWalk({ recipe: freshbooks, emulator: fb, https: true });
    page = walk.page;
  });

  afterAll(async () => {
    await walk?.close();
    await fb?.close();
  });

  it("fills the accounting call with the account id the identity answer named", async () => {
    await _connect(page, walk.dev.origin, "freshbooks");
    const panel = _panel(page);
    await panel
      .getByText(/needs the first business's account id: send "Who am I, and which businesses" first/)
      .waitFor();
    await panel.getByRole("button", { name: "GET Who am I, and which businesses" }).click();
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await _status(page, "200");
    // Deep levels of the tree open on demand; the raw text beside it has everything.
    expect(await panel.getByTestId("api-body").textContent()).toContain('"account_id": "xZNQ1X"');
    await panel.getByRole("button", { name: "GET Clients of the first business" }).click();
    expect(await panel.getByLabel("URL", { exact: true }).inputValue()).toBe(
      `${fb.origin}/accounting/account/xZNQ1X/users/clients`,
    );
    await panel.getByRole("button", { name: "Send", exact: true }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="api-body"]')?.textContent?.includes("Babbage & Co"),
    );
    expect(fb.requests.filter((r) => r.path.startsWith("/accounting/")).map((r) => r.status)).toEqual([200]);
    expect(walk.consoleErrors).toEqual([]);
  });
});
