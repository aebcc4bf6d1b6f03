/**
 * OpenID Connect in real Chromium against the demo server (oidc-provider, RS256 ID tokens): the
 * authorization carries a fresh nonce, the exchanged ID token is verified against the issuer's keys
 * and shown with its claims, a refresh keeps one shown with when it came, and a code that answers
 * another authorization (its nonce differs) is said to fail, in words, with the tokens still kept.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { _tokenValue } from "../support/values.ts";

let dev: RunningDevServer;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  dev = await startDevServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
});

async function _tab(): Promise<Page> {
  const page = await browser.context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

/** Logs in at the demo server (any name) and consents, if it asks; resolves back on the connection. */
async function _loginAndConsent(page: Page, login: string): Promise<void> {
  const back = page.waitForURL(/#\/connections\//);
  const field = page.getByPlaceholder("Enter any login");
  const consent = page.getByRole("button", { name: "Continue", exact: true });
  const consented = consent.waitFor().then(() => "consent" as const);
  const returned = back.then(() => "back" as const);
  let next = await Promise.race([field.waitFor().then(() => "login" as const), consented, returned]);
  if (next === "login") {
    await field.fill(login);
    await page.getByPlaceholder("and password").fill("x");
    await page.getByRole("button", { name: "Sign-in" }).click();
    next = await Promise.race([consented, returned]);
  }
  if (next === "consent") await consent.click();
  await back;
}

/** The text of the ID token panel's facts, as label → value. */
async function _claims(page: Page): Promise<Record<string, string>> {
  return page.getByTestId("id-token-claims").evaluate((dl) => {
    const out: Record<string, string> = {};
    for (const dt of dl.querySelectorAll("dt"))
      out[dt.textContent ?? ""] = dt.nextElementSibling?.textContent ?? "";
    return out;
  });
}

describe("an ID token, checked", () => {
  let page: Page;
  let nonce = "";

  it("sends a fresh nonce with an openid authorization, and lists it with the other parameters", async () => {
    page = await _tab();
    await page.goto(`${dev.origin}/#/authorize/demo`);
    const url = new URL((await page.getByTestId("authorization-url").textContent()) ?? "");
    expect(url.searchParams.get("scope")).toBe("openid demo:read");
    nonce = url.searchParams.get("nonce") ?? "";
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const table = await page.getByRole("table", { name: "Every parameter it carries" }).textContent();
    expect(table).toContain(`nonce${nonce}`);
    await page.reload();
    const again = new URL((await page.getByTestId("authorization-url").textContent()) ?? "");
    expect(again.searchParams.get("nonce")).not.toBe(nonce);
    nonce = again.searchParams.get("nonce") ?? "";
  });

  it("verifies the exchanged ID token against the issuer's keys and shows its claims", async () => {
    await page.getByRole("button", { name: /^Continue to/ }).click();
    await _loginAndConsent(page, "erin");
    await page.getByRole("button", { name: "Exchange" }).click();
    const badge = page.getByTestId("id-token-badge");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="id-token-badge"]')?.textContent === "verified",
    );
    expect(await badge.textContent()).toBe("verified");
    const verdict = (await page.getByTestId("id-token-verdict").textContent()) ?? "";
    expect(verdict).toContain(`Verified: signed with the issuer's key "`);
    expect(verdict).toContain(
      `(RS256), read by the page from ${dev.demo.jwks_uri}; issuer, audience, expiry, issue time and nonce check out.`,
    );
    const claims = await _claims(page);
    expect(claims).toMatchObject({
      "Issuer (iss)": dev.demo.issuer,
      "Subject (sub)": "erin",
      "Audience (aud)": dev.demo.clientId,
      Nonce: "the one sent",
    });
    expect(claims["Expires (exp)"]).toMatch(/^expires in \d+:\d\d/);
    expect(claims["Issued (iat)"]).toMatch(/ago\)$/);
    expect(await page.getByTestId("id-token-received").textContent()).toMatch(
      /^Received .* with the code exchange\.$/,
    );
    // Masked until asked, like every token: the field shows a fingerprint, the page holds no token.
    expect(await page.getByTestId("id-token").textContent()).toMatch(/hidden value/);
    const idToken = await _tokenValue(page, "id-token");
    expect(idToken.split(".")).toHaveLength(3);
    expect(await page.locator("body").textContent()).not.toContain(idToken);
    const claimsJson = JSON.parse((await page.getByTestId("id-token-claims-json").textContent()) ?? "{}");
    expect(claimsJson).toMatchObject({ iss: dev.demo.issuer, sub: "erin", nonce });
  });

  it("still shows an ID token, with when it came, after a refresh", async () => {
    const before = await page.getByTestId("id-token-received").textContent();
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid="id-token-received"]')?.textContent !== old,
      before,
    );
    expect(await page.getByTestId("id-token-received").textContent()).toMatch(
      /^Received .* with a refresh\.$/,
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid="id-token-badge"]')?.textContent === "verified",
    );
    expect((await _claims(page))["Subject (sub)"]).toBe("erin");
    await page.reload();
    await page.getByTestId("id-token-panel").waitFor();
    expect(await page.getByTestId("id-token-badge").textContent()).toBe("verified");
  });

  it("says the nonce differs when the code answers another authorization, and keeps the tokens", async () => {
    const tab = await _tab();
    await tab.goto(`${dev.origin}/#/authorize/demo`);
    // Hold the browser at the door of the authorization endpoint until the record is changed below.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await tab.route(
      (url) => url.href.startsWith(dev.demo.authorization_endpoint),
      async (route) => {
        await held;
        await route.continue();
      },
    );
    // The click waits for the navigation it starts, which is held: let it wait.
    const clicked = tab.getByRole("button", { name: /^Continue to/ }).click();
    // Meanwhile this browser's record of that authorization comes to hold another nonce: as if the
    // code coming back had been obtained for another request (a code injected into this one).
    const app = await _tab();
    await app.goto(`${dev.origin}/`);
    const retag = () =>
      app.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open("tokendesk");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const tx = open.result.transaction("records", "readwrite");
              const store = tx.objectStore("records");
              let count = 0;
              store.openCursor(IDBKeyRange.bound(["pending"], ["pending", []])).onsuccess = (event) => {
                const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
                if (cursor === null) return;
                cursor.update({ ...cursor.value, nonce: "a-nonce-of-another-request" });
                count += 1;
                cursor.continue();
              };
              tx.oncomplete = () => resolve(count);
            };
          }),
      );
    let changed = 0;
    await expect.poll(async () => (changed = await retag()), { timeout: 10_000 }).toBe(1);
    release();
    await clicked;
    expect(changed).toBe(1);
    await app.close();
    await _loginAndConsent(tab, "erin");
    await tab.getByRole("button", { name: "Exchange" }).click();
    await tab.waitForFunction(
      () => document.querySelector('[data-testid="id-token-badge"]')?.textContent === "failed",
    );
    const verdict = (await tab.getByTestId("id-token-verdict").textContent()) ?? "";
    expect(verdict).toMatch(
      /^nonce differs from the one sent: it says "[\w-]{10}…", tokendesk sent "a-nonce-of…"\. It answers another authorization request \(a replayed or injected code\)\./,
    );
    expect((await _claims(tab)).Nonce).toBe("differs from the one sent");
    // A failed check is a verdict, not a lost token: the tokens are there and refreshable.
    await tab.getByTestId("refresh-token").waitFor();
    await tab.getByRole("button", { name: "Refresh", exact: true }).waitFor();
    await tab.close();
  });

  it("threw nothing in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
