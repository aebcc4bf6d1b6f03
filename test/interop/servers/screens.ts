/**
 * Getting through an authorization server's own pages in Chromium, as a person would: whichever of
 * its screens shows up (a login form, a consent page, or none when it remembers both), fill it in and
 * submit it, until the browser is back at tokendesk.
 */
import type { Locator, Page } from "playwright-core";

export interface Screen {
  /** For error messages: "login", "consent". */
  readonly name: string;
  /** Something only this screen shows. */
  readonly shows: (page: Page) => Locator;
  /** Fills it in; the last thing it does is the click that submits it. */
  readonly submit: (page: Page) => Promise<void>;
}

/**
 * Whether the browser is back at tokendesk from the server: on its callback page or already on the
 * connection it made. Not merely on tokendesk's origin: right after "Continue to …" is clicked the
 * page is still tokendesk's authorize page until the server's first page arrives.
 */
function isBack(url: string, appOrigin: string): boolean {
  return ["/callback/", "/#/callback", "/#/connections/"].some((path) =>
    url.startsWith(`${appOrigin}${path}`),
  );
}

export async function passScreens(
  page: Page,
  appOrigin: string,
  screens: readonly Screen[],
  timeoutMs = 20_000,
): Promise<void> {
  const seen: string[] = [];
  for (let step = 0; step < 6; step++) {
    if (isBack(page.url(), appOrigin)) return;
    let next: Screen | "back";
    try {
      next = await Promise.any([
        page
          .waitForURL((url) => isBack(url.href, appOrigin), { timeout: timeoutMs })
          .then(() => "back" as const),
        ...screens.map((screen) =>
          screen
            .shows(page)
            .waitFor({ timeout: timeoutMs })
            .then(() => screen),
        ),
      ]);
    } catch {
      throw new Error(
        `Neither back at ${appOrigin} nor on a known screen (${screens.map((s) => s.name).join(", ")}) after ${seen.join(" → ") || "the start"}; at ${page.url()}`,
      );
    }
    if (next === "back") return;
    seen.push(next.name);
    const navigated = page.waitForEvent("framenavigated", {
      predicate: (frame) => frame === page.mainFrame(),
      timeout: timeoutMs,
    });
    await next.submit(page);
    await navigated;
  }
  throw new Error(`Still not back at ${appOrigin} after ${seen.join(" → ")}; at ${page.url()}`);
}
