/**
 * Finds a Chromium for the browser tests and starts it headless with a fresh profile.
 * Order: CHROMIUM_PATH, Debian's /usr/bin/chromium, then a browser Playwright installed itself.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const NO_CHROMIUM_MESSAGE =
  "No Chromium found for the browser tests: install Debian's (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.";

/** The path of a Chromium binary, or null when there is none on this machine. */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const path of candidates) if (path && existsSync(path)) return path;
  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // Playwright has no browser of its own here.
  }
  return null;
}

export interface Browser {
  readonly context: BrowserContext;
  readonly profile: string;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh profile directory that survives `close` only if `keepProfile`.
 * `ignoreHttpsErrors` accepts the dev server's self-signed certificate (`npm start -- --mode https`).
 */
export async function launchBrowser(
  profile?: string,
  options: { readonly ignoreHttpsErrors?: boolean } = {},
): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error(NO_CHROMIUM_MESSAGE);
  const dir = profile ?? (await mkdtemp(join(tmpdir(), "tokendesk-chromium-")));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1100, height: 900 },
    ignoreHTTPSErrors: options.ignoreHttpsErrors === true,
  });
  return {
    context,
    profile: dir,
    async close() {
      await context.close();
    },
  };
}

/** Deletes a profile directory made by {@link launchBrowser}. */
export async function removeProfile(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
