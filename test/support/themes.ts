/**
 * The theme's behaviour as a person sees it, checked the same way on the dev server
 * (accessibility.test.ts) and on the built page (static-hosting.test.ts), whose stylesheet the build
 * transforms and inlines.
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";

/** The page's background (src/ui/styles.css `--bg`) in each theme. */
const LIGHT = "rgb(247, 247, 245)";
const DARK = "rgb(20, 21, 24)";

/**
 * Opens `url` in `page` with the system set to light: the page follows the system's setting until
 * the switch (system → light → dark → system) overrides it, and the choice outlives a reload, shown
 * before the app's first render (which waits for a frame), so the frame does not flash the other.
 */
export async function expectThemesFollowSystemAndSwitch(page: Page, url: string): Promise<void> {
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  // The background once the page's scripts have run (DOMContentLoaded), before the app renders.
  await page.addInitScript(() => {
    document.addEventListener("DOMContentLoaded", () => {
      document.documentElement.dataset.backgroundAtLoad = getComputedStyle(document.body).backgroundColor;
    });
  });
  const backgroundAtLoad = () => page.evaluate(() => document.documentElement.dataset.backgroundAtLoad);
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(url);
  await page.getByRole("button", { name: /^Theme: system/ }).waitFor();
  expect(await background()).toBe(LIGHT);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await background()).toBe(DARK);
  await page.getByRole("button", { name: /^Theme: system/ }).click();
  expect(await background()).toBe(LIGHT);
  await page.reload();
  expect(await backgroundAtLoad()).toBe(LIGHT);
  await page.getByRole("button", { name: /^Theme: light/ }).click();
  expect(await background()).toBe(DARK);
  await page.emulateMedia({ colorScheme: "light" });
  expect(await background()).toBe(DARK);
  await page.getByRole("button", { name: /^Theme: dark/ }).click();
  expect(await background()).toBe(LIGHT);
}
