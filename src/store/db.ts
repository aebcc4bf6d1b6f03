/**
 * IndexedDB through idb-keyval: one object store, records under array keys so one kind can be read
 * by key range and several kinds written in one transaction (a callback that becomes a connection
 * must delete its pending authorization in the same breath, or a second tab could use it too).
 */
import { createStore, promisifyRequest, type UseStore } from "idb-keyval";

/** The version of the records' shapes; {@link openDb} migrates older records up to it. */
export const SCHEMA_VERSION = 3;

export const SCHEMA_KEY = ["meta", "schema"];

export interface Db {
  /** Runs `fn` inside one transaction; resolves with its result once the transaction has committed. */
  tx<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => Promise<T> | T): Promise<T>;
}

/** A storage failure, with what the user can do about it; nothing stored was changed. */
export class StorageError extends Error {
  override readonly name = "StorageError";
  constructor(
    message: string,
    readonly code: "unavailable" | "quota" | "newer_schema" | "failed",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function explain(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  if (name === "QuotaExceededError") {
    return new StorageError(
      "The browser refused to store more data (storage quota). Free some space or forget old connections; nothing stored was changed.",
      "quota",
      { cause: error },
    );
  }
  return new StorageError(
    `The browser's storage (IndexedDB) failed: ${error instanceof Error ? error.message : String(error)}. Nothing stored was changed.`,
    "failed",
    { cause: error },
  );
}

/** Resolves with a request's result, inside the transaction it belongs to. */
export function req<T>(request: IDBRequest<T>): Promise<T> {
  return promisifyRequest(request);
}

/** The key range holding every key that starts with `prefix`. */
export function prefixRange(...prefix: IDBValidKey[]): IDBKeyRange {
  // Arrays sort after every string, number and date, so `[...prefix, []]` bounds them all.
  return IDBKeyRange.bound(prefix, [...prefix, []]);
}

function newerSchema(version: number): StorageError {
  return new StorageError(
    `The stored data was written by a newer tokendesk (schema ${version}, this one knows ${SCHEMA_VERSION}). Open the newer version; nothing was changed.`,
    "newer_schema",
  );
}

/** Opens (creating if needed) the database and brings its records to {@link SCHEMA_VERSION}. */
export async function openDb(name = "tokendesk"): Promise<Db> {
  if (typeof indexedDB === "undefined") {
    throw new StorageError(
      "This browser offers no IndexedDB (a private window may disable it), so tokendesk cannot keep connections. Use a normal window.",
      "unavailable",
    );
  }
  const useStore: UseStore = createStore(name, "records");
  const db: Db = {
    async tx(mode, fn) {
      try {
        return await useStore(mode, async (store) => {
          let result: Awaited<ReturnType<typeof fn>>;
          try {
            result = await fn(store);
          } catch (error) {
            // Never half-write: without an explicit abort, the puts made so far would commit.
            try {
              store.transaction.abort();
            } catch {
              // Already finished or aborted.
            }
            throw error;
          }
          if (mode === "readwrite") await promisifyRequest(store.transaction);
          return result;
        });
      } catch (error) {
        throw explain(error);
      }
    },
  };
  // The usual case, a database at this version, needs one read; migrations load only for an older one.
  const found = (await db.tx("readonly", (store) => req(store.get(SCHEMA_KEY)))) as number | undefined;
  if (found !== SCHEMA_VERSION) {
    if (found !== undefined && found > SCHEMA_VERSION) throw newerSchema(found);
    const { migrate } = await import("./migrations.ts");
    // Read again inside the write: another tab may have migrated (or created the database) meanwhile.
    await db.tx("readwrite", async (store) => {
      const version = (await req(store.get(SCHEMA_KEY))) as number | undefined;
      if (version === SCHEMA_VERSION) return;
      if (version !== undefined && version > SCHEMA_VERSION) throw newerSchema(version);
      // No version: a new, empty database (version 0).
      await migrate(store, version ?? 0);
    });
  }
  return db;
}
