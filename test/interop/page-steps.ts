/**
 * What a person does in tokendesk's pages during the interop walk, one function per action, so the
 * walk reads as the matrix's steps. Each returns what the page showed.
 */
import type { Page } from "playwright-core";

export async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? "";
}

/** Discover its endpoints: types the issuer and waits for the metadata or the page's problem. */
export async function discover(
  page: Page,
  origin: string,
  issuer: string,
): Promise<{ found: boolean; page: string }> {
  await page.goto(`${origin}/#/discover`);
  await page.getByLabel("Issuer").fill(issuer);
  await page.getByRole("button", { name: "Discover" }).click();
  const found = await Promise.any([
    page
      .getByTestId("discovered")
      .waitFor()
      .then(() => true),
    page
      .locator("section[aria-labelledby=discover-heading] p.problem[role=alert]")
      .waitFor()
      .then(() => false),
  ]);
  return {
    found,
    page: (await page.locator("section[aria-labelledby=discover-heading]").textContent()) ?? "",
  };
}

/** The draft `TOKENDESK_CLIENTS` entry the discovery page wrote. */
export async function draftedClient(page: Page): Promise<Record<string, unknown>> {
  const draft = await text(page, "client-draft");
  const clients = JSON.parse(draft.replace(/^TOKENDESK_CLIENTS='/, "").replace(/'$/, "")) as unknown[];
  return clients[0] as Record<string, unknown>;
}

/** The authorize page of a relay client, with extra parameters typed in; returns the authorization URL. */
export async function openAuthorize(
  page: Page,
  origin: string,
  clientId: string,
  extra: string,
): Promise<URL> {
  await page.goto(`${origin}/#/authorize/${clientId}`);
  await page.getByTestId("authorization-url").waitFor();
  if (extra !== "") {
    const field = page.getByLabel(/Extra authorization parameters/);
    await field.fill(extra);
    await field.blur();
    const [name = "", value = ""] = extra.split("\n")[0]?.split("=") ?? [];
    await page.waitForFunction(
      ([n, v]) => {
        const url = document.querySelector('[data-testid="authorization-url"]')?.textContent ?? "";
        return url !== "" && new URL(url).searchParams.get(n ?? "") === v;
      },
      [name, value],
    );
  }
  return new URL(await text(page, "authorization-url"));
}

/** "Continue to …" leaves for the server; `login` gets through its pages; back on the connection. */
export async function authorize(page: Page, login: () => Promise<void>): Promise<string> {
  await page.getByRole("button", { name: /^Continue to 127\.0\.0\.1:\d+$/ }).click();
  await login();
  await page.waitForURL(/#\/connections\//);
  await page.getByTestId("code").waitFor();
  return page.url();
}

export interface ShownExchange {
  readonly sent: string;
  readonly response: string;
}

async function lastExchange(page: Page, kind: RegExp): Promise<ShownExchange> {
  const region = page.getByRole("region", { name: kind });
  return {
    sent: (await region.getByTestId("sent-request").textContent()) ?? "",
    response: (await region.getByTestId("upstream-response").textContent()) ?? "",
  };
}

export async function exchange(page: Page): Promise<ShownExchange> {
  await page.getByRole("button", { name: "Exchange" }).click();
  await Promise.any([page.getByTestId("access-token").waitFor(), page.getByTestId("problem").waitFor()]);
  return lastExchange(page, /^Last exchange · code exchange/);
}

export async function historyTypes(page: Page): Promise<string[]> {
  return page.getByTestId("history").locator("li > strong").allTextContents();
}

/** Refresh on the connection page; waits for the new event in the history. */
export async function refresh(page: Page): Promise<ShownExchange & { history: string[] }> {
  const before = (await historyTypes(page)).length;
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  await page.waitForFunction(
    (count) => document.querySelectorAll('[data-testid="history"] li > strong').length > count,
    before,
  );
  return { ...(await lastExchange(page, /^Last exchange · refresh/)), history: await historyTypes(page) };
}

/** "Identify the account" on the connection page: the account, or the page's problem. */
export async function identify(page: Page): Promise<{ account: string | null; problem: string | null }> {
  const account = page.getByRole("region", { name: "Account" });
  await account.getByRole("button", { name: "Identify the account" }).click();
  const shown = await Promise.any([
    account
      .getByTestId("account")
      .waitFor()
      .then(() => "account" as const),
    account
      .getByTestId("probe-problem")
      .waitFor()
      .then(() => "problem" as const),
  ]);
  return shown === "account"
    ? { account: await account.getByTestId("account").locator("strong").textContent(), problem: null }
    : { account: null, problem: await account.getByTestId("probe-problem").textContent() };
}

/** Opens the support desk with a pasted token, checks it as the given role against the relay client. */
export async function pasteInSupportDesk(
  page: Page,
  origin: string,
  token: string,
  role: "an access token" | "a refresh token",
  clientId: string,
): Promise<void> {
  await page.goto(`${origin}/#/support`);
  await page
    .getByLabel("Paste a token, a token response, an exported connection or a diagnostic bundle")
    .fill(token);
  await page.getByRole("radio", { name: role }).check();
  await page.getByLabel("Relay client for the checks").selectOption(clientId);
}

/** Safe checks: the identity probe with the pasted access token; what the page said. */
export async function probePasted(page: Page): Promise<string> {
  const checks = page.getByRole("region", { name: "Safe checks read-only" });
  await checks.getByRole("button", { name: "Identify the account (read-only)" }).click();
  await checks.getByTestId("probe-result").waitFor();
  return (await checks.getByTestId("probe-result").textContent()) ?? "";
}

/**
 * Spends the pasted refresh token (asking first where the page asks), which saves the answer as a new
 * connection: what that connection's page shows.
 */
export async function refreshPasted(page: Page): Promise<{ refused: boolean; page: string }> {
  await page.getByRole("button", { name: "Refresh (spends the refresh token)" }).click();
  // A custom provider's refresh tokens count as rotating until known otherwise, so the page asks.
  const dialog = page.getByRole("alertdialog", { name: "Spend this refresh token?" });
  await dialog.getByRole("button", { name: "Spend it and refresh" }).click();
  await page.waitForURL(/#\/connections\//);
  const refused = await Promise.any([
    page
      .getByTestId("problem")
      .waitFor()
      .then(() => true),
    page
      .getByTestId("access-token")
      .waitFor()
      .then(() => false),
  ]);
  return { refused, page: (await page.locator("article").textContent()) ?? "" };
}
