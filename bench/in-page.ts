/**
 * Runs inside Chromium, on a blank page of the app's origin (bundled by esbuild, see page.ts): seeds
 * IndexedDB through the app's own store code and times token writes, so the figures are those of the
 * code path the app uses, on real IndexedDB and real Web Locks.
 */
import type { TokenSet } from "../src/oauth/token-set.ts";
import type { Envelope } from "../src/relay/contract.ts";
import { deriveOnce } from "../src/store/backup.ts";
import { readBackup, writeBackup } from "../src/store/backup-payload.ts";
import { type Db, openDb } from "../src/store/db.ts";
import { restoreBackup } from "../src/store/lifecycle/restore.ts";
import type { Connection, ConnectionEvent } from "../src/store/records.ts";
import { getConnection, putConnection, readConnection } from "../src/store/repo.ts";
import { readAllConnections, readAllEvents } from "../src/store/repo-bulk.ts";

export interface SeedOptions {
  readonly connections: number;
  readonly eventsPerConnection: number;
  /** Instant the records are made at (the page's clock). */
  readonly now: number;
}

const CLIENT_ID = "bench";
/** A history fingerprint: 8 hex digits, as the store writes them. */
const hex = (seed: number) => ((seed * 2654435761) >>> 0).toString(16).padStart(8, "0");
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
    refreshTokenFingerprint: hex(n + 1),
    previousRefreshTokenFingerprint: hex(n),
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

/** One round of the backup and restore figures, with the floors they are measured against. */
export interface BackupRound {
  /** Reading every connection and event plainly, in one transaction (what a backup must read). */
  readonly readMs: number;
  /** One PBKDF2-SHA-256 derivation of 600,000 iterations (what sealing and opening each do once). */
  readonly pbkdf2Ms: number;
  /** Writing the same records plainly into an empty database, 50 connections per transaction. */
  readonly writeMs: number;
  readonly backupMs: number;
  readonly fileBytes: number;
  readonly connections: number;
  readonly events: number;
  /** Opening the file and restoring it into an empty database (everything added). */
  readonly restoreEmptyMs: number;
  readonly added: number;
  /** Opening the file and restoring it over the same data (every connection merged under its lock). */
  readonly restoreSameMs: number;
  readonly kept: number;
}

/** Empties a scratch database. (Deleting it would wait forever: idb-keyval keeps its connection open.) */
async function empty(db: Db): Promise<void> {
  await db.tx("readwrite", (store) => {
    store.clear();
  });
}

/** Backs up the seeded store, restores the file into an empty store and over itself; times each step. */
async function backupRound(passphrase: string, round: number): Promise<BackupRound> {
  const db = await openDb();
  const time = async <T>(run: () => Promise<T>): Promise<[number, T]> => {
    const started = performance.now();
    const result = await run();
    return [performance.now() - started, result];
  };
  const [readMs, [connections, events]] = await time(() =>
    db.tx("readonly", (store) => Promise.all([readAllConnections(store), readAllEvents(store)])),
  );
  const [pbkdf2Ms] = await time(() => deriveOnce(passphrase));

  const plainName = `bench-plain-${round}`;
  const plain = await openDb(plainName);
  const byConnection = new Map<string, ConnectionEvent[]>();
  for (const e of events) byConnection.set(e.connectionId, [...(byConnection.get(e.connectionId) ?? []), e]);
  const [writeMs] = await time(async () => {
    for (let start = 0; start < connections.length; start += 50) {
      await plain.tx("readwrite", (store) => {
        for (const c of connections.slice(start, start + 50))
          putConnection(store, c, byConnection.get(c.id) ?? []);
      });
    }
  });
  await empty(plain);

  const [backupMs, written] = await time(() => writeBackup(db, null, passphrase, { now: Date.now() }));

  const fresh = await openDb(`bench-restore-${round}`);
  const [restoreEmptyMs, intoEmpty] = await time(async () =>
    restoreBackup(
      { db: fresh, now: Date.now, locks: navigator.locks },
      await readBackup(written.bytes, passphrase),
    ),
  );
  await empty(fresh);

  const [restoreSameMs, overSame] = await time(async () =>
    restoreBackup({ db, now: Date.now, locks: navigator.locks }, await readBackup(written.bytes, passphrase)),
  );
  return {
    readMs,
    pbkdf2Ms,
    writeMs,
    backupMs,
    fileBytes: written.bytes.length,
    connections: written.connections,
    events: written.events,
    restoreEmptyMs,
    added: intoEmpty.lines.filter((l) => l.outcome === "added").length,
    restoreSameMs,
    kept: overSame.lines.filter((l) => l.outcome === "kept").length,
  };
}

const api = { seed, writeUnderLock, backupRound };
export type InPageApi = typeof api;
(globalThis as unknown as { tokendeskBench: InPageApi }).tokendeskBench = api;
