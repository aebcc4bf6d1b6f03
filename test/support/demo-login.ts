/** The demo authorization server's own pages, driven in the browser: continue, log in, consent. */
import type { Page } from "playwright-core";

/**
 * From tokendesk's authorize page to the callback: continues to the demo server, logs in with any
 * name (its dev login accepts anyone) and consents. Returns once the page is back on a connection.
 */
export async function loginAndConsentInBrowser(page: Page, login = "alice"): Promise<void> {
  await page.getByRole("button", { name: /^Continue to 127\.0\.0\.1:\d+$/ }).click();
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(/#\/connections\//);
}
