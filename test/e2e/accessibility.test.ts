/**
 * Every page and state, in light and dark, checked by axe-core in Chromium; the whole walk with the
 * keyboard only; and nothing wider than a 360 px screen.
 */
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelayFault } from "../../src/dev/vite-plugin.ts";
import { type Browser, launchBrowser, removeProfile } from "../support/chromium.ts";
import { refreshTokens } from "../support/demo-flow.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SUPPORT_PASTE = "Paste a token, a token response, an exported connection or a diagnostic bundle";

let dev: RunningDevServer;
let browser: Browser;
const faults: RelayFault[] = [];

interface AxeResult {
  violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
}

/** axe-core's violations on the page as it is now, one line each. */
async function _axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run(),
  )) as AxeResult;
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

/** Elements wider than the viewport (the cause of horizontal scrolling), by tag and class. */
async function _overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const rect = el.getBoundingClientRect();
      if (
        rect.width > 0 &&
        (rect.right > width + 1 || rect.left < -1) &&
        !el.closest(".sr-only, .skip-link")
      ) {
        wide.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(rect.right)} > ${width})`);
      }
    }
    if (document.documentElement.scrollWidth > width)
      wide.push(`page scrolls to ${document.documentElement.scrollWidth}`);
    return wide;
  });
}

/** Presses Tab until the focused element has this accessible text; fails after 60 presses. */
async function _tabTo(page: Page, text: RegExp): Promise<void> {
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? `${el.getAttribute("aria-label") ?? ""} ${el.innerText ?? ""}`.trim() : "";
    });
    if (text.test(focused)) return;
  }
  throw new Error(`Tab never reached ${text}`);
}

async function _login(page: Page): Promise<void> {
  const back = page.waitForURL(/#\/connections\//);
  const login = page.getByPlaceholder("Enter any login");
  const consent = page.getByRole("button", { name: "Continue", exact: true });
  // The server may remember the login but ask for consent again (a refresh token reused after a
  // hand-off ends the whole grant), so any of the three may come first; the losers are let go.
  const consented = consent.waitFor().then(() => "consent" as const);
  const returned = back.then(() => "back" as const);
  const loggingIn = login.waitFor().then(() => "login" as const);
  for (const p of [consented, returned, loggingIn]) p.catch(() => undefined);
  let next = await Promise.race([loggingIn, consented, returned]);
  if (next === "login") {
    await page.keyboard.type("dana");
    await page.keyboard.press("Tab");
    await page.keyboard.type("x");
    await page.keyboard.press("Enter");
    next = await Promise.race([consented, returned]);
  }
  if (next === "consent") await page.keyboard.press("Enter");
  await back;
}

beforeAll(async () => {
  dev = await startDevServer({ faults });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (browser) await removeProfile(browser.profile);
  await dev?.close();
});

describe("keyboard only", () => {
  it("completes authorize → exchange → refresh without a mouse", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${dev.origin}/`);
    await page.getByRole("link", { name: "Authorize" }).waitFor();
    await _tabTo(page, /^Authorize$/);
    await page.keyboard.press("Enter");
    await page.getByTestId("authorization-url").waitFor();
    await _tabTo(page, /^Continue to /);
    await page.keyboard.press("Enter");
    await _login(page);
    await _tabTo(page, /^Exchange$/);
    await page.keyboard.press("Enter");
    await page.getByTestId("refresh-token").waitFor();
    const before = await page.getByTestId("refresh-token").textContent();
    await _tabTo(page, /^Refresh$/);
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid="refresh-token"]')?.textContent !== old,
      before,
    );
    await page.close();
  });
});

describe("the support desk, keyboard only", () => {
  it("pastes, explains, and declines to spend a token without a mouse", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${dev.origin}/`);
    await page.getByRole("link", { name: "Authorize" }).waitFor();
    await _tabTo(page, /^Support desk$/);
    await page.keyboard.press("Enter");
    await _tabTo(page, /^$/);
    await page.getByLabel(SUPPORT_PASTE).waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("TEXTAREA");
    await page.keyboard.insertText('{"access_token":"at-keys-1","refresh_token":"rt-keys-1"}');
    await _tabTo(page, /^Refresh \(spends the refresh token\)$/);
    await page.keyboard.press("Enter");
    await page.getByRole("alertdialog").waitFor();
    await _tabTo(page, /^Cancel$/);
    await page.keyboard.press("Enter");
    await page.getByRole("alertdialog").waitFor({ state: "detached" });
    await _tabTo(page, /^Choose the failure…/);
    await page.keyboard.press("ArrowDown");
    await page.getByRole("list", { name: "Likely causes, likeliest first" }).waitFor();
    await page.close();
  });
});

describe("themes", () => {
  it("follows the system, and the switch overrides it, remembered across a reload", async () => {
    const page = await browser.context.newPage();
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${dev.origin}/`);
    await page.getByRole("button", { name: /^Theme: system/ }).waitFor();
    expect(await background()).toBe("rgb(247, 247, 245)");
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await background()).toBe("rgb(20, 21, 24)");
    await page.getByRole("button", { name: /^Theme: system/ }).click();
    expect(await background()).toBe("rgb(247, 247, 245)");
    await page.reload();
    await page.getByRole("button", { name: /^Theme: light/ }).click();
    expect(await background()).toBe("rgb(20, 21, 24)");
    await page.emulateMedia({ colorScheme: "light" });
    expect(await background()).toBe("rgb(20, 21, 24)");
    await page.getByRole("button", { name: /^Theme: dark/ }).click();
    expect(await background()).toBe("rgb(247, 247, 245)");
    await page.close();
  });
});

describe("every page and state", () => {
  const states: Array<{ name: string; reach: (page: Page) => Promise<void> }> = [
    {
      name: "home",
      reach: async (p) =>
        void (await p.goto(`${dev.origin}/`), await p.getByRole("link", { name: "Authorize" }).waitFor()),
    },
    {
      name: "authorize",
      reach: async (p) =>
        void (await p.goto(`${dev.origin}/#/authorize/demo`),
        await p.getByTestId("authorization-url").waitFor()),
    },
    {
      name: "refused callback",
      reach: async (p) =>
        void (await p.goto(`${dev.origin}/callback/?code=x&state=y`),
        await p.getByRole("heading", { name: "Unknown or already used authorization" }).waitFor()),
    },
    {
      name: "not found",
      reach: async (p) =>
        void (await p.goto(`${dev.origin}/#/nowhere`),
        await p.getByRole("heading", { name: "Nothing here" }).waitFor()),
    },
    {
      name: "code received",
      reach: async (p) => {
        await p.goto(`${dev.origin}/#/authorize/demo`);
        await p.getByRole("button", { name: /^Continue to/ }).click();
        await _login(p);
        await p.getByRole("button", { name: "Exchange" }).waitFor();
      },
    },
    {
      name: "tokens, auto-refresh on, history open",
      reach: async (p) => {
        await p.getByRole("button", { name: "Exchange" }).click();
        await p.getByTestId("refresh-token").waitFor();
        await p.getByRole("checkbox", { name: "Refresh automatically" }).check();
        await p.getByTestId("next-auto-refresh").waitFor();
        for (const d of await p.locator("details").all())
          await d.evaluate((el) => el.setAttribute("open", ""));
      },
    },
    {
      name: "outcome unknown",
      reach: async (p) => {
        await p.getByRole("checkbox", { name: "Refresh automatically" }).uncheck();
        faults.push({ kind: "drop" });
        await p.getByRole("button", { name: "Refresh", exact: true }).click();
        await p.getByRole("heading", { name: "Refresh: outcome unknown" }).waitFor();
      },
    },
    {
      name: "handed off, asking to confirm",
      reach: async (p) => {
        await p.getByRole("button", { name: "Export for a server" }).click();
        await p.getByTestId("handoff-env").waitFor();
        await p.getByRole("button", { name: "Refresh", exact: true }).click();
        await p.getByRole("alertdialog").waitFor();
      },
    },
    {
      name: "handed off, asking to confirm revoking the refresh token",
      reach: async (p) => {
        await p.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
        await p.getByRole("button", { name: "Revoke the refresh token (ends it for good)" }).click();
        await p.getByRole("alertdialog", { name: "Revoke the refresh token?" }).waitFor();
      },
    },
    {
      name: "timeline after a refresh elsewhere and invalid_grant here, last hour, a mark focused",
      reach: async (p) => {
        await p.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
        const handoff = JSON.parse((await p.getByTestId("handoff-json").textContent()) ?? "{}");
        await refreshTokens(dev.demo, handoff.refresh_token);
        await p.getByRole("button", { name: "Refresh", exact: true }).click();
        await p
          .getByRole("alertdialog")
          .getByRole("button", { name: /^Refresh/ })
          .click();
        await p
          .getByTestId("timeline-picture")
          .getByRole("button", { name: /^invalid_grant: / })
          .waitFor();
        await p.getByRole("button", { name: "Last hour" }).click();
        await p.getByTestId("timeline-axis").focus();
        await p.getByTestId("timeline-picture").getByRole("button").last().focus();
        await p.getByTestId("timeline-detail").getByText("UTC", { exact: false }).waitFor();
      },
    },
    {
      name: "home with a connection and the import form open",
      reach: async (p) => {
        await p.goto(`${dev.origin}/`);
        await p.getByText("Import a token response or a refresh token").click();
        await p.getByLabel("Token response JSON, or a refresh token alone").waitFor();
      },
    },
    {
      name: "support desk with a pasted JWT decoded, claims open, asking to confirm a refresh",
      reach: async (p) => {
        await p.goto(`${dev.origin}/#/support`);
        const claims = Buffer.from(JSON.stringify({ iss: dev.demo.issuer, sub: "dana", exp: 4102444800 }));
        const jwt = `eyJhbGciOiJSUzI1NiJ9.${claims.toString("base64url")}.c2ln`;
        await p
          .getByLabel(SUPPORT_PASTE)
          .fill(JSON.stringify({ access_token: jwt, refresh_token: "rt-a11y" }));
        await p.getByTestId("jwt-facts").waitFor();
        for (const d of await p.locator("details").all())
          await d.evaluate((el) => el.setAttribute("open", ""));
        await p.getByRole("button", { name: "Refresh (spends the refresh token)" }).click();
        await p.getByRole("alertdialog").waitFor();
      },
    },
    {
      name: "support desk explaining a pasted error",
      reach: async (p) => {
        await p.getByLabel(SUPPORT_PASTE).fill('{"error":"invalid_grant","error_description":"<b>used</b>"}');
        await p.getByRole("list", { name: "Likely causes, likeliest first" }).waitFor();
      },
    },
    {
      name: "support desk with a connection's bundle, explainer and credential trail",
      reach: async (p) => {
        await p.getByLabel("Or diagnose a connection in this browser").selectOption({ index: 1 });
        await p.getByTestId("credential-trail").waitFor();
        for (const d of await p.locator("details").all())
          await d.evaluate((el) => el.setAttribute("open", ""));
      },
    },
  ];

  for (const scheme of ["light", "dark"] as const) {
    it(`has no axe violations and nothing wider than 360 px, ${scheme}`, async () => {
      const page = await browser.context.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      const problems: string[] = [];
      for (const state of states) {
        await page.setViewportSize({ width: 1100, height: 900 });
        await state.reach(page);
        for (const v of await _axe(page)) problems.push(`${state.name}: ${v}`);
        await page.setViewportSize({ width: 360, height: 800 });
        for (const w of await _overflowing(page)) problems.push(`${state.name} at 360 px: ${w}`);
      }
      expect(problems).toEqual([]);
      await page.close();
      // One test walks every state with axe twice over (1100 and 360 px): more than the default 90 s
      // when the machine is shared.
    }, 240_000);
  }
});
