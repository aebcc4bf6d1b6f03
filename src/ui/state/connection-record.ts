/**
 * The whole record of one connection (token set, last exchange, settings…) for a page that shows it,
 * read when the page opens and again whenever the connection's summary says it was written (its
 * stamp), here or in another tab. The list itself reads summaries only.
 */
import { type Accessor, batch, createEffect, createMemo } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import type { Connection } from "../../store/records.ts";
import { useAppState } from "./app-state.tsx";

export interface ConnectionRecord {
  /** The record as last read; kept while a newer one is read, so nothing flickers. */
  readonly record: Accessor<Connection | undefined>;
  /** Whether the answer is known: false while the list or the record is still being read. */
  readonly settled: Accessor<boolean>;
  /** The stamp (summary.ts) of the write the record shows: changes once a newer write is read. */
  readonly stamp: Accessor<string | undefined>;
}

export function createConnectionRecord(id: Accessor<string | undefined>): ConnectionRecord {
  const [state, actions] = useAppState();
  const stamp = createMemo(() => {
    const wanted = id();
    return wanted === undefined ? undefined : state.connections.find((c) => c.id === wanted)?.stamp;
  });
  // A store, reconciled: a write that changed only the countdown's instant re-renders only that.
  const [held, setHeld] = createStore<{
    record: Connection | undefined;
    settled: boolean;
    stamp: string | undefined;
  }>({ record: undefined, settled: false, stamp: undefined });
  let asked = 0;
  createEffect(() => {
    const wanted = id();
    const current = stamp();
    const run = ++asked;
    if (wanted === undefined || current === undefined) {
      setHeld({
        record: undefined,
        settled: state.connectionsLoaded || wanted === undefined,
        stamp: undefined,
      });
      return;
    }
    void actions.connection(wanted).then(
      (record) => {
        if (run !== asked) return;
        batch(() => {
          if (record === undefined) setHeld("record", undefined);
          else setHeld("record", reconcile(record, { key: "id" }));
          setHeld({ settled: true, stamp: record === undefined ? undefined : current });
        });
      },
      () => {
        if (run === asked) setHeld({ record: undefined, settled: true, stamp: undefined });
      },
    );
  });
  return { record: () => held.record, settled: () => held.settled, stamp: () => held.stamp };
}
