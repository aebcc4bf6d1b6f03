/**
 * Reading what the connections list shows: connection summaries (summary.ts), under their own key
 * range, so the first screen reads neither token sets, exchanges nor history. The first screen loads
 * this module; the write path (repo.ts) loads later.
 */
import { type Db, prefixRange, req } from "./db.ts";
import type { ConnectionSummary } from "./summary.ts";

export const summaryKey = (id: string) => ["summary", id];

/** Every connection's summary, newest first. */
export async function listSummaries(db: Db): Promise<ConnectionSummary[]> {
  const all = (await db.tx("readonly", (store) =>
    req(store.getAll(prefixRange("summary"))),
  )) as ConnectionSummary[];
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

/** The summaries of `ids`, in one transaction; undefined where a connection is gone. */
export function readSummaries(db: Db, ids: readonly string[]): Promise<(ConnectionSummary | undefined)[]> {
  return db.tx("readonly", (store) =>
    Promise.all(ids.map((id) => req(store.get(summaryKey(id))) as Promise<ConnectionSummary | undefined>)),
  );
}
