/**
 * Runs inside Chromium, on a blank page of the app's origin (bundled by esbuild, see page.ts): seeds
 * IndexedDB through the app's own store code and times token writes, so the figures are those of the
 * code path the app uses, on real IndexedDB and real Web Locks.
 */
import type { TokenSet } from "../src/oauth/token-set.ts";
import type { Envelope } from "../src/relay/contract.ts";
import { openDb } from "../src/store/db.ts";
import type { Connection, ConnectionEvent } from "../src/store/records.ts";
import { getConnection, putConnection, readConnection } from "../src/store/repo.ts";

export interface SeedOptions {
  readonly connections: number;
  readonly eventsPerConnection: number;
  /** Instant the records are made at (the page's clock). */
  readonly now: number;
}

const CLIENT_ID = "bench";
const letters = (n: number, seed: number) => {
  let text = "";
  for (let i = 0; i < n; i += 1)
    text += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[(seed * 31 + i * 7) % 62];
  return text;
};

/** A token set shaped as the demo server's answers are: JWT-sized access token, rotating refresh token. */
function tokenSet(i: number, now: number): TokenSet {
  const access = letters(780, i);
  const refresh = letters(43, i + 1);
  const raw = {
    access_token: access,
    token_type: "Bearer",
    expires_in: 3600,
    refresh_token: refresh,
    scope: "openid demo:read",
  };
  return {
    accessToken: access,
    tokenType: "Bearer",
    scope: raw.scope,
    refreshToken: refresh,
    idToken: null,
    receivedAt: now - (i % 50) * 60_000,
    // Every countdown live (minutes to an hour left): the list's worst case, each one ticking.
    accessExpiresAt: now + 600_000 + (i % 50) * 60_000,
    refreshExpiresAt: null,
    refreshExpirySource: "none",
    refreshReceivedAt: now - 86_400_000,
    raw,
  };
}

/** The HTTP exchange as the relay's envelope carries it, about 1.5 kB like a real one. */
function envelope(i: number): Envelope {
  return {
    sent: {
      method: "POST",
      url: "https://auth.example.test/oauth/token",
      headers: {
        authorization: "[redacted]",
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: `grant_type=refresh_token&refresh_token=${letters(8, i)}`,
    },
    upstream: {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
      body: JSON.stringify({
        access_token: letters(8, i),
        token_type: "Bearer",
        expires_in: 3600,
        pad: letters(900, i),
      }),
    },
    ms: 120 + (i % 40),
  };
}

function connection(i: number, now: number): Connection {
  const createdAt = now - i * 3_600_000;
  return {
    id: `bench-${String(i).padStart(5, "0")}`,
    name: `Bench connection ${String(i + 1).padStart(4, "0")}`,
    clientId: CLIENT_ID,
    provider: "custom",
    scopeRequested: "openid demo:read",
    createdAt,
    updatedAt: now,
    revision: 3,
    authorization: null,
    tokenSet: tokenSet(i, now),
    refreshTokenStatus: "active",
    lastExchange: {
      at: now,
      grantType: "refresh_token",
      envelope: envelope(i),
      sent: null,
      relayError: null,
    },
    problem: null,
    settings: { autoRefresh: false, autoRefreshLeadSeconds: 30 },
    handedOffAt: null,
    inFlight: null,
    recentRefreshes: [],
    retryAfterUntil: null,
  };
}

function historyEvent(c: Connection, n: number): ConnectionEvent {
  return {
    id: `${String(n).padStart(8, "0")}-${c.id}`,
    connectionId: c.id,
    at: c.createdAt + n * 60_000,
    type: n === 0 ? "exchanged" : "refreshed",
    summary: `Refresh: 200, new access token (expires in 3600 s).`,
    exchange: envelope(n),
    refreshTokenFingerprint: letters(8, n + 1),
    previousRefreshTokenFingerprint: letters(8, n),
  };
}

/** Writes connections and their history with the store's own transaction and key layout. */
async function seed(options: SeedOptions): Promise<{ connections: number; events: number }> {
  const db = await openDb();
  const perTx = 50;
  let events = 0;
  for (let start = 0; start < options.connections; start += perTx) {
    await db.tx("readwrite", (store) => {
      for (let i = start; i < Math.min(options.connections, start + perTx); i += 1) {
        const c = connection(i, options.now);
        const history = Array.from({ length: options.eventsPerConnection }, (_, n) => historyEvent(c, n));
        putConnection(store, c, history);
        events += history.length;
      }
    });
  }
  return { connections: options.connections, events };
}

/**
 * Writes a new token set (and its history line) for one connection under that connection's Web
 * Lock, re-reading it inside the transaction as the lifecycle does, then reads it back; `count`
 * times. Returns each round's milliseconds.
 */
async function writeUnderLock(count: number): Promise<number[]> {
  const db = await openDb();
  const id = connection(0, 0).id;
  const samples: number[] = [];
  for (let n = 0; n < count; n += 1) {
    const started = performance.now();
    const now = Date.now();
    const revision = await navigator.locks.request(`tokendesk:refresh:${id}`, () =>
      db.tx("readwrite", async (store) => {
        const current = await readConnection(store, id);
        if (current === undefined) throw new Error(`${id} was not seeded`);
        const next: Connection = {
          ...current,
          tokenSet: tokenSet(n, now),
          updatedAt: now,
          revision: current.revision + 1,
        };
        putConnection(store, next, [historyEvent(next, 100 + n)]);
        return next.revision;
      }),
    );
    const back = await getConnection(db, id);
    if (back?.revision !== revision || back.tokenSet?.accessToken !== tokenSet(n, now).accessToken) {
      throw new Error(`read back revision ${back?.revision}, wrote ${revision}`);
    }
    samples.push(performance.now() - started);
  }
  return samples;
}

const api = { seed, writeUnderLock };
export type InPageApi = typeof api;
(globalThis as unknown as { tokendeskBench: InPageApi }).tokendeskBench = api;
