/** The connection page's "Show values" switch, for tests that need the real tokens on screen. */
import type { Page } from "playwright-core";

/**
 * Turns the page's "Show values" switch on (or off). It is off whenever a page is opened or
 * reloaded, so a test that reads tokens from the screen turns it on after each.
 */
export async function _showValues(page: Page, shown = true): Promise<void> {
  const toggle = page.getByRole("switch", { name: "Show values" });
  if ((await toggle.isChecked()) !== shown) await toggle.click();
}

/** A token field's value in clear: the switch turned on for the read, and off again. */
export async function _tokenValue(page: Page, testId: string): Promise<string> {
  await _showValues(page, true);
  const value = (await page.getByTestId(testId).textContent()) ?? "";
  await _showValues(page, false);
  return value;
}
