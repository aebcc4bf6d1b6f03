/**
 * The interop matrix, walked in headless Chromium against the dev server (SPA + relay), as a person
 * meets each authorization server in test/interop/matrix.ts: discover it from its issuer in the page,
 * take the `custom` client the page drafts, fill in the app's registration (client id and secret)
 * and put it in `.env.local`, which the running dev server reloads; then authorize at the server's
 * own pages and walk every step it offers, asserting what the matrix's cell says. One dev server
 * serves the walks of all servers, each in a browser context of its own.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { CHROMIUM_ARGS, findChromium, NO_CHROMIUM_MESSAGE } from "../support/chromium.ts";
import { type RunningDevServer, startDevServer } from "../support/dev-server.ts";
import { MATRIX, type MatrixRow, STEPS, type StepId } from "./matrix.ts";
import {
  authorize,
  clientListed,
  discover,
  draftedClient,
  exchange,
  historyTypes,
  identify,
  idToken,
  introspect,
  introspectionNote,
  introspectPasted,
  openAuthorize,
  pasteInSupportDesk,
  probePasted,
  refresh,
  refreshPasted,
  revoke,
  text,
  tokenValue,
} from "./page-steps.ts";
import { type InteropServer, type InteropServerName, startInteropServer } from "./servers/index.ts";
import { tail } from "./servers/process.ts";

let dev: RunningDevServer | undefined;
/** Where the dev server reads `.env.local`: a temporary directory, never the developer's own. */
let envDir = "";
/** One Chromium for the matrix; each server gets a context of its own (its own cookies and storage). */
let browser: Browser | undefined;
/** Every server of the matrix, started at once (each start is mostly one single-threaded process). */
const started = new Map<InteropServerName, InteropServer>();
const failedToStart = new Map<InteropServerName, unknown>();
/** TOKENDESK_CLIENTS as `.env.local` holds it: each walk's discovery adds its client. */
const configured: Record<string, unknown>[] = [];

beforeAll(async () => {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error(NO_CHROMIUM_MESSAGE);
  envDir = await mkdtemp(join(tmpdir(), "tokendesk-interop-env-"));
  const launched = chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  // The open page learns of reloaded clients over Vite's HMR channel, as with `npm start`.
  dev = await startDevServer({ envDir }, { hmr: true });
  const origin = dev.origin;
  // The servers need the dev server's port, for the redirect URI each registers. While they start,
  // one throwaway page has Vite transform the app, the slowest part of a first page load.
  const [results] = await Promise.all([
    Promise.allSettled(
      MATRIX.map((row) => startInteropServer(row.server, { redirectUri: `${origin}/callback/` })),
    ),
    launched.then(async (chromium) => {
      browser = chromium;
      const warm = await chromium.newContext();
      const page = await warm.newPage();
      await page.goto(`${origin}/#/discover`);
      await page.getByLabel("Issuer").waitFor();
      await warm.close();
    }),
  ]);
  results.forEach((result, i) => {
    const name = MATRIX[i]?.server;
    if (name === undefined) return;
    if (result.status === "fulfilled") started.set(name, result.value);
    else failedToStart.set(name, result.reason);
  });
});

afterAll(async () => {
  await browser?.close();
  await dev?.close();
  await Promise.all([...started.values()].map((server) => server.stop()));
  if (envDir !== "") await rm(envDir, { recursive: true, force: true });
});

describe.each(MATRIX.map((row) => [row.server, row] as const))("%s", (_name, row: MatrixRow) => {
  let server: InteropServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  /** The connection the walk made. */
  let connectionUrl = "";
  /** The refresh token a rotating server replaced in the refresh step. */
  let rotatedOut: string | undefined;
  /** What the revoke step ended, or what the server's administrator ended. */
  const ended: { access?: string; refresh?: string } = {};

  const s = (): InteropServer => {
    if (server === undefined) throw new Error(`${row.server} did not start`);
    return server;
  };
  const origin = (): string => {
    if (dev === undefined) throw new Error("the dev server did not start");
    return dev.origin;
  };
  const backToConnection = async () => {
    await page.goto(connectionUrl);
    await page.getByTestId("status").waitFor();
  };

  /** What the pages showed during the current step, beyond the page it ends on. */
  let seen: string[] = [];
  const see = (...texts: string[]) => {
    seen.push(...texts);
  };

  /**
   * One `it` per matrix cell, named by step and outcome: the cell's `shows` must have been on one of the
   * pages of the step. A failure prints the server's own log.
   */
  function step(id: StepId, body: () => Promise<void>): void {
    const cell = row.cells[id];
    const title = STEPS.find((x) => x.id === id)?.title ?? id;
    it(`${title}: ${cell.status}`, async () => {
      seen = [];
      onTestFailed(async () => {
        const shown = await page
          .locator("body")
          .innerText({ timeout: 2000 })
          .catch(() => "(unreadable)");
        console.error(
          `--- ${row.server}'s log (last lines) ---\n${tail(server?.log() ?? "", 40)}\n--- the page at ${page.url()} ---\n${shown.slice(0, 4000)}`,
        );
      });
      await body();
      const shown = [...seen, (await page.locator("body").textContent()) ?? ""].join("\n");
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
      // Discovery and the ID token check read the issuer from the page first; where the server sends
      // no CORS headers, Chromium logs the refusal, and the page asks the relay instead. Those lines
      // are the design, not a fault.
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
    see(shown.said, ...shown.attempts);
    expect(shown.found, shown.said).toBe(true);
    if (s().metadataUrl !== `${s().issuer.replace(/\/$/, "")}/.well-known/openid-configuration`) {
      expect(shown.said).toContain(`read at ${s().metadataUrl} after a trailing-slash redirect`);
    }
    const draft = await draftedClient(page);
    expect(draft).toMatchObject({
      provider: "custom",
      issuer: s().issuer,
      redirect_uris: [`${origin()}/callback/`],
      authorization_endpoint: s().endpoints.authorization_endpoint,
      token_endpoint: s().endpoints.token_endpoint,
      userinfo_endpoint: s().endpoints.userinfo_endpoint,
      jwks_uri: s().endpoints.jwks_uri,
      token_endpoint_auth_method: s().client.token_endpoint_auth_method,
      body_encoding: "form",
    });
    expect(draft.scope).toBe(row.draftedScope);
    // Revocation and introspection are drafted exactly when the metadata names them.
    const metadata = (await (await fetch(s().metadataUrl)).json()) as Record<string, unknown>;
    expect(draft.revocation_endpoint).toBe(metadata.revocation_endpoint);
    expect(draft.introspection_endpoint).toBe(metadata.introspection_endpoint);

    // What the person does with it: the app's registration in place of the placeholders, an id of
    // their own (the drafted one is the issuer's host, 127.0.0.1 for every server here), what the
    // metadata left out typed in from the server's documentation, then `.env.local`.
    const typed = Object.fromEntries(row.typedIntoDraft.map((name) => [name, s().endpoints[name]]));
    configured.push({
      ...draft,
      ...typed,
      id: row.server,
      client_id: s().client.client_id,
      client_secret: s().client.client_secret,
    });
    await writeFile(
      join(envDir, ".env.local"),
      `TOKENDESK_CLIENTS='${JSON.stringify(configured, null, 2)}'\n`,
      { mode: 0o600 },
    );
    await clientListed(page, row.server);
  });

  step("authorize", async () => {
    const url = await openAuthorize(page, row.server, row.extraParams, row.scope);
    expect(`${url.origin}${url.pathname}`).toBe(s().endpoints.authorization_endpoint);
    expect(url.searchParams.get("client_id")).toBe(s().client.client_id);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("nonce")).toMatch(/^[\w-]{43}$/);
    connectionUrl = await authorize(page, () => s().login(page, origin()));
    expect(connectionUrl).not.toMatch(/[?&](code|state)=/);
    expect((await tokenValue(page, "code")).length).toBeGreaterThan(20);
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
    for (const member of ['"access_token"', '"id_token"', '"refresh_token"']) {
      expect(shown.response).toContain(member);
    }
    expect((await tokenValue(page, "refresh-token")).length).toBeGreaterThan(10);
    expect(await historyTypes(page)).toEqual(["authorized", "exchanged"]);
    const access = await tokenValue(page, "access-token");
    if (s().offers.accessTokenFormat === "jwt") {
      const [, payload = ""] = access.split(".");
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
      expect(claims.aud).toBe(s().offers.accessTokenAudience);
    } else {
      expect(access.split(".")).not.toHaveLength(3);
    }
  });

  step("id-token", async () => {
    const shown = await idToken(page);
    expect(shown.badge, shown.verdict).toBe("verified");
    expect(shown.received).toContain("with the code exchange");
    expect(shown.verdict).toContain("Verified: signed with the issuer's key");
    expect(shown.claims["Issuer (iss)"]).toBe(s().issuer);
    expect(shown.claims["Subject (sub)"]).toBe(s().user.sub);
    expect(shown.claims["Audience (aud)"]?.split(" ")).toContain(s().client.client_id);
    expect(shown.claims.Nonce).toBe("the one sent");
    if (shown.json.azp !== undefined) {
      expect(shown.claims["Authorized party (azp)"]).toBe(s().client.client_id);
    }
    // at_hash is checked against the access token it came with, where the server sends one.
    expect(shown.verdict.includes("at_hash")).toBe(shown.json.at_hash !== undefined);
    expect(shown.json.at_hash !== undefined).toBe(s().offers.idToken.atHash);
    expect(Array.isArray(shown.json.aud)).toBe(s().offers.idToken.audArray);
  });

  step("refresh", async () => {
    const before = await tokenValue(page, "refresh-token");
    const shown = await refresh(page);
    expect(shown.sent).toContain("grant_type=refresh_token");
    const after = await tokenValue(page, "refresh-token");
    if (s().offers.refresh === "rotating") {
      expect(after).not.toBe(before);
      expect(shown.history.slice(-2)).toEqual(["refreshed", "rotated"]);
      rotatedOut = before;
    } else {
      expect(after).toBe(before);
      expect(shown.history.at(-1)).toBe("refreshed");
    }
    // An ID token that comes with a refresh is checked too, and must name whom the first one named
    // (OpenID Connect Core §12.2); without one, the first stays, labelled with when it came.
    const id = await idToken(page);
    expect(id.badge, id.verdict).toBe("verified");
    expect(shown.response.includes('"id_token"')).toBe(s().offers.idToken.onRefresh);
    expect(id.received).toContain(s().offers.idToken.onRefresh ? "with a refresh" : "kept since");

    if (s().offers.refresh === "reusable") {
      // Someone holding a copy of the same refresh token still refreshes with it.
      await pasteInSupportDesk(page, origin(), before, "a refresh token", row.server);
      expect((await refreshPasted(page)).refused).toBe(false);
    } else if (row.rotatedReuse === "refused alone") {
      // The rotated-out token, as someone holding a copy would find out: refused, and only it.
      await pasteInSupportDesk(page, origin(), before, "a refresh token", row.server);
      const old = await refreshPasted(page);
      expect(old.refused).toBe(true);
      expect(old.page).toContain("invalid_grant");
      await backToConnection();
      const again = await refresh(page);
      expect(again.history.slice(-2)).toEqual(["refreshed", "rotated"]);
    }
  });

  step("identity", async () => {
    await backToConnection();
    const shown = await identify(page);
    if (row.cells.identity.status === "works") {
      expect(shown.problem).toBeNull();
      expect(shown.account).toBe(s().user.account);
    } else {
      expect(shown.account).toBeNull();
      expect(shown.problem).toContain("401");
    }
  });

  step("introspection", async () => {
    if (row.cells.introspection.status === "not-offered") {
      expect(await introspectionNote(page)).toContain("has no RFC 7662 introspection endpoint");
      return;
    }
    for (const which of ["access token", "refresh token"] as const) {
      const how = s().offers.introspects[which === "access token" ? "access" : "refresh"];
      const shown = await introspect(page, which);
      see(shown.verdict, shown.next);
      if (how === "describes") {
        expect(shown.verdict).toMatch(new RegExp(`^. The ${which} is active\\.`));
        expect(shown.claims.client_id).toContain("this relay client");
      } else if (how === "answers inactive") {
        // A live token called not active: the page must not promise what that does not say.
        expect(shown.verdict).toMatch(new RegExp(`^. The ${which} is not active\\.`));
        expect(shown.verdict).toContain("Some servers introspect access tokens only");
        expect(shown.next).toContain("If it introspects access tokens only, this answer tells nothing");
      } else {
        expect(shown.verdict).toContain("(unsupported_token_type)");
      }
    }
  });

  step("revoke", async () => {
    await backToConnection();
    if (row.cells.revoke.status === "not-offered") {
      const card = page.locator("section[aria-labelledby=revoke-heading]");
      expect(await card.textContent()).toContain("has no revocation endpoint tokendesk knows");
      return;
    }
    const access = await tokenValue(page, "access-token");
    const refreshToken = await tokenValue(page, "refresh-token");
    const accessRevoked = await revoke(page, "access token");
    see(accessRevoked.said);
    expect(accessRevoked.ended).toBe(s().offers.accessTokenFormat === "opaque");
    if (accessRevoked.ended) ended.access = access;
    expect((await revoke(page, "refresh token")).ended).toBe(true);
    expect(await text(page, "status")).toBe("Dead: authorize again");
    ended.refresh = refreshToken;
  });

  step("ended-refused", async () => {
    await backToConnection();
    if (row.ends !== "revocation") {
      ended.access = await tokenValue(page, "access-token");
      ended.refresh = await tokenValue(page, "refresh-token");
    }
    if (row.ends === "reuse detection") {
      // The rotated-out refresh token, as someone holding a copy would present it.
      if (rotatedOut === undefined) throw new Error("the refresh step rotated nothing");
      await pasteInSupportDesk(page, origin(), rotatedOut, "a refresh token", row.server);
      const old = await refreshPasted(page);
      expect(old.refused).toBe(true);
      expect(old.page).toContain("invalid_grant");
    } else if (row.ends === "administrator") {
      const endGrant = s().endGrant;
      if (endGrant === undefined) throw new Error(`${row.server} has no administrator's way to end a grant`);
      await endGrant(ended.refresh ?? "");
    }
    // What the server now says of each token, read-only first, as support staff would ask.
    const introspects = row.cells.introspection.status !== "not-offered";
    if (ended.access !== undefined) {
      await pasteInSupportDesk(page, origin(), ended.access, "an access token", row.server);
      if (introspects && s().offers.introspects.access === "describes") {
        expect((await introspectPasted(page, "access token")).verdict).toMatch(
          /^. The access token is not active\./,
        );
      }
      const probe = await probePasted(page);
      see(probe);
      expect(probe).toContain("The provider refused the access token (401)");
    }
    if (ended.refresh === undefined) throw new Error("no refresh token was ended");
    await pasteInSupportDesk(page, origin(), ended.refresh, "a refresh token", row.server);
    if (introspects && s().offers.introspects.refresh === "describes") {
      expect((await introspectPasted(page, "refresh token")).verdict).toMatch(
        /^. The refresh token is not active\./,
      );
    }
    // Then it is spent, from the support desk: a connection of its own, no history behind it.
    const desk = await refreshPasted(page);
    see(desk.page);
    expect(desk.refused).toBe(true);
    expect(desk.page).toContain(`"error": "${row.endedRefusal}"`);
    // invalid_grant says the token is dead; a lone invalid_request does not (it also means a
    // malformed request), so the pasted token is not given up on it.
    expect(await text(page, "status")).toBe(
      row.endedRefusal === "invalid_grant"
        ? "Dead: authorize again"
        : "Access token expired; refresh to continue",
    );
    if (row.ends !== "revocation") {
      // And on the walk's own connection, whose last refresh worked: there the refusal is the token's.
      await backToConnection();
      const again = await refresh(page);
      expect(again.history.at(-1)).toBe("failed");
      expect(again.response).toContain(`"error": "${row.endedRefusal}"`);
      expect(await text(page, "status")).toBe("Dead: authorize again");
      see(await text(page, "problem"));
    }
  });

  it("never put the client secret in tokendesk's page, and logged no errors there", async () => {
    const html = await page.content();
    expect(html).not.toContain(s().client.client_secret);
    expect(consoleErrors).toEqual([]);
  });
});
