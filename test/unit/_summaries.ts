/** Checks that every stored connection has the summary the list would read, and no summary is left over. */
import { expect } from "vitest";
import { type Db, prefixRange, req } from "../../src/store/db.ts";
import type { Connection } from "../../src/store/records.ts";
import { type ConnectionSummary, summarize } from "../../src/store/summary.ts";

export async function _expectSummariesInStep(db: Db): Promise<void> {
  const [connections, summaries] = await db.tx("readonly", (store) =>
    Promise.all([
      req(store.getAll(prefixRange("connection"))) as Promise<Connection[]>,
      req(store.getAll(prefixRange("summary"))) as Promise<ConnectionSummary[]>,
    ]),
  );
  const withoutStamp = ({ stamp: _, ...rest }: ConnectionSummary) => rest;
  expect(summaries.map(withoutStamp)).toEqual(connections.map((c) => withoutStamp(summarize(c))));
  for (const s of summaries) expect(s.stamp).toMatch(/^[0-9a-z]+\.[0-9a-z]+$/);
}
