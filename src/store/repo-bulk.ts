/**
 * Whole-store reads for backups and restores. Apart from repo.ts, which the first screen loads: these
 * load with the backup code, on first use. Same key layout as repo.ts.
 */
import { type Db, prefixRange, req } from "./db.ts";
import type { Connection, ConnectionEvent } from "./records.ts";

/** Inside a transaction: every connection, unsorted. */
export function readAllConnections(store: IDBObjectStore): Promise<Connection[]> {
  return req(store.getAll(prefixRange("connection"))) as Promise<Connection[]>;
}

/** Inside a transaction: every connection's history, oldest first within each connection. */
export function readAllEvents(store: IDBObjectStore): Promise<ConnectionEvent[]> {
  return req(store.getAll(prefixRange("event"))) as Promise<ConnectionEvent[]>;
}

/** The ids of the stored connections, without reading the records. */
export async function listConnectionIds(db: Db): Promise<string[]> {
  const keys = await db.tx("readonly", (store) => req(store.getAllKeys(prefixRange("connection"))));
  return keys.map((k) => String((k as IDBValidKey[])[1]));
}

/** Inside a transaction: a connection's history, oldest first. */
export function readEvents(store: IDBObjectStore, connectionId: string): Promise<ConnectionEvent[]> {
  return req(store.getAll(prefixRange("event", connectionId))) as Promise<ConnectionEvent[]>;
}
