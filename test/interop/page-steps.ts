/**
 * What a person does in tokendesk's pages during the interop walk, one function per action, so the
 * walk reads as the matrix's steps. Each returns what the page showed. Values are masked until the
 * page's "Show values" switch is on; the functions that read a token or a raw request turn it on.
 */
import type { Locator, Page } from "playwright-core";
import { _showValues, _tokenValue } from "../support/values.ts";

export { _tokenValue as tokenValue };

export async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? "";
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? "";
}

/** The first of several things to appear, by name; a timeout of one is not a failure of the others. */
async function first<T extends string>(waits: Readonly<Record<T, Locator>>): Promise<T> {
  return Promise.any(
    (Object.entries(waits) as [T, Locator][]).map(([name, locator]) => locator.waitFor().then(() => name)),
  );
}

export interface ShownDiscovery {
  readonly found: boolean;
  /** "What was tried", one line per request, as the page lists them. */
  readonly attempts: readonly string[];
  /** The sentence saying where the metadata was found, or the problem. */
  readonly said: string;
}

/** Discover its endpoints: types the issuer and waits for the metadata or the page's problem. */
export async function discover(page: Page, origin: string, issuer: string): Promise<ShownDiscovery> {
  await page.goto(`${origin}/#/discover`);
  await page.getByLabel("Issuer").fill(issuer);
  await page.getByRole("button", { name: "Discover" }).click();
  const section = page.locator("section[aria-labelledby=discover-heading]");
  const found =
    (await first({
      found: page.getByTestId("discovered"),
      problem: page.getByTestId("discovery-problem"),
    })) === "found";
  return {
    found,
    attempts: await section.locator("ol.attempts > li").allTextContents(),
    said: await text(page, found ? "discovered" : "discovery-problem"),
  };
}

/** The draft `TOKENDESK_CLIENTS` entry the discovery page wrote, as the page shows it. */
export async function draftedClient(page: Page): Promise<Record<string, unknown>> {
  const draft = await text(page, "client-draft");
  const clients = JSON.parse(draft.replace(/^TOKENDESK_CLIENTS='/, "").replace(/'$/, "")) as unknown[];
  return clients[0] as Record<string, unknown>;
}

/**
 * Back to the clients from the discovery page, once the relay lists the client added to `.env.local`:
 * the open page follows the relay's clients as the dev server reloads them (no reload, no restart).
 */
export async function clientListed(page: Page, id: string): Promise<void> {
  await page.getByRole("link", { name: "Back to the clients" }).click();
  await page.getByRole("heading", { name: new RegExp(`^${id} · `) }).waitFor();
}

/** The client card's Authorize, extra parameters and scope typed in; returns the authorization URL. */
export async function openAuthorize(
  page: Page,
  clientId: string,
  extra: string,
  scope: string | null,
): Promise<URL> {
  const card = page.locator("article", {
    has: page.getByRole("heading", { name: new RegExp(`^${clientId} · `) }),
  });
  await card.getByRole("link", { name: "Authorize" }).click();
  await page.getByTestId("authorization-url").waitFor();
  const waitFor = async (name: string, value: string) =>
    page.waitForFunction(
      ([n, v]) => {
        const url = document.querySelector('[data-testid="authorization-url"]')?.textContent ?? "";
        return url !== "" && new URL(url).searchParams.get(n ?? "") === v;
      },
      [name, value],
    );
  if (scope !== null) {
    const field = page.getByLabel("Scope", { exact: true });
    await field.fill(scope);
    await field.blur();
    await waitFor("scope", scope);
  }
  if (extra !== "") {
    const field = page.getByLabel(/Extra authorization parameters/);
    await field.fill(extra);
    await field.blur();
    const [name = "", value = ""] = extra.split("\n")[0]?.split("=") ?? [];
    await waitFor(name, value);
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
  /** The request as the relay sent it (values shown: the switch is on), the secret redacted. */
  readonly sent: string;
  readonly response: string;
}

async function lastExchange(page: Page, kind: RegExp): Promise<ShownExchange> {
  await _showValues(page, true);
  const region = page.getByRole("region", { name: kind });
  return {
    sent: await textOf(region.getByTestId("sent-request")),
    response: await textOf(region.getByTestId("upstream-response")),
  };
}

export async function exchange(page: Page): Promise<ShownExchange> {
  await page.getByRole("button", { name: "Exchange" }).click();
  await first({ tokens: page.getByTestId("access-token"), problem: page.getByTestId("problem") });
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

export interface ShownIdToken {
  /** The badge: "verified", "failed", "not verified"… */
  readonly badge: string;
  /** "Received … with the code exchange" or "with a refresh". */
  readonly received: string;
  /** The verdict in words, notes included. */
  readonly verdict: string;
  /** The claims table, label → value ("Subject (sub)" → "1"). */
  readonly claims: Readonly<Record<string, string>>;
  /** The claims as the issuer wrote them. */
  readonly json: Readonly<Record<string, unknown>>;
}

/** The ID token panel once its check is done (the badge leaves "checking…"). */
export async function idToken(page: Page): Promise<ShownIdToken> {
  const panel = page.getByTestId("id-token-panel");
  await page.waitForFunction(() => {
    const badge = document.querySelector('[data-testid="id-token-badge"]')?.textContent ?? "";
    return badge !== "" && badge !== "checking…";
  });
  const claims: Record<string, string> = {};
  const facts = panel.getByTestId("id-token-claims");
  const terms = await facts.locator("dt").allTextContents();
  const values = await facts.locator("dd").allTextContents();
  terms.forEach((term, i) => {
    claims[term] = values[i] ?? "";
  });
  return {
    badge: await text(page, "id-token-badge"),
    received: await text(page, "id-token-received"),
    verdict: await text(page, "id-token-verdict"),
    claims,
    json: JSON.parse(await textOf(panel.getByTestId("id-token-claims-json"))) as Record<string, unknown>,
  };
}

/** "Identify the account" on the connection page: the account, or the page's problem. */
export async function identify(page: Page): Promise<{ account: string | null; problem: string | null }> {
  const account = page.getByRole("region", { name: "Account" });
  await account.getByRole("button", { name: "Identify the account" }).click();
  const shown = await first({
    account: account.getByTestId("account"),
    problem: account.getByTestId("probe-problem"),
  });
  return shown === "account"
    ? { account: await textOf(account.getByTestId("account").locator("strong")), problem: null }
    : { account: null, problem: await textOf(account.getByTestId("probe-problem")) };
}

export interface ShownIntrospection {
  /** The verdict line: "The access token is active. The server answered …". */
  readonly verdict: string;
  /** "Next: …". */
  readonly next: string;
  /** Each member of the answer as the page explains it, by name. */
  readonly claims: Readonly<Record<string, string>>;
}

async function readIntrospection(scope: Locator): Promise<ShownIntrospection> {
  const result = scope.getByTestId("introspection-result");
  await result.waitFor();
  const claims: Record<string, string> = {};
  const facts = result.getByTestId("introspection-claims");
  if ((await facts.count()) > 0) {
    const terms = await facts.locator("dt").allTextContents();
    const values = await facts.locator("dd").allTextContents();
    terms.forEach((term, i) => {
      claims[term] = values[i] ?? "";
    });
  }
  return {
    verdict: await textOf(result.getByTestId("introspection-verdict")),
    next: await textOf(result.locator("p", { hasText: /^Next:/ })),
    claims,
  };
}

/**
 * Clicks one of an introspection card's buttons and reads the answer. The button stays disabled from
 * the click until the answer is shown: once the relay has answered and the button is enabled again,
 * the result on screen is this click's, not the one before it.
 */
async function introspectIn(
  page: Page,
  card: Locator,
  which: "access token" | "refresh token",
): Promise<ShownIntrospection> {
  const button = card.getByRole("button", { name: `Introspect the ${which}` });
  const answered = page.waitForResponse((r) => r.url().endsWith("/relay/introspect"));
  await button.click();
  await answered;
  await page.waitForFunction(
    (b) => b instanceof HTMLButtonElement && !b.disabled,
    await button.elementHandle(),
  );
  return readIntrospection(card);
}

/** "Introspect the access/refresh token" on the connection page. */
export function introspect(page: Page, which: "access token" | "refresh token"): Promise<ShownIntrospection> {
  return introspectIn(page, page.locator("section[aria-labelledby=introspect-heading]"), which);
}

/** The introspection card's words when the client has no introspection endpoint. */
export async function introspectionNote(page: Page): Promise<string> {
  return text(page, "introspect-note");
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
  return textOf(checks.getByTestId("probe-result"));
}

/** Safe checks: introspection of the pasted token, in the role chosen. */
export function introspectPasted(
  page: Page,
  which: "access token" | "refresh token",
): Promise<ShownIntrospection> {
  return introspectIn(page, page.getByTestId("introspect-pasted"), which);
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
  const refused =
    (await first({ problem: page.getByTestId("problem"), tokens: page.getByTestId("access-token") })) ===
    "problem";
  return { refused, page: await textOf(page.locator("article")) };
}

const REVOKE_PROBLEMS = "section[aria-labelledby=revoke-heading] [role=alert], [data-testid=problem]";

/** The problems the page shows about revoking, as text: a new one is an answer to the last click. */
function revokeProblems(page: Page): Promise<string> {
  return page.evaluate(
    (selector) => [...document.querySelectorAll(selector)].map((e) => e.textContent ?? "").join("\n"),
    REVOKE_PROBLEMS,
  );
}

/**
 * Revokes one token on the connection page, confirming. Resolves once the page shows the outcome: the
 * token gone (access) or marked revoked (refresh), or a problem other than those already shown.
 */
export async function revoke(
  page: Page,
  which: "access token" | "refresh token",
): Promise<{ ended: boolean; said: string }> {
  const card = page.locator("section[aria-labelledby=revoke-heading]");
  const before = await revokeProblems(page);
  if (which === "access token") {
    await card.getByRole("button", { name: "Revoke the access token (ends it now)" }).click();
    await page
      .getByRole("alertdialog", { name: "Revoke the access token?" })
      .getByRole("button", { name: "Revoke the access token" })
      .click();
  } else {
    await card.getByRole("button", { name: "Revoke the refresh token (ends it for good)" }).click();
    await page
      .getByRole("alertdialog", { name: "Revoke the refresh token?" })
      .getByRole("button", { name: "Revoke it for good" })
      .click();
  }
  // Token requests leave from the shared token worker, out of the page's sight: wait for what it shows.
  const outcome = await page.waitForFunction(
    ([access, selector, shown]) => {
      const ended = access
        ? document.querySelector('[data-testid="access-token"]') === null
        : [...document.querySelectorAll("span.status")].some((e) => e.textContent === "revoked");
      if (ended) return "ended";
      const now = [...document.querySelectorAll(selector ?? "")].map((e) => e.textContent ?? "").join("\n");
      // A new click clears the last problem first: only a new one, not its absence, is an answer.
      return now !== "" && now !== shown ? "problem" : false;
    },
    [which === "access token", REVOKE_PROBLEMS, before] as const,
  );
  return { ended: (await outcome.jsonValue()) === "ended", said: await textOf(page.locator("article")) };
}
