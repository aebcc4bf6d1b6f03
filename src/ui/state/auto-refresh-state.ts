/**
 * Automatic refreshes in this tab: the planner (store/auto-refresh.ts) fed the whole records of the
 * connections whose summaries say auto-refresh is on, read again only when one of them changes.
 * Loaded once the list is drawn (app-state.tsx).
 */
import { createEffect, onCleanup } from "solid-js";
import { createAutoRefresher } from "../../store/auto-refresh.ts";
import type { Connection } from "../../store/records.ts";
import { getConnection } from "../../store/repo.ts";
import type { AppCore } from "./app-types.ts";
import { runStep } from "./token-actions.ts";

export function createPlanner(core: AppCore) {
  const refresher = createAutoRefresher({
    now: Date.now,
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    refresh: async (id, token) => {
      await runStep(core, {
        op: "refresh",
        connectionId: id,
        options: { expectedRefreshToken: token, trigger: "auto" },
      }).catch(() => undefined);
      await core.reloadSummaries([id]);
    },
  });
  const cache = new Map<string, { readonly stamp: string; readonly record: Connection | undefined }>();
  let latest = 0;
  createEffect(() => {
    // A new list (any change, or coming back online) plans again; records are read only when changed.
    const wanted = core.state.connections.filter((s) => s.autoRefresh);
    const run = ++latest;
    void (async () => {
      const db = await core.db;
      const records: Connection[] = [];
      for (const summary of wanted) {
        let cached = cache.get(summary.id);
        if (cached?.stamp !== summary.stamp) {
          cached = { stamp: summary.stamp, record: await getConnection(db, summary.id) };
          cache.set(summary.id, cached);
        }
        if (cached.record !== undefined) records.push(cached.record);
      }
      // A newer list arrived while this one was read: that one plans.
      if (run !== latest) return;
      for (const id of [...cache.keys()]) if (!wanted.some((s) => s.id === id)) cache.delete(id);
      refresher.update(records);
    })().catch(() => undefined);
  });
  onCleanup(() => refresher.stop());
  return {
    next: (id: string) => refresher.scheduled().get(id) ?? null,
    stop: () => refresher.stop(),
  };
}
