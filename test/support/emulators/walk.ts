/**
 * A browser walk against a provider emulator: the dev server with one client of the provider, whose
 * recipe is the real one with its endpoints moved to the emulator, and a headless Chromium whose
 * console errors on tokendesk's own pages are collected.
 */
import type { Page } from "playwright-core";
import type { Recipe } from "../../../src/providers/types.ts";
import { type Browser, launchBrowser, removeProfile } from "../chromium.ts";
import { type RunningDevServer, startDevServer } from "../dev-server.ts";
import type { ProviderEmulator } from "./core.ts";
import { emulatedRecipe } from "./recipes.ts";

export interface EmulatedWalk {
  readonly dev: RunningDevServer;
  readonly browser: Browser;
  readonly page: Page;
  readonly consoleErrors: string[];
  close(): Promise<void>;
}

export async function startEmulatedWalk(options: {
  readonly recipe: Recipe;
  readonly emulator: ProviderEmulator;
  readonly https?: boolean;
  readonly requestHeaders?: Readonly<Record<string, string>>;
}): Promise<EmulatedWalk> {
  const { recipe, emulator } = options;
  const extra = options.requestHeaders === undefined ? {} : { requestHeaders: options.requestHeaders };
  const dev = await startDevServer({
    https: options.https === true,
    recipes: { [recipe.id]: emulatedRecipe(recipe, emulator, extra) },
    clients: (origin) => {
      emulator.register(`${origin}/callback/`);
      return [
        {
          id: recipe.id,
          provider: recipe.id,
          client_id: emulator.clientId,
          client_secret: emulator.clientSecret,
          redirect_uris: [`${origin}/callback/`],
        },
      ];
    },
  });
  const browser = await launchBrowser(undefined, { ignoreHttpsErrors: options.https === true });
  const page = await browser.context.newPage();
  const consoleErrors: string[] = [];
  // Only tokendesk's own pages count: the emulator's pages are a provider's, not ours.
  page.on("console", (m) => {
    if (m.type() === "error" && page.url().startsWith(dev.origin)) consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  return {
    dev,
    browser,
    page,
    consoleErrors,
    async close() {
      await browser.close();
      await removeProfile(browser.profile);
      await dev.close();
    },
  };
}
