/**
 * Takes the README's screenshots: `npm run screenshots` writes docs/screenshots/*.png.
 * Re-run it whenever a page changes. Needs no account anywhere: FreeAgent and FreshBooks are walked
 * end to end against their emulators; for the other providers the authorize page (what tokendesk tells
 * you before you go there) is taken with placeholder client ids, since their real servers are not
 * reachable from here.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import type { DemoServer } from "../../src/dev/demo-server.ts";
import { freeagent } from "../../src/providers/freeagent.ts";
import { freshbooks } from "../../src/providers/freshbooks.ts";
import type { RelayClientConfig } from "../../src/relay/config.ts";
import { launchBrowser, removeProfile } from "./chromium.ts";
import { refreshTokens } from "./demo-flow.ts";
import { startDevServer } from "./dev-server.ts";
import { startFreeAgentEmulator } from "./emulators/freeagent.ts";
import { startFreshBooksEmulator } from "./emulators/freshbooks.ts";
import { emulatedRecipe } from "./emulators/recipes.ts";
import { _tokenValue } from "./values.ts";

const OUT = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

/** Providers shown only up to the authorize page: their client ids are placeholders. */
const AUTHORIZE_ONLY: readonly { provider: string; environment?: string; scope?: string }[] = [
  { provider: "xero", scope: "openid profile email accounting.settings.read" },
  { provider: "quickbooks", scope: "com.intuit.quickbooks.accounting openid email" },
  { provider: "google", scope: "openid email" },
  { provider: "microsoft", scope: "openid email User.Read" },
  { provider: "github", scope: "read:user" },
  { provider: "github-app" },
];

/** The whole page, or with `screen` only what a window of the page's size shows (the narrow ones, a phone's). */
async function shoot(
  page: Page,
  name: string,
  { screen = false }: { readonly screen?: boolean } = {},
): Promise<void> {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: !screen });
  console.log(`wrote ${path}`);
}

async function walk(page: Page, origin: string, client: string, name: string): Promise<void> {
  await page.goto(`${origin}/#/authorize/${client}`);
  await page.getByTestId("provider-facts").waitFor();
  await shoot(page, `${name}-authorize`);
  await page.getByRole("button", { name: /^Continue to / }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.waitForURL(/#\/connections\//);
  await page.getByRole("button", { name: "Exchange" }).click();
  await page.getByTestId("access-token").waitFor();
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  // Values are masked on screen; the history says when the refresh is done.
  await page.getByTestId("history").getByText("refreshed", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Identify the account" }).click();
  await page.getByTestId("account").waitFor();
  await shoot(page, `${name}-walk`);
}

/** "Try the API" on the FreeAgent connection walk() left open: GET /v2/company, the answer as a tree. */
async function tryApi(page: Page): Promise<void> {
  const panel = page.getByRole("region", { name: /^Try the API/ });
  await panel.getByRole("button", { name: "GET The company" }).click();
  await panel.getByRole("button", { name: "Send", exact: true }).click();
  await panel.getByRole("list", { name: "The answer's JSON" }).waitFor();
  const path = join(OUT, "try-api.png");
  await panel.screenshot({ path });
  console.log(`wrote ${path}`);
}

/** The main steps with the embedded demo server, as a newcomer sees them after `npm start`. */
async function demoWalk(page: Page, origin: string, demo: DemoServer): Promise<void> {
  await page.goto(`${origin}/#/authorize/demo`);
  await page.getByTestId("authorization-url").waitFor();
  await shoot(page, "walk-1-authorize");
  await page.getByRole("button", { name: /^Continue to / }).click();
  await page.getByPlaceholder("Enter any login").fill("alice");
  await page.getByPlaceholder("and password").fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.waitForURL(/#\/connections\//);
  await page.getByRole("button", { name: "Exchange" }).waitFor();
  await shoot(page, "walk-2-code");
  await page.getByRole("button", { name: "Exchange" }).click();
  await page.getByTestId("access-token").waitFor();
  await shoot(page, "walk-3-exchanged");
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  // Values are masked on screen; the history says when the refresh is done.
  await page.getByTestId("history").getByText("refreshed", { exact: true }).waitFor();
  await shoot(page, "walk-4-refreshed");
  await page.getByRole("button", { name: "Export for a server" }).click();
  await page.getByTestId("handoff-env").waitFor();
  // Masked on screen: read in clear (the server that was handed it refreshes below), then masked again.
  const handedOff = JSON.parse((await _tokenValue(page, "handoff-json")) || "{}") as {
    refresh_token: string;
  };
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  await page.getByRole("alertdialog").waitFor();
  await shoot(page, "walk-5-handed-off");
  const connection = page.url();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("link", { name: "Diagnose in the support desk" }).click();
  await page.getByRole("heading", { level: 2, name: "Support desk" }).waitFor();
  await page.waitForTimeout(300);
  await shoot(page, "walk-8-support-desk");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto(`${origin}/`);
  // The README's caption is the connections list: below every client's card, scrolled to its heading.
  const connections = page.getByRole("heading", { level: 2, name: "Connections" });
  await connections.waitFor();
  await connections.evaluate((heading) => heading.scrollIntoView({ block: "start" }));
  await shoot(page, "walk-6-narrow-dark-home", { screen: true });
  await page.goto(connection);
  await page.getByTestId("refresh-token").waitFor();
  await shoot(page, "walk-7-narrow-dark-connection", { screen: true });
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1100, height: 900 });
  // The server that was handed the token refreshes; the next refresh here meets invalid_grant.
  await refreshTokens(demo, handedOff.refresh_token);
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  await page
    .getByRole("alertdialog")
    .getByRole("button", { name: /^Refresh/ })
    .click();
  const timeline = page.getByTestId("timeline");
  await timeline.getByRole("button", { name: /^invalid_grant: / }).waitFor();
  await timeline.getByRole("button", { name: /^invalid_grant: / }).focus();
  const path = join(OUT, "walk-9-timeline.png");
  await timeline.screenshot({ path });
  console.log(`wrote ${path}`);
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const fa = await startFreeAgentEmulator({});
  const fb = await startFreshBooksEmulator({});
  // Over https, as FreshBooks requires of redirect URIs (npm start -- --mode https).
  const dev = await startDevServer({
    https: true,
    recipes: { freeagent: emulatedRecipe(freeagent, fa), freshbooks: emulatedRecipe(freshbooks, fb) },
    clients: (origin) => {
      const redirect = `${origin}/callback/`;
      fa.register(redirect);
      fb.register(redirect);
      const emulated: RelayClientConfig[] = [
        {
          id: "freeagent",
          provider: "freeagent",
          client_id: fa.clientId,
          client_secret: fa.clientSecret,
          redirect_uris: [redirect],
        },
        {
          id: "freshbooks",
          provider: "freshbooks",
          client_id: fb.clientId,
          client_secret: fb.clientSecret,
          redirect_uris: [redirect],
        },
      ];
      const placeholders = AUTHORIZE_ONLY.map(
        (p): RelayClientConfig => ({
          id: p.provider,
          provider: p.provider,
          client_id: `your-${p.provider}-client-id`,
          client_secret: "not-a-real-secret",
          redirect_uris: [redirect],
          ...(p.scope === undefined ? {} : { scope: p.scope }),
        }),
      );
      return [...emulated, ...placeholders];
    },
  });
  const browser = await launchBrowser(undefined, { ignoreHttpsErrors: true });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${dev.origin}/`);
    await page.getByRole("heading", { name: /^freeagent · / }).waitFor();
    await shoot(page, "home");
    await demoWalk(page, dev.origin, dev.demo);
    await walk(page, dev.origin, "freeagent", "freeagent");
    await tryApi(page);
    await walk(page, dev.origin, "freshbooks", "freshbooks");
    for (const { provider } of AUTHORIZE_ONLY) {
      await page.goto(`${dev.origin}/#/authorize/${provider}`);
      await page.getByTestId("authorization-url").waitFor();
      await shoot(page, `${provider}-authorize`);
    }
    await page.goto(`${dev.origin}/#/discover`);
    await page.getByLabel("Issuer").fill(dev.demo.issuer);
    await page.getByRole("button", { name: "Discover" }).click();
    await page.getByTestId("client-draft").waitFor();
    await shoot(page, "discover");
  } finally {
    await browser.close();
    await removeProfile(browser.profile);
    await dev.close();
    await fa.close();
    await fb.close();
  }
}

await main();
