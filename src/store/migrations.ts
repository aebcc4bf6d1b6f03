/**
 * Migrations of stored records from one schema version to the next. Loaded by `openDb` only when the
 * database is older than SCHEMA_VERSION (a first visit, or the first after an update).
 */
import { prefixRange, req, SCHEMA_KEY, SCHEMA_VERSION } from "./db.ts";
import { summaryKey } from "./list.ts";
import type { Connection } from "./records.ts";
import { summarize } from "./summary.ts";

type Migration = (store: IDBObjectStore) => Promise<void>;

/** Every stored connection, each with its key. */
async function connections(store: IDBObjectStore): Promise<[IDBValidKey, Record<string, unknown>][]> {
  const range = prefixRange("connection");
  const [keys, records] = await Promise.all([req(store.getAllKeys(range)), req(store.getAll(range))]);
  return keys.map((key, i) => [key, records[i] as Record<string, unknown>]);
}

/** Migrations from version N to N+1, indexed by N. Version 0 is an empty database. */
const MIGRATIONS: Readonly<Record<number, Migration>> = {
  // 1 → 2: connections gain settings (auto-refresh off), hand-off, the in-flight journal and rate-limit memory.
  1: async (store) => {
    for (const [key, record] of await connections(store)) {
      store.put(
        {
          settings: { autoRefresh: false, autoRefreshLeadSeconds: 30 },
          handedOffAt: null,
          inFlight: null,
          recentRefreshes: [],
          retryAfterUntil: null,
          ...record,
        },
        key,
      );
    }
  },
  // 2 → 3: each connection gains a summary record (summary.ts), so the list reads no tokens or history.
  2: async (store) => {
    for (const [, record] of await connections(store)) {
      const connection = record as unknown as Connection;
      store.put(summarize(connection), summaryKey(connection.id));
    }
  },
};

/** Inside a write transaction: brings the records from `from` up to SCHEMA_VERSION and records it. */
export async function migrate(store: IDBObjectStore, from: number): Promise<void> {
  for (let version = from; version < SCHEMA_VERSION; version += 1) await MIGRATIONS[version]?.(store);
  store.put(SCHEMA_VERSION, SCHEMA_KEY);
}
