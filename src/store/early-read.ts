/**
 * The connections list's first read, started by the page's entry (main.tsx) before the app's first
 * render: opening IndexedDB and reading the summaries take longer than painting the frame and
 * starting the app (npm run bench, "connections list interactive"), so they run beside those
 * instead of after them.
 * The app state takes it over (src/ui/state/app-state.tsx) and reads again should another tab have
 * changed a connection meanwhile.
 */
import { type Db, openDb } from "./db.ts";
import { listSummaries } from "./list.ts";
import type { ConnectionSummary } from "./summary.ts";
import { CHANNEL_NAME } from "./worker-protocol.ts";

export interface EarlyRead {
  readonly db: Promise<Db>;
  /**
   * Every summary, newest first, or null when another tab changed connections since the read
   * began (read again). Stops listening for changes: take it once the app listens itself.
   */
  take(): Promise<ConnectionSummary[] | null>;
}

/** Starts opening the store and reading the list; null where there is no IndexedDB (the app says why). */
export function startEarlyRead(name?: string): EarlyRead | null {
  if (typeof indexedDB === "undefined") return null;
  // Listening before reading: a change that lands after the read's snapshot is heard here.
  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL_NAME);
  let changed = false;
  if (channel !== null) channel.onmessage = () => (changed = true);
  const db = openDb(name);
  const summaries = db.then(listSummaries);
  // Failures are the app's to show when it takes the read; until then they are not unhandled.
  db.catch(() => undefined);
  summaries.catch(() => undefined);
  return {
    db,
    async take() {
      try {
        const all = await summaries;
        return changed ? null : all;
      } finally {
        channel?.close();
      }
    },
  };
}
