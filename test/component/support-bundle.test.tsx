/**
 * The diagnostic bundle, as a support user and a customer use it: made from a connection's history
 * with every token, code and secret replaced by a fingerprint (a scan finds none of them), then opened
 * read-only with its explainer and its "where did my credentials go" panel.
 */
import { cleanup, fireEvent, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fingerprint } from "../../src/oauth/fingerprint.ts";
import type { RelayClient, RelayTokenResult } from "../../src/oauth/relay-client.ts";
import type { TokenRequest } from "../../src/relay/contract.ts";
import { openDb } from "../../src/store/db.ts";
import {
  exchangeCode,
  type LifecycleDeps,
  markHandedOff,
  receiveCallback,
  refreshConnection,
} from "../../src/store/lifecycle.ts";
import { savePending } from "../../src/store/repo.ts";
import { SupportPage } from "../../src/ui/pages/support/support-page.tsx";
import { _client, _fetch, _renderAt, ORIGIN } from "./_render.tsx";
import { _supportDesk } from "./_support.tsx";

afterEach(cleanup);

const CLIENT_ID = "tokendesk-demo";
const SECRET = "cs-SUPER-secret-9f8e7d6c5b4a";
const BASIC = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString("base64");
const CODE = "code-Q1w2E3r4T5y6U7i8";
const VERIFIER = "verifier-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const COOKIE = "session=cookie-secret-0a9b8c7d";
const ID_TOKEN = `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from('{"sub":"carol","nonce":"n-123456"}').toString("base64url")}.c2lnbmF0dXJlLWJ5dGVz`;
const TOKENS = {
  at1: "at-first-ZZZ111zzz111ZZZ111",
  rt1: "rt-first-YYY111yyy111YYY111",
  at2: "at-second-XXX222xxx222XXX222",
  rt2: "rt-second-WWW222www222WWW222",
};
/** Everything a bundle must never hold, in any form. */
const SECRETS = [SECRET, BASIC, CODE, VERIFIER, "cookie-secret-0a9b8c7d", ID_TOKEN, ...Object.values(TOKENS)];
const AS = "http://127.0.0.1:9000";

let connectionId = "";
let clock = Date.UTC(2026, 10, 23, 12, 0, 0);

/**
 * A relay that misbehaves the worst way it could: its echo of the request carries the secret in the
 * Basic header and the body, and the provider's answers set a cookie and repeat a token.
 */
function _leakyRelay(answers: Array<{ status: number; body: object }>): RelayClient {
  return {
    base: `${ORIGIN}/relay`,
    clients: async () => ({ clients: [] }),
    revoke: async () => {
      throw new Error("these tests revoke nothing");
    },
    async token(req: TokenRequest): Promise<RelayTokenResult> {
      const answer = answers.shift();
      if (answer === undefined) throw new Error("no answer queued");
      const fields = Object.entries({ ...req, client: undefined, client_secret: SECRET }).filter(
        ([, v]) => v !== undefined,
      ) as [string, string][];
      return {
        kind: "envelope",
        envelope: {
          sent: {
            method: "POST",
            url: `${AS}/token`,
            headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${BASIC}` },
            body: new URLSearchParams(fields).toString(),
          },
          upstream: {
            status: answer.status,
            headers: {
              "content-type": "application/json",
              "set-cookie": COOKIE,
              date: new Date(clock).toUTCString(),
            },
            body: JSON.stringify(answer.body),
          },
          ms: 40,
        },
      };
    },
  };
}

beforeAll(async () => {
  const db = await openDb();
  const relay = _leakyRelay([
    {
      status: 200,
      body: {
        access_token: TOKENS.at1,
        token_type: "Bearer",
        expires_in: 120,
        refresh_token: TOKENS.rt1,
        id_token: ID_TOKEN,
        scope: "openid demo:read",
      },
    },
    {
      status: 200,
      body: { access_token: TOKENS.at2, token_type: "Bearer", expires_in: 120, refresh_token: TOKENS.rt2 },
    },
    {
      status: 400,
      body: { error: "invalid_grant", error_description: `Refresh token ${TOKENS.rt2} was already used.` },
    },
  ]);
  const deps: LifecycleDeps = { db, relay, now: () => clock };
  await savePending(db, {
    state: "bundle-state",
    codeVerifier: VERIFIER,
    clientId: "demo",
    provider: "demo",
    redirectUri: `${ORIGIN}/callback/`,
    scope: "openid demo:read",
    issuer: AS,
    authorizationUrl: `${AS}/auth?x=1`,
    createdAt: clock,
  });
  const outcome = await receiveCallback(deps, {
    code: CODE,
    state: "bundle-state",
    iss: null,
    error: null,
    errorDescription: null,
    errorUri: null,
    extra: {},
  });
  if (outcome.kind !== "connected") throw new Error(outcome.message);
  connectionId = outcome.connectionId;
  clock += 5000;
  await exchangeCode(deps, connectionId);
  clock += 60_000;
  await refreshConnection(deps, connectionId, { expectedRefreshToken: TOKENS.rt1 });
  clock += 60_000;
  await markHandedOff(deps, connectionId, await fingerprint(TOKENS.rt2));
  clock += 3_600_000;
  // The server the token went to has refreshed meanwhile; this refresh is refused.
  await refreshConnection(deps, connectionId, { expectedRefreshToken: TOKENS.rt2, confirmHandedOff: true });
});

async function _bundleText(): Promise<string> {
  let copied = "";
  Object.defineProperty(navigator, "clipboard", {
    configurable: true,
    value: {
      async writeText(text: string) {
        copied = text;
      },
    },
  });
  const { impl } = _fetch({ clients: [_client()] });
  _renderAt(`/support?connection=${connectionId}`, "/support", SupportPage, impl);
  fireEvent.click(await screen.findByRole("button", { name: "Copy diagnostic bundle" }));
  await waitFor(() => expect(copied).not.toBe(""));
  return copied;
}

describe("the diagnostic bundle", () => {
  it("holds no token, code, verifier or secret the connection ever saw, in any encoding", async () => {
    const text = await _bundleText();
    for (const secret of SECRETS) {
      for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
        expect(text.includes(form), `the bundle holds ${secret.slice(0, 12)}…`).toBe(false);
      }
    }
    // Yet it says which token was which.
    expect(text).toContain(`[refresh_token ${await fingerprint(TOKENS.rt1)}]`);
    expect(text).toContain(`[refresh_token ${await fingerprint(TOKENS.rt2)}]`);
    expect(text).toContain(`[code ${await fingerprint(CODE)}]`);
    const bundle = JSON.parse(text);
    const exchange = bundle.log.entries[1].request.headers;
    expect(exchange).toContainEqual({
      name: "authorization",
      value: `Basic [authorization ${await fingerprint(BASIC)}]`,
    });
    expect(bundle.format).toBe("tokendesk.diagnostic-bundle");
    expect(bundle.log.entries.map((e: { event: { type: string } }) => e.event.type)).toEqual([
      "authorized",
      "exchanged",
      "refreshed",
      "rotated",
      "exported",
      "failed",
    ]);
  });

  it("explains the connection's last failure from its history: a handed-off token spent by the server", async () => {
    await _bundleText();
    const explain = screen.getByRole("region", { name: "Explain a failure" });
    expect(within(explain).getByText("Failure read from the last exchange.", { exact: false })).toBeTruthy();
    const first = within(explain).getAllByRole("listitem")[0];
    expect(first?.querySelector(".cause-title")?.textContent).toBe("The refresh token was already used");
    expect(first?.textContent).toContain("It was handed off to a server at 2026-11-23T12:02:05Z");
  });

  it("opens read-only from a paste: its history, explainer and credential trail, and nothing to send", async () => {
    // A bundle comes from someone else: make its first line hostile, as a tampered file could be.
    const bundle = JSON.parse(await _bundleText());
    bundle.log.entries[0].event.summary = `<img src=x onerror="alert(1)">`;
    cleanup();
    const { box, sentSince, container } = await _supportDesk([_client()]);
    fireEvent.input(box, { target: { value: JSON.stringify(bundle) } });
    expect(screen.getByTestId("read-only").textContent).toContain("Opened read-only");
    expect(screen.getByTestId("bundle-history").textContent).toContain(
      `authorized <img src=x onerror="alert(1)">`,
    );
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByTestId("bundle-refresh-state").textContent).toBe("refused by the provider");
    expect(screen.getByTestId("bundle-history").textContent).toContain("Refresh token rotated");
    expect(screen.queryByRole("button", { name: /Refresh|Download/ })).toBeNull();

    const trail = screen.getByTestId("credential-trail");
    const steps = within(trail).getAllByRole("listitem");
    const exchange = steps.find((r) =>
      r.querySelector(".trail-step")?.textContent?.endsWith("(code exchange)"),
    );
    const cell = (step: HTMLElement | undefined, credential: string) =>
      step?.querySelector(`[data-credential="${credential}"]`)?.textContent ?? "";
    // The secret is added by the relay: the page never held it.
    expect(cell(exchange, "client_secret")).toBe("127.0.0.1:5173 (the relay), 127.0.0.1:9000 (the provider)");
    expect(cell(exchange, "code")).toBe(
      "127.0.0.1:5173 (this browser), 127.0.0.1:5173 (the relay), 127.0.0.1:9000 (the provider)",
    );
    const exported = steps.find((r) => r.textContent?.includes("Exported for a server"));
    expect(cell(exported, "refresh_token")).toBe(
      "127.0.0.1:5173 (this browser), wherever the export was pasted (your server)",
    );
    expect(cell(exported, "client_secret")).toBe("not involved");
    expect(sentSince()).toEqual([]);
  });

  it("refuses a bundle of another version or a malformed one, saying why", async () => {
    const { box } = await _supportDesk([]);
    fireEvent.input(box, { target: { value: '{"format":"tokendesk.diagnostic-bundle","version":9}' } });
    expect(screen.getByRole("alert").textContent).toBe(
      "This bundle is version 9; this tokendesk reads version 1.",
    );
    fireEvent.input(box, {
      target: {
        value: '{"format":"tokendesk.diagnostic-bundle","version":1,"connection":{"provider":"<b>x</b>"}}',
      },
    });
    expect(screen.getByRole("alert").textContent).toBe('Its "connection" is missing or malformed.');
  });
});

describe("a pasted refresh token this browser has seen", () => {
  it("finds it superseded in the history, calls it spent, and ranks that cause first, sending nothing", async () => {
    const { box, sentSince } = await _supportDesk([_client()]);
    fireEvent.input(box, { target: { value: TOKENS.rt1 } });
    fireEvent.click(screen.getByRole("radio", { name: "a refresh token" }));
    const state = await screen.findByTestId("refresh-state");
    await waitFor(() => expect(state.textContent).toContain("Refresh token: Most likely spent"));
    const [rt1, rt2] = [await fingerprint(TOKENS.rt1), await fingerprint(TOKENS.rt2)];
    expect(state.textContent).toContain(
      `This browser's history shows refresh token ${rt1} replaced by ${rt2} at 2026-11-23T12:01:05Z: it was already spent.`,
    );
    expect(screen.getByTestId("history-match").textContent).toContain("held it");
    const explain = screen.getByRole("region", { name: "Explain a failure" });
    fireEvent.change(within(explain).getByLabelText("What the provider answered"), {
      target: { value: "invalid_grant" },
    });
    const first = within(explain).getAllByRole("listitem")[0];
    expect(first?.querySelector(".cause-title")?.textContent).toBe("The refresh token was already used");
    expect(sentSince()).toEqual([]);
  });

  it("asks before spending a rotating refresh token, and sends nothing when cancelled", async () => {
    const { box, sentSince } = await _supportDesk([_client()]);
    fireEvent.input(box, {
      target: { value: JSON.stringify({ access_token: "at-x-123456", refresh_token: "rt-x-123456" }) },
    });
    const spend = await screen.findByRole("button", { name: "Refresh (spends the refresh token)" });
    expect(screen.getByRole("region", { name: "Actions that spend something" }).textContent).toContain(
      "Demo authorization server refresh tokens are rotating, so every other copy (the customer's server) stops working.",
    );
    fireEvent.click(spend);
    const dialog = screen.getByRole("alertdialog", { name: "Spend this refresh token?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(screen.getByRole("region", { name: "Safe checks read-only" }).textContent).toContain(
      "has no identity endpoint tokendesk knows",
    );
    expect(sentSince()).toEqual([]);
  });
});
