/**
 * The interop matrix, walked in headless Chromium against the dev server (SPA + relay): for each
 * authorization server in test/interop/matrix.ts, a `custom` relay client with its endpoints typed in,
 * then every step as a person does it, asserting what the matrix's cell says. One dev server serves
 * the walks of all servers, each in a browser context of its own.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { CHROMIUM_ARGS, findChromium, NO_CHROMIUM_MESSAGE } from "../support/chromium.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { MATRIX, type MatrixRow, STEPS, type StepId } from "./matrix.ts";
import {
  authorize,
  discover,
  draftedClient,
  exchange,
  historyTypes,
  identify,
  openAuthorize,
  pasteInSupportDesk,
  probePasted,
  refresh,
  refreshPasted,
  text,
} from "./page-steps.ts";
import {
  type InteropServer,
  type InteropServerName,
  relayClientFor,
  startInteropServer,
} from "./servers/index.ts";
import { tail } from "./servers/process.ts";

let dev: RunningDevServer | undefined;
/** One Chromium for the matrix; each server gets a context of its own (its own cookies and storage). */
let browser: Browser | undefined;
/** Every server of the matrix, started at once (each start is mostly one single-threaded process). */
const started = new Map<InteropServerName, InteropServer>();
const failedToStart = new Map<InteropServerName, unknown>();

beforeAll(async () => {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error(NO_CHROMIUM_MESSAGE);
  // One dev server for the whole matrix: its first page load (Vite transforming the app) is the
  // slowest thing here. Its clients are made once its port, and so the redirect URI, is known.
  [dev, browser] = await Promise.all([
    startDevServer({
      clients: async (appOrigin) => {
        const results = await Promise.allSettled(
          MATRIX.map((row) => startInteropServer(row.server, { redirectUri: `${appOrigin}/callback/` })),
        );
        results.forEach((result, i) => {
          const name = MATRIX[i]?.server;
          if (name === undefined) return;
          if (result.status === "fulfilled") started.set(name, result.value);
          else failedToStart.set(name, result.reason);
        });
        return [...started.values()].map((server) => relayClientFor(server));
      },
    }),
    chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await dev?.close();
  await Promise.all([...started.values()].map((server) => server.stop()));
});

describe.each(MATRIX.map((row) => [row.server, row] as const))("%s", (_name, row: MatrixRow) => {
  let server: InteropServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  /** The connection the walk made, and the tokens it revoked. */
  let connectionUrl = "";
  const revoked: { access?: string; refresh?: string } = {};

  const s = (): InteropServer => {
    if (server === undefined) throw new Error(`${row.server} did not start`);
    return server;
  };
  const origin = (): string => {
    if (dev === undefined) throw new Error("the dev server did not start");
    return dev.origin;
  };

  /** One `it` per matrix cell, named by step and outcome; a failure prints the server's own log. */
  function step(id: StepId, body: () => Promise<void>): void {
    const cell = row.cells[id];
    const title = STEPS.find((x) => x.id === id)?.title ?? id;
    it(`${title}: ${cell.status}`, async () => {
      onTestFailed(async () => {
        const shown = await page
          .locator("body")
          .innerText({ timeout: 2000 })
          .catch(() => "(unreadable)");
        console.error(
          `--- ${row.server}'s log (last lines) ---\n${tail(server?.log() ?? "", 40)}\n--- the page at ${page.url()} ---\n${shown.slice(0, 3000)}`,
        );
      });
      await body();
      const shown = (await page.locator("body").textContent()) ?? "";
      for (const fragment of cell.shows ?? []) expect(shown).toContain(fragment);
    });
  }

  beforeAll(async () => {
    const failure = failedToStart.get(row.server);
    if (failure !== undefined) throw failure;
    server = started.get(row.server);
    if (browser === undefined) throw new Error("Chromium did not start");
    // Cookies of its own: cookies ignore ports, and every server here is on 127.0.0.1.
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    page = await context.newPage();
    const serverOrigin = new URL(s().issuer).origin;
    page.on("console", (m) => {
      if (m.type() !== "error" || !page.url().startsWith(origin())) return;
      // Discovery reads metadata from the page first; where the server sends no CORS headers, Chromium
      // logs the refusal, and the page asks the relay instead. Those lines are the design, not a fault.
      const where = m.location().url;
      if (
        where.startsWith(serverOrigin) ||
        (m.text().includes("CORS policy") && m.text().includes(serverOrigin))
      )
        return;
      consoleErrors.push(`${m.text()} at ${where}`);
    });
    page.on("pageerror", (e) => {
      if (page.url().startsWith(origin())) consoleErrors.push(e.message);
    });
  });

  afterAll(async () => {
    await context?.close();
  });

  step("discovery", async () => {
    const shown = await discover(page, origin(), s().issuer);
    const cell = row.cells.discovery;
    expect(shown.found).toBe(cell.status === "works");
    if (!shown.found) return;
    const draft = await draftedClient(page);
    expect(draft).toMatchObject({
      provider: "custom",
      issuer: s().issuer,
      authorization_endpoint: s().endpoints.authorization_endpoint,
      token_endpoint: s().endpoints.token_endpoint,
      identity_endpoint: s().endpoints.userinfo_endpoint,
      token_endpoint_auth_method: s().client.token_endpoint_auth_method,
    });
    // A revocation endpoint is drafted exactly when the metadata names one (DOT 1.7's does not).
    const metadata = (await (await fetch(s().metadataUrl)).json()) as { revocation_endpoint?: string };
    expect(draft.revocation_endpoint).toBe(metadata.revocation_endpoint);
  });

  step("authorize", async () => {
    const url = await openAuthorize(page, origin(), row.server, row.extraParams);
    expect(`${url.origin}${url.pathname}`).toBe(s().endpoints.authorization_endpoint);
    expect(url.searchParams.get("client_id")).toBe(s().client.client_id);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    connectionUrl = await authorize(page, () => s().login(page, origin()));
    expect(connectionUrl).not.toMatch(/[?&](code|state)=/);
    expect((await text(page, "code")).length).toBeGreaterThan(20);
  });

  step("exchange", async () => {
    const shown = await exchange(page);
    expect(shown.sent).toContain(`POST ${s().endpoints.token_endpoint}`);
    expect(shown.sent).toContain("grant_type=authorization_code");
    expect(shown.sent).toMatch(/code_verifier=[\w-]{43}/);
    expect(shown.sent).toContain(
      s().client.token_endpoint_auth_method === "client_secret_basic"
        ? "Basic [redacted]"
        : "client_secret=[redacted]",
    );
    expect(shown.response).toContain('"access_token"');
    expect(shown.response).toContain('"id_token"');
    expect(shown.response).toContain('"refresh_token"');
    expect((await text(page, "refresh-token")).length).toBeGreaterThan(10);
    expect(await historyTypes(page)).toEqual(["authorized", "exchanged"]);
  });

  step("identity", async () => {
    const shown = await identify(page);
    if (row.cells.identity.status === "works") {
      expect(shown.problem).toBeNull();
      expect(shown.account ?? "").not.toBe("");
    } else {
      expect(shown.account).toBeNull();
      expect(shown.problem).toContain("401");
    }
  });

  step("refresh", async () => {
    const before = await text(page, "refresh-token");
    const shown = await refresh(page);
    expect(shown.sent).toContain("grant_type=refresh_token");
    const after = await text(page, "refresh-token");
    if (s().offers.refresh === "rotating") {
      expect(after).not.toBe(before);
      expect(shown.history.slice(-2)).toEqual(["refreshed", "rotated"]);
    } else {
      expect(after).toBe(before);
      expect(shown.history.at(-1)).toBe("refreshed");
    }
    // The old refresh token, as someone holding a copy would find out: the support desk spends it.
    await pasteInSupportDesk(page, origin(), before, "a refresh token", row.server);
    const old = await refreshPasted(page);
    expect(old.refused).toBe(s().offers.refresh === "rotating");
    if (old.refused) expect(old.page).toContain("invalid_grant");
    if (row.rotatedReuse !== undefined) {
      // Does presenting the rotated-out token cost the current one? Refresh the walk's connection.
      await page.goto(connectionUrl);
      await page.getByTestId("refresh-token").waitFor();
      const again = await refresh(page);
      if (row.rotatedReuse === "revokes the grant") {
        expect(again.history.at(-1)).toBe("failed");
        expect(again.response).toContain('"error": "invalid_grant"');
      } else {
        expect(again.history.slice(-2)).toEqual(["refreshed", "rotated"]);
      }
    }
  });

  step("revoke", async () => {
    await page.goto(connectionUrl);
    await page.getByTestId("refresh-token").waitFor();
    const card = page.locator("section[aria-labelledby=revoke-heading]");
    if (row.cells.revoke.status === "not-offered") {
      expect(await card.textContent()).toContain("has no revocation endpoint tokendesk knows");
      return;
    }
    const access = await text(page, "access-token");
    const refreshToken = await text(page, "refresh-token");
    await card.getByRole("button", { name: "Revoke the access token (ends it now)" }).click();
    await page
      .getByRole("alertdialog", { name: "Revoke the access token?" })
      .getByRole("button", { name: "Revoke the access token" })
      .click();
    const accessRevoked = await Promise.any([
      page
        .getByTestId("access-token")
        .waitFor({ state: "detached" })
        .then(() => true),
      page
        .locator("section[aria-labelledby=revoke-heading] [role=alert], [data-testid=problem]")
        .first()
        .waitFor()
        .then(() => false),
    ]);
    expect(accessRevoked).toBe(s().offers.accessTokenFormat === "opaque");
    if (accessRevoked) revoked.access = access;
    await card.getByRole("button", { name: "Revoke the refresh token (ends it for good)" }).click();
    await page
      .getByRole("alertdialog", { name: "Revoke the refresh token?" })
      .getByRole("button", { name: "Revoke it for good" })
      .click();
    await page
      .locator("span.status")
      .filter({ hasText: /^revoked$/ })
      .waitFor();
    expect(await text(page, "status")).toBe("Dead: authorize again");
    revoked.refresh = refreshToken;
  });

  if (row.cells["revoked-refused"].status !== "not-offered") {
    step("revoked-refused", async () => {
      expect(revoked.refresh).toBeDefined();
      if (revoked.access !== undefined) {
        await pasteInSupportDesk(page, origin(), revoked.access, "an access token", row.server);
        expect(await probePasted(page)).toContain("refused the access token (401)");
      }
      await pasteInSupportDesk(page, origin(), revoked.refresh ?? "", "a refresh token", row.server);
      const shown = await refreshPasted(page);
      expect(shown.refused).toBe(true);
      expect(shown.page).toContain("invalid_grant");
    });
  }

  it("never put the client secret in tokendesk's page, and logged no errors there", async () => {
    const html = await page.content();
    expect(html).not.toContain(s().client.client_secret);
    expect(consoleErrors).toEqual([]);
  });
});
