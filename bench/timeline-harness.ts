/**
 * Runs inside Chromium (built by bench/timeline.ts with the app's Solid compiler): draws a
 * connection's history as the plain list and as the timeline picture, each into a fresh element,
 * and times each from the call to the first frame that shows it. The connection has 10,000 history
 * lines shaped as the store writes them: refreshes with rotations, a few 429s, a hand-off and an
 * invalid_grant, each with a redacted HTTP exchange of about 1.5 kB.
 */
import "../src/ui/styles.css";
import { createComponent } from "solid-js";
import { render } from "solid-js/web";
import type { Envelope } from "../src/relay/contract.ts";
import type { Connection, ConnectionEvent } from "../src/store/records.ts";
import { ConnectionTimeline } from "../src/ui/components/timeline/timeline.tsx";
import { History } from "../src/ui/pages/connection/history.tsx";

const MINUTE = 60_000;
const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0").slice(-8);

function envelope(i: number, status: number, body: object): Envelope {
  return {
    sent: {
      method: "POST",
      url: "https://auth.example.test/oauth/token",
      headers: { authorization: "Basic [redacted]", "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=refresh_token&refresh_token=%5Brefresh_token%20${hex(i * 7919)}%5D`,
    },
    upstream: {
      status,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
      body: JSON.stringify({ ...body, pad: "x".repeat(900) }),
    },
    ms: 120 + (i % 40),
  };
}

/** A connection and its history: `count` lines over about a week, one refresh a minute or so. */
function history(count: number, now: number): { connection: Connection; events: ConnectionEvent[] } {
  const id = "bench-timeline";
  const start = now - count * MINUTE;
  const events: ConnectionEvent[] = [];
  const push = (
    at: number,
    type: ConnectionEvent["type"],
    summary: string,
    extra: Partial<ConnectionEvent> = {},
  ) =>
    events.push({
      id: `${String(events.length).padStart(8, "0")}-${id}`,
      connectionId: id,
      at,
      type,
      summary,
      exchange: null,
      refreshTokenFingerprint: null,
      previousRefreshTokenFingerprint: null,
      ...extra,
    });
  push(start, "authorized", "Authorized at https://auth.example.test; code received.");
  let n = 1;
  for (let minute = 0; events.length < count - 2; minute += 1) {
    const at = start + minute * MINUTE + 5_000;
    if (minute % 997 === 500) {
      push(at, "failed", "Refresh failed: 429. The provider limits refreshes.", {
        exchange: envelope(n, 429, { error: "slow_down" }),
      });
      continue;
    }
    const fp = hex(n * 2654435761);
    const previous = hex((n - 1) * 2654435761);
    push(
      at,
      minute === 0 ? "exchanged" : "refreshed",
      "Refresh: 200, new access token (expires in 3600 s).",
      {
        exchange: envelope(n, 200, { access_token: `[access_token ${hex(n)}]`, expires_in: 3600 }),
        refreshTokenFingerprint: fp,
        previousRefreshTokenFingerprint: minute === 0 ? null : previous,
      },
    );
    if (minute > 0 && events.length < count - 2) {
      push(at, "rotated", `Refresh token rotated: ${previous} replaced by ${fp}; the old one is spent.`, {
        refreshTokenFingerprint: fp,
        previousRefreshTokenFingerprint: previous,
      });
    }
    n += 1;
  }
  const last = events[events.length - 1]?.at ?? now;
  push(
    last + MINUTE,
    "exported",
    "Exported for a server; auto-refresh off, refreshes here now need confirmation.",
  );
  push(
    last + 2 * MINUTE,
    "failed",
    "Refresh failed: 400. The provider refused the refresh token (invalid_grant).",
    {
      exchange: envelope(n, 400, { error: "invalid_grant" }),
    },
  );
  const connection: Connection = {
    id,
    name: "Bench timeline",
    clientId: "bench",
    provider: "custom",
    scopeRequested: "openid",
    createdAt: start,
    updatedAt: now,
    revision: count,
    authorization: null,
    tokenSet: null,
    refreshTokenStatus: "dead",
    lastExchange: null,
    problem: null,
    settings: { autoRefresh: false, autoRefreshLeadSeconds: 30 },
    handedOffAt: last + MINUTE,
    inFlight: null,
    recentRefreshes: [],
    retryAfterUntil: null,
  };
  return { connection, events };
}

const data = history(10_000, Date.now());

/** Resolves once the frame showing what was just rendered has been produced and the next task runs. */
function nextFrame(): Promise<void> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    }),
  );
}

/** Draws one view of the connection into a fresh element; returns milliseconds and what it holds. */
async function draw(
  view: "history" | "timeline",
): Promise<{ ms: number; elements: number; focusable: number }> {
  const host = document.createElement("main");
  host.className = "page";
  document.body.append(host);
  const started = performance.now();
  const dispose = render(
    () =>
      view === "history"
        ? createComponent(History, { events: data.events })
        : createComponent(ConnectionTimeline, { connection: data.connection, events: data.events }),
    host,
  );
  await nextFrame();
  const ms = performance.now() - started;
  const elements = host.querySelectorAll("*").length;
  const focusable = host.querySelectorAll("[tabindex]").length;
  dispose();
  host.remove();
  return { ms, elements, focusable };
}

const api = { draw, events: data.events.length };
export type TimelineBenchApi = typeof api;
(globalThis as unknown as { tokendeskTimelineBench: TimelineBenchApi }).tokendeskTimelineBench = api;
