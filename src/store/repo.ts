/** Reading and writing records. Every multi-record change happens in one transaction. */
import { type Db, prefixRange, req } from "./db.ts";
import { summaryKey } from "./list.ts";
import type { Connection, ConnectionEvent, PendingAuthorization } from "./records.ts";
import { summarize } from "./summary.ts";

const key = {
  pending: (state: string) => ["pending", state],
  connection: (id: string) => ["connection", id],
  event: (e: Pick<ConnectionEvent, "connectionId" | "at" | "id">) => ["event", e.connectionId, e.at, e.id],
};

/** Pending authorizations older than this are deleted on sight: their codes would be long dead. */
export const PENDING_MAX_AGE_MS = 60 * 60 * 1000;

export async function savePending(db: Db, pending: PendingAuthorization): Promise<void> {
  await db.tx("readwrite", (store) => {
    store.put(pending, key.pending(pending.state));
  });
}

/** Deletes pending authorizations older than {@link PENDING_MAX_AGE_MS}. */
export async function prunePending(db: Db, now: number): Promise<number> {
  return db.tx("readwrite", async (store) => {
    const all = (await req(store.getAll(prefixRange("pending")))) as PendingAuthorization[];
    const old = all.filter((p) => now - p.createdAt > PENDING_MAX_AGE_MS);
    for (const p of old) store.delete(key.pending(p.state));
    return old.length;
  });
}

export async function getConnection(db: Db, id: string): Promise<Connection | undefined> {
  return db.tx("readonly", (store) => req(store.get(key.connection(id))) as Promise<Connection | undefined>);
}

/**
 * Every whole connection (token sets, last exchanges), newest first: for what must look inside them,
 * such as the support desk's search by fingerprint. The list reads summaries instead (list.ts).
 */
export async function listConnections(db: Db): Promise<Connection[]> {
  const all = await db.tx("readonly", (store) => req(store.getAll(prefixRange("connection"))));
  return (all as Connection[]).sort((a, b) => b.createdAt - a.createdAt);
}

/** A connection's history, oldest first. */
export async function listEvents(db: Db, connectionId: string): Promise<ConnectionEvent[]> {
  const all = await db.tx("readonly", (store) => req(store.getAll(prefixRange("event", connectionId))));
  return all as ConnectionEvent[];
}

/**
 * Inside a transaction: write a connection (revision bumped), its summary and events together. The
 * one way a connection is written, so its summary (what the list reads) is never out of date.
 */
export function putConnection(
  store: IDBObjectStore,
  connection: Connection,
  events: readonly ConnectionEvent[],
) {
  store.put(connection, key.connection(connection.id));
  store.put(summarize(connection), summaryKey(connection.id));
  for (const event of events) store.put(event, key.event(event));
}

/** Inside a transaction: read a connection. */
export function readConnection(store: IDBObjectStore, id: string): Promise<Connection | undefined> {
  return req(store.get(key.connection(id))) as Promise<Connection | undefined>;
}

/** Inside a transaction: take (read and delete) a pending authorization, so it is used at most once. */
export async function takePending(
  store: IDBObjectStore,
  state: string,
): Promise<PendingAuthorization | undefined> {
  const pending = (await req(store.get(key.pending(state)))) as PendingAuthorization | undefined;
  if (pending !== undefined) store.delete(key.pending(state));
  return pending;
}

/** Deletes a connection, its tokens and its whole history, for good. */
export async function deleteConnection(db: Db, id: string): Promise<void> {
  await db.tx("readwrite", (store) => {
    store.delete(key.connection(id));
    store.delete(summaryKey(id));
    store.delete(prefixRange("event", id));
  });
}

export async function renameConnection(db: Db, id: string, name: string, now: number): Promise<void> {
  await db.tx("readwrite", async (store) => {
    const current = await readConnection(store, id);
    if (current === undefined) throw new Error(`No connection "${id}".`);
    putConnection(store, { ...current, name, updatedAt: now, revision: current.revision + 1 }, []);
  });
}

/** Remembers whom a connection's tokens belong to, as the identity probe named it. */
export async function rememberAccount(db: Db, id: string, name: string, now: number): Promise<void> {
  await db.tx("readwrite", async (store) => {
    const current = await readConnection(store, id);
    if (current === undefined || current.account?.name === name) return;
    putConnection(
      store,
      { ...current, account: { name, at: now }, updatedAt: now, revision: current.revision + 1 },
      [],
    );
  });
}
