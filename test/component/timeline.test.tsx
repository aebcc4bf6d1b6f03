/**
 * The timeline picture of a connection made by the real lifecycle (exchange, refreshes, a 429, a
 * hand-off, an invalid_grant), drawn in jsdom with fake timers: its bars and marks say what the
 * history says, Enter leads to the history line, the "now" line follows the shared clock only while
 * it is on screen, the zoom changes the axis, and the saved picture holds no token, code or secret.
 */
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
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
import type { Connection, ConnectionEvent } from "../../src/store/records.ts";
import { getConnection, listEvents, savePending } from "../../src/store/repo.ts";
import { formatClock } from "../../src/store/timeline/scale.ts";
import { ConnectionTimeline } from "../../src/ui/components/timeline/timeline.tsx";
import { History } from "../../src/ui/pages/connection/history.tsx";
import { ORIGIN } from "./_render.tsx";

/** An IntersectionObserver the test drives: the picture is on screen until told otherwise. */
const observed = new Set<Element>();
let reportScreen: (onScreen: boolean) => void = () => undefined;
class _Observer {
  constructor(private readonly callback: IntersectionObserverCallback) {
    reportScreen = (onScreen) =>
      this.callback(
        [...observed].map((target) => ({ target, isIntersecting: onScreen }) as IntersectionObserverEntry),
        this as unknown as IntersectionObserver,
      );
  }
  observe(target: Element) {
    observed.add(target);
    this.callback(
      [{ target, isIntersecting: true } as IntersectionObserverEntry],
      this as unknown as IntersectionObserver,
    );
  }
  unobserve(target: Element) {
    observed.delete(target);
  }
  disconnect() {
    observed.clear();
  }
}
vi.stubGlobal("IntersectionObserver", _Observer);

afterEach(cleanup);

const S = 1000;
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const CODE = "code-timeline-Q1w2E3r4T5y6";
const VERIFIER = "verifier-timeline-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const TOKENS = {
  at1: "at-one-AAA111aaa111AAA111",
  rt1: "rt-one-BBB111bbb111BBB111",
  at2: "at-two-CCC222ccc222CCC222",
  rt2: "rt-two-DDD222ddd222DDD222",
  at3: "at-three-EEE333eee333EEE333",
  rt3: "rt-three-FFF333fff333FFF333",
};
const AS = "http://127.0.0.1:9000";

let clock = T0;
let connection: Connection;
let events: ConnectionEvent[] = [];
const fp: Record<string, string> = {};

function _relay(
  answers: Array<{ status: number; body: object; headers?: Record<string, string> }>,
): RelayClient {
  return {
    base: `${ORIGIN}/relay`,
    clients: async () => ({ clients: [] }),
    revoke: async () => {
      throw new Error("these tests revoke nothing");
    },
    async token(req: TokenRequest): Promise<RelayTokenResult> {
      const answer = answers.shift();
      if (answer === undefined) throw new Error("no answer queued");
      const fields = Object.entries({ ...req, client: undefined }).filter(([, v]) => v !== undefined) as [
        string,
        string,
      ][];
      return {
        kind: "envelope",
        envelope: {
          sent: {
            method: "POST",
            url: `${AS}/token`,
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              authorization: "Basic [redacted]",
            },
            body: new URLSearchParams(fields).toString(),
          },
          upstream: {
            status: answer.status,
            headers: { "content-type": "application/json", ...answer.headers },
            body: JSON.stringify(answer.body),
          },
          ms: 30,
        },
      };
    },
  };
}

const tokens = (at: string, rt: string) => ({
  access_token: at,
  token_type: "Bearer",
  expires_in: 120,
  refresh_token: rt,
  refresh_token_expires_in: 86_400,
});

beforeAll(async () => {
  const db = await openDb();
  const relay = _relay([
    { status: 200, body: tokens(TOKENS.at1, TOKENS.rt1) },
    { status: 200, body: tokens(TOKENS.at2, TOKENS.rt2) },
    { status: 429, body: { error: "slow_down" }, headers: { "retry-after": "60" } },
    { status: 200, body: tokens(TOKENS.at3, TOKENS.rt3) },
    { status: 400, body: { error: "invalid_grant", error_description: "Refresh token already used." } },
  ]);
  const deps: LifecycleDeps = { db, relay, now: () => clock };
  await savePending(db, {
    state: "timeline-state",
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
    state: "timeline-state",
    iss: null,
    error: null,
    errorDescription: null,
    errorUri: null,
    extra: {},
  });
  if (outcome.kind !== "connected") throw new Error(outcome.message);
  const id = outcome.connectionId;
  clock += 5 * S;
  await exchangeCode(deps, id);
  clock += 60 * S;
  await refreshConnection(deps, id, { expectedRefreshToken: TOKENS.rt1 });
  clock += 60 * S;
  await refreshConnection(deps, id, { expectedRefreshToken: TOKENS.rt2 });
  clock += 120 * S;
  await refreshConnection(deps, id, { expectedRefreshToken: TOKENS.rt2 });
  clock += 60 * S;
  await markHandedOff(deps, id, await fingerprint(TOKENS.rt3));
  clock += 3600 * S;
  await refreshConnection(deps, id, { expectedRefreshToken: TOKENS.rt3, confirmHandedOff: true });
  events = await listEvents(db, id);
  connection = (await getConnection(db, id)) as Connection;
  for (const [name, value] of Object.entries(TOKENS)) fp[name] = await fingerprint(value);
  // Installed once: the page's shared clock keeps its timer across renders, as in the app.
  vi.useFakeTimers({
    now: clock,
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
});

afterAll(() => {
  vi.useRealTimers();
});

/** The picture and the history list, as the connection page shows them, with the clock at `now`. */
function _draw(now: number) {
  vi.setSystemTime(now - 1000);
  // One tick, for the shared clock to read the new time.
  vi.advanceTimersByTime(1000);
  return render(() => (
    <>
      <ConnectionTimeline connection={connection} events={events} />
      <History events={events} />
    </>
  ));
}

function _lane(name: string) {
  return within(screen.getByRole("group", { name }))
    .getAllByRole("button")
    .map((b) => b.getAttribute("aria-label") ?? "");
}

/** A history line's words, as the list shows them. */
function _words(e: ConnectionEvent) {
  return `${new Date(e.at).toLocaleString()} ${e.type} ${e.summary}`;
}

function _nowX(): number | null {
  const line = screen.queryByTestId("timeline-now")?.querySelector("line");
  return line === null || line === undefined ? null : Number(line.getAttribute("x1"));
}

describe("the timeline of a connection", () => {
  it("draws the code, three access tokens, the refresh token's lineage and the history's marks", () => {
    const end = clock + S;
    _draw(end);
    expect(events.map((e) => e.type)).toEqual([
      "authorized",
      "exchanged",
      "refreshed",
      "rotated",
      "failed",
      "refreshed",
      "rotated",
      "exported",
      "failed",
    ]);
    expect(_lane("Authorization code")).toEqual([
      expect.stringMatching(
        /^Authorization code received .*; sent for exchange .*\. From the history: .* authorized Authorized at http:\/\/127\.0\.0\.1:9000; code received\.$/,
      ),
    ]);
    const access = _lane("Access tokens");
    expect(access).toHaveLength(3);
    expect(access[0]).toMatch(
      /^Access token 1 of 3, issued .*; replaced .*, stated expiry .*\. From the history: .* exchanged Exchange: 200, new access token \(expires in 120 s\)\.$/,
    );
    expect(access[1]).toMatch(/^Access token 2 of 3, .*; replaced /);
    expect(access[2]).toMatch(/^Access token 3 of 3, .*; expired /);
    const lineage = _lane("Refresh token lineage");
    expect(lineage.filter((l) => l.startsWith("Refresh token "))).toEqual([
      expect.stringContaining(`Refresh token ${fp.rt1}, 1 of 3 in its lineage`),
      expect.stringContaining(`Refresh token ${fp.rt2}, 2 of 3 in its lineage`),
      expect.stringMatching(
        new RegExp(
          `^Refresh token ${fp.rt3}, 3 of 3 .*refused by the provider \\(invalid_grant\\).*; handed off `,
        ),
      ),
    ]);
    // Over this hour, lines a minute apart are 11 px apart: grouped, each group opening by zooming in.
    expect(_lane("History")).toEqual([
      expect.stringMatching(
        /^4 history lines \(1 code received, 1 code exchange, 1 refresh, 1 429 rate limited\) from .* Enter zooms in\.$/,
      ),
      expect.stringMatching(/^2 history lines \(1 refresh, 1 hand-off\) from .* Enter zooms in\.$/),
      // The history's words, after the mark's visible tag, which they write only in parentheses.
      `invalid_grant: ${_words(events[8] as ConnectionEvent)}`,
    ]);
    expect(screen.getByTestId("timeline-picture").textContent).toContain("handed off");
    expect(screen.getByTestId("timeline-summary").textContent).toBe(
      `3 access tokens, 2 refreshes, 2 rotations. Code received ${formatClock(T0)}, sent for exchange ${formatClock(T0 + 5 * S)}. 429 rate limited at ${formatClock(T0 + 125 * S)}. invalid_grant at ${formatClock(T0 + 3905 * S)} after the hand-off at ${formatClock(T0 + 305 * S)} (most likely a refresh elsewhere spent the refresh token). Now: access token 3 expired ${formatClock(T0 + 365 * S)}; refresh token ${fp.rt3} refused since ${formatClock(T0 + 3905 * S)}.`,
    );
    // The picture is described by its summary; each lane is a group of buttons.
    const picture = screen.getByRole("group", { name: `Timeline of ${connection.name}` });
    expect(picture.getAttribute("aria-describedby")).toBe(screen.getByTestId("timeline-summary").id);
  });

  it("opens a group by zooming in, and leads from a mark to its history line by keyboard", () => {
    _draw(clock + S);
    const group = within(screen.getByRole("group", { name: "History" })).getByRole("button", {
      name: /^4 history lines \(1 code received, 1 code exchange, 1 refresh, 1 429 rate limited\)/,
    });
    group.focus();
    fireEvent.keyDown(group, { key: "Enter" });
    expect(screen.getByTestId("timeline-range").textContent).toMatch(/^Zoomed in: /);
    const rateLimited = events[4] as ConnectionEvent;
    const mark = within(screen.getByRole("group", { name: "History" })).getByRole("button", {
      name: _words(rateLimited),
    });
    // Focus came back into the picture, near where it was, and the mark says "429" in words too.
    expect(document.activeElement?.closest("[data-testid='timeline-picture']")).not.toBeNull();
    expect(mark.textContent).toContain("429");
    mark.focus();
    expect(screen.getByTestId("timeline-detail").textContent).toContain(
      new Date(rateLimited.at).toISOString().slice(11, 19),
    );
    expect(screen.getByTestId("timeline-detail").textContent).toContain("UTC");
    fireEvent.keyDown(mark, { key: "ArrowLeft" });
    expect(document.activeElement?.getAttribute("aria-label")).toBe(_words(events[2] as ConnectionEvent));
    fireEvent.keyDown(document.activeElement as Element, { key: "Enter" });
    const entry = document.activeElement as HTMLElement;
    expect(entry.tagName).toBe("LI");
    expect(entry.id).toBe(`history-${(events[2] as ConnectionEvent).id}`);
    expect(entry.textContent).toContain((events[2] as ConnectionEvent).summary);
  });

  it("moves the now line with the shared clock, and not while off screen or zoomed into the past", () => {
    const start = T0 + 600 * S;
    _draw(start);
    const first = _nowX();
    expect(first).not.toBeNull();
    // A tick moves the line and nothing else: the drawing stays, element for element.
    const bar = within(screen.getByRole("group", { name: "Access tokens" })).getAllByRole("button")[0];
    vi.advanceTimersByTime(5_000);
    expect(_nowX()).toBeGreaterThan(first ?? 0);
    expect(bar?.isConnected).toBe(true);
    vi.advanceTimersByTime(60_000);
    const later = _nowX() ?? 0;
    expect(later).toBeGreaterThan(first ?? 0);
    // Off screen: the clock ticks, the line holds; back on screen, it catches up at once.
    reportScreen(false);
    vi.advanceTimersByTime(60_000);
    expect(_nowX()).toBe(later);
    reportScreen(true);
    expect(_nowX()).toBeGreaterThan(later);
    // Zoomed into the first minutes, now is not in the picture at all.
    const group = within(screen.getByRole("group", { name: "History" })).getAllByRole(
      "button",
    )[0] as HTMLElement;
    fireEvent.keyDown(group, { key: "Enter" });
    expect(_nowX()).toBeNull();
    vi.advanceTimersByTime(10_000);
    expect(_nowX()).toBeNull();
  });

  it("changes the axis with the zoom: everything, the last hour, the last day", () => {
    _draw(clock + S);
    const labels = () =>
      [...screen.getByTestId("timeline-axis").querySelectorAll(".tl-tick-label")].map(
        (t) => t.firstChild?.textContent,
      );
    const everything = labels();
    expect(screen.getByRole("button", { name: "Everything" }).getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getByRole("button", { name: "Last hour" }));
    expect(screen.getByRole("button", { name: "Last hour" }).getAttribute("aria-pressed")).toBe("true");
    const hour = labels();
    fireEvent.click(screen.getByRole("button", { name: "Last day" }));
    const day = labels();
    expect(hour).not.toEqual(everything);
    expect(day).not.toEqual(hour);
    // A day's ticks are hours apart, an hour's ten minutes.
    expect(day.length).toBeGreaterThan(1);
    expect(hour).toContain(formatClock(Math.floor((clock + S) / 600_000) * 600_000, {}, false));
    // Axis focus shows its times in UTC.
    const axis = screen.getByTestId("timeline-axis");
    fireEvent.focus(axis);
    expect(axis.textContent).toContain("UTC");
  });

  it("saves the picture as SVG with a title and the summary, and no token, code or secret", async () => {
    _draw(clock + S);
    let saved: Blob | null = null;
    const create = vi.fn((blob: Blob) => {
      saved = blob;
      return "blob:test";
    });
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: create, revokeObjectURL: () => undefined }));
    fireEvent.click(screen.getByRole("button", { name: "Save picture (SVG)" }));
    expect(create).toHaveBeenCalledTimes(1);
    const text = await (saved as unknown as Blob).text();
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect(text).toContain(`<title>Timeline of ${connection.name}</title>`);
    expect(text).toContain("<desc>3 access tokens, 2 refreshes, 2 rotations.");
    expect(text).not.toContain("tabindex");
    for (const secret of [CODE, VERIFIER, ...Object.values(TOKENS)]) {
      expect(text.includes(secret), `the picture holds ${secret.slice(0, 10)}…`).toBe(false);
    }
    expect(text).toContain(fp.rt3);
  });
});
