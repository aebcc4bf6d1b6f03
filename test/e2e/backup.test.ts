/**
 * Nothing lost, ever: in headless Chromium against the demo server, a connection is backed up to a
 * passphrase-sealed file, the origin's storage is wiped (CDP Storage.clearDataForOrigin), the file is
 * restored and the connection refreshes from it. Wrong passphrases and changed files are refused and
 * change nothing; an older backup never puts back a refresh token that rotated since.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackup } from "../../src/store/backup-payload.ts";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { _tokenValue } from "../support/values.ts";

const PASSPHRASE = "correct horse battery staple";

let dev: RunningDevServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

/** Counts `navigator.storage.persist()` calls across the page's documents (the callback is one). */
const COUNT_PERSIST = `(() => {
  const storage = navigator.storage;
  if (!storage || !storage.persist) return;
  const persist = storage.persist.bind(storage);
  storage.persist = () => {
    sessionStorage.setItem("persistCalls", String(Number(sessionStorage.getItem("persistCalls") ?? 0) + 1));
    return persist();
  };
})();`;

/** Every record in tokendesk's IndexedDB, keys and values, as one JSON text. */
function _storage(p: Page): Promise<string> {
  return p.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open("tokendesk");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction("records", "readonly");
          const keys = tx.objectStore("records").getAllKeys();
          const values = tx.objectStore("records").getAll();
          tx.oncomplete = () => {
            db.close();
            resolve(JSON.stringify([keys.result, values.result]));
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

async function _login(p: Page): Promise<void> {
  await p.getByPlaceholder("Enter any login").fill("erin");
  await p.getByPlaceholder("and password").fill("anything");
  await p.getByRole("button", { name: "Sign-in" }).click();
  await p.getByRole("button", { name: "Continue" }).click();
  await p.waitForURL(/#\/connections\//);
}

/** Types the passphrase twice, backs up, saves the file it offers, and returns its bytes. */
async function _backUp(p: Page, action: RegExp): Promise<Buffer> {
  await p.getByLabel(/^Passphrase \(at least 12 characters\)/).fill(PASSPHRASE);
  await p.getByLabel("The same passphrase again").fill(PASSPHRASE);
  await p.getByRole("button", { name: action }).click();
  const save = p.getByRole("link", {
    name: /^Save tokendesk-(backup|connection)-\d{4}-\d\d-\d\d-\d{4}\.tokendesk$/,
  });
  await save.waitFor();
  const [download] = await Promise.all([p.waitForEvent("download"), save.click()]);
  expect(download.suggestedFilename()).toMatch(/\.tokendesk$/);
  return readFile((await download.path()) ?? "");
}

async function _restore(p: Page, file: Buffer, passphrase: string): Promise<void> {
  await p.goto(`${dev.origin}/`);
  const restore = p.getByText("Restore from a backup file");
  await restore.click();
  await p.getByLabel("Backup file").setInputFiles({
    name: "backup.tokendesk",
    mimeType: "application/octet-stream",
    buffer: file,
  });
  await p.getByLabel("Its passphrase").fill(passphrase);
  await p.getByRole("button", { name: "Restore", exact: true }).click();
}

beforeAll(async () => {
  dev = await startDevServer();
  browser = await launchBrowser();
  await browser.context.addInitScript({ content: COUNT_PERSIST });
  page = await browser.context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && page.url().startsWith(dev.origin))
      consoleErrors.push(`${m.text()} at ${m.location().url}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
});

describe("back up, lose the storage, restore", () => {
  let connectionUrl = "";
  let olderBackup: Buffer = Buffer.alloc(0);
  let newerBackup: Buffer = Buffer.alloc(0);
  let firstRefreshToken = "";
  let secondRefreshToken = "";

  it("asks for persistent storage when the first connection is made, and shows what the browser says", async () => {
    await page.goto(`${dev.origin}/#/authorize/demo`);
    await page.getByRole("button", { name: /^Continue to / }).click();
    await _login(page);
    connectionUrl = page.url();
    await page.getByRole("button", { name: "Exchange" }).click();
    await page.getByTestId("refresh-token").waitFor();
    firstRefreshToken = await _tokenValue(page, "refresh-token");
    expect(firstRefreshToken.length).toBeGreaterThan(20);
    expect(await page.evaluate(() => sessionStorage.getItem("persistCalls"))).toBe("1");

    await page.goto(`${dev.origin}/`);
    const kept = page.getByTestId("storage-kept");
    await kept.waitFor();
    const api = await page.evaluate(async () => ({
      persisted: await navigator.storage.persisted(),
      quota: (await navigator.storage.estimate()).quota ?? 0,
    }));
    // Headless Chromium may grant or refuse; what the page shows must be what the API says.
    expect(await kept.textContent()).toBe(
      api.persisted ? "Persistent: the browser keeps it" : "Best-effort: the browser may delete it",
    );
    const usage = (await page.getByTestId("storage-usage").textContent()) ?? "";
    expect(usage).toMatch(
      /^\d+(\.\d)? (B|kB|MB) of the \d+(\.\d)? (kB|MB|GB|TB) this browser allows this site$/,
    );
    const quotaShown = /of the (\d+(?:\.\d)?) (kB|MB|GB|TB)/.exec(usage);
    const scale = { kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[(quotaShown?.[2] ?? "kB") as "kB"];
    expect(Math.abs(Number(quotaShown?.[1]) * scale - api.quota) / api.quota).toBeLessThan(0.06);
    const meaning = (await page.getByTestId("storage-meaning").textContent()) ?? "";
    expect(meaning).not.toContain("Safari");
    expect(meaning).toContain(
      api.persisted ? "will not delete it to free disk space" : "may delete it when the disk runs low",
    );
  });

  it("refuses a passphrase too short to protect the tokens, then backs up everything to a sealed file", async () => {
    await page.getByText("Back up all connections to a file").click();
    await page.getByLabel(/^Passphrase \(at least 12 characters\)/).fill("short");
    await page.getByLabel("The same passphrase again").fill("short");
    await page.getByRole("button", { name: "Back up 1 connection" }).click();
    expect(await page.getByRole("alert").textContent()).toMatch(
      /^Use a passphrase of at least 12 characters/,
    );
    olderBackup = await _backUp(page, /^Back up 1 connection$/);

    expect(olderBackup.subarray(0, 17).toString()).toBe("tokendesk-backup\n");
    const payload = await readBackup(new Uint8Array(olderBackup), PASSPHRASE);
    expect(payload.entries.map((e) => e.connection.tokenSet?.refreshToken)).toEqual([firstRefreshToken]);
    const opened = JSON.stringify(payload);
    expect(opened).not.toContain(dev.demo.clientSecret);
    // Sealed: no token in the file as written.
    expect(olderBackup.includes(firstRefreshToken)).toBe(false);
  });

  it("refreshes (the demo server rotates), then backs up that one connection from its page", async () => {
    await page.goto(connectionUrl);
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    // The token is masked, so the history says when it rotated.
    await page.getByTestId("history").getByText("rotated", { exact: true }).waitFor();
    secondRefreshToken = await _tokenValue(page, "refresh-token");
    expect(secondRefreshToken.length).toBeGreaterThan(20);
    expect(secondRefreshToken).not.toBe(firstRefreshToken);
    await page.getByText("Back up this connection to a file").click();
    newerBackup = await _backUp(page, /^Back up this connection$/);
    const payload = await readBackup(new Uint8Array(newerBackup), PASSPHRASE);
    expect(payload.entries.map((e) => e.connection.tokenSet?.refreshToken)).toEqual([secondRefreshToken]);
    expect(dev.demo.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([
      ["authorization_code", 200],
      ["refresh_token", 200],
    ]);
  });

  it("refuses a wrong passphrase, a changed file and a cut-short one, in words, and stores nothing", async () => {
    const before = await _storage(page);
    const tampered = Buffer.from(newerBackup);
    tampered[tampered.length - 30] = (tampered[tampered.length - 30] ?? 0) ^ 0x01;
    const refusals: Array<[Buffer, string, RegExp]> = [
      [
        newerBackup,
        "correct horse battery stable",
        /^Wrong passphrase, or the file was changed after it was made/,
      ],
      [tampered, PASSPHRASE, /^Wrong passphrase, or the file was changed after it was made/],
      [newerBackup.subarray(0, newerBackup.length - 64), PASSPHRASE, /^This file is cut short/],
      [Buffer.from('{"access_token":"x"}'), PASSPHRASE, /^This is not a tokendesk backup/],
    ];
    for (const [file, passphrase, message] of refusals) {
      await _restore(page, file, passphrase);
      const alert = page.getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(message);
      expect(await alert.textContent()).toMatch(/Nothing stored was changed\.$/);
      expect(await page.getByTestId("restore-report").count()).toBe(0);
    }
    expect(await _storage(page)).toBe(before);
  });

  it("restores an older backup over the rotated state and keeps the newer refresh token", async () => {
    const requests = dev.demo.tokenRequests.length;
    await _restore(page, olderBackup, PASSPHRASE);
    const summary = page.getByTestId("restore-summary");
    await summary.waitFor();
    expect(await summary.textContent()).toBe(
      "0 added, 0 updated, 1 kept as they are here, 0 skipped. Nothing was sent to any provider.",
    );
    const line = page.getByTestId("restore-report").getByRole("listitem");
    expect(await line.textContent()).toMatch(
      /^Kept demo · .*: kept the token set here: history shows the refresh token here \([0-9a-f]{8}\) was issued in place of the backup's \([0-9a-f]{8}\); the backup's refresh token is in the history as a restored copy, probably spent\.$/,
    );
    await line.getByRole("link").click();
    await page.getByTestId("refresh-token").waitFor();
    expect(await _tokenValue(page, "refresh-token")).toBe(secondRefreshToken);
    const history = page.getByTestId("history");
    await history
      .getByText(/Restored copy, probably spent: refresh token [0-9a-f]{8} from a backup made/)
      .waitFor();
    expect(dev.demo.tokenRequests).toHaveLength(requests);
  });

  it("after the origin's storage is cleared, restores the newer backup and refreshes from it", async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Storage.clearDataForOrigin", { origin: dev.origin, storageTypes: "all" });
    await cdp.detach();
    await page.goto(`${dev.origin}/`);
    await page.getByText("No connections yet. Authorize a client to make one.").waitFor();
    const requests = dev.demo.tokenRequests.length;

    await _restore(page, newerBackup, PASSPHRASE);
    const summary = page.getByTestId("restore-summary");
    await summary.waitFor();
    expect(await summary.textContent()).toBe(
      "1 added, 0 updated, 0 kept as they are here, 0 skipped. Nothing was sent to any provider.",
    );
    expect(dev.demo.tokenRequests).toHaveLength(requests);
    await page.getByTestId("restore-report").getByRole("link").click();
    await page.getByTestId("refresh-token").waitFor();
    expect(await _tokenValue(page, "refresh-token")).toBe(secondRefreshToken);
    expect(await page.getByRole("checkbox", { name: "Refresh automatically" }).isChecked()).toBe(false);

    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    // The restored history holds one rotation already; the refresh adds the second.
    await page.getByTestId("history").getByText("rotated", { exact: true }).nth(1).waitFor();
    const thirdRefreshToken = await _tokenValue(page, "refresh-token");
    expect(thirdRefreshToken.length).toBeGreaterThan(20);
    expect(thirdRefreshToken).not.toBe(secondRefreshToken);
    expect(dev.demo.tokenRequests.slice(requests).map((r) => [r.grantType, r.status])).toEqual([
      ["refresh_token", 200],
    ]);
    const types = await page.getByTestId("history").locator("li > strong").allTextContents();
    expect(types).toEqual([
      "authorized",
      "exchanged",
      "refreshed",
      "rotated",
      "restored",
      "refreshed",
      "rotated",
    ]);
  });

  it("logged no errors", () => {
    expect(consoleErrors).toEqual([]);
  });
});
