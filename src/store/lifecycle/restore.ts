import { fingerprint } from "../../oauth/fingerprint.ts";
import type { BackupEntry, BackupPayload } from "../backup-payload.ts";
import { StorageError } from "../db.ts";
import { putConnection, readConnection } from "../repo.ts";
import { listConnectionIds, readEvents } from "../repo-bulk.ts";
import { type MergeInput, type MergePlan, planRestore, type RestoreOutcome } from "../restore-merge.ts";
import { connectionLockName, type LifecycleDeps, LOCK_WAIT_MS, recipeOf } from "./shared.ts";

/** One line of a restore's report. */
export interface RestoreLine {
  readonly connectionId: string;
  readonly name: string;
  readonly outcome: RestoreOutcome;
  readonly reason: string;
  /** History events from the backup that were added here. */
  readonly eventsAdded: number;
}

export interface RestoreReport {
  readonly backupCreatedAt: number;
  readonly lines: readonly RestoreLine[];
  /** Connections written (added or changed); empty when nothing changed. */
  readonly changed: readonly string[];
}

export interface RestoreOptions {
  /** Called as connections are done; a restore of a thousand takes a few seconds. */
  readonly onProgress?: (done: number, total: number) => void;
  /** The relay's client ids; a connection for another client is restored with a note. */
  readonly knownClients?: readonly string[] | null;
}

/** Connections added per transaction: one transaction per connection would cost a commit each. */
const ADD_BATCH = 50;

/**
 * Merges a backup's connections into this browser (rules in restore-merge.ts) and reports, for each,
 * what was added, updated, kept or skipped, and why. Never sends anything: no refresh, no exchange.
 *
 * A connection this browser already has is merged holding its Web Lock, the one refreshes and
 * revocations take, so a restore never races a refresh in another tab; inside it, storage is read,
 * the merge planned, and written only if the record did not change meanwhile. A connection this
 * browser lacks cannot be refreshing anywhere here, so new ones are added in batches, each checked
 * absent inside its transaction. The caller tells other tabs once (see `changed`).
 */
export async function restoreBackup(
  deps: Pick<LifecycleDeps, "db" | "now" | "locks">,
  payload: BackupPayload,
  options: RestoreOptions = {},
): Promise<RestoreReport> {
  const total = payload.entries.length;
  const fingerprints = new Map<string, string | null>();
  await Promise.all(
    payload.entries.map(async ({ connection }) => {
      const token = connection.tokenSet?.refreshToken ?? null;
      fingerprints.set(connection.id, token === null ? null : await fingerprint(token));
    }),
  );
  const lines: RestoreLine[] = [];
  const changed: string[] = [];
  let done = 0;
  const note = (entry: BackupEntry, plan: MergePlan): RestoreLine => {
    const client = entry.connection.clientId;
    const unknown =
      plan.outcome !== "skipped" && options.knownClients != null && !options.knownClients.includes(client);
    return {
      connectionId: entry.connection.id,
      name: plan.connection?.name ?? entry.connection.name,
      outcome: plan.outcome,
      reason: unknown
        ? `${plan.reason} The relay does not list client "${client}": refreshes fail until it does.`
        : plan.reason,
      eventsAdded: plan.eventsFromBackup,
    };
  };
  const record = (entry: BackupEntry, plan: MergePlan) => {
    lines.push(note(entry, plan));
    if (plan.connection !== null) changed.push(entry.connection.id);
    done += 1;
    options.onProgress?.(done, total);
  };
  const skipRest = (entries: readonly BackupEntry[], reason: string) => {
    for (const entry of entries) {
      if (lines.some((l) => l.connectionId === entry.connection.id)) continue;
      lines.push({
        connectionId: entry.connection.id,
        name: entry.connection.name,
        outcome: "skipped",
        reason,
        eventsAdded: 0,
      });
    }
  };
  const planFor = (
    entry: BackupEntry,
    local: MergeInput["local"],
    localEvents: MergeInput["localEvents"],
    localFingerprint: string | null,
  ) =>
    planRestore({
      local,
      localEvents,
      incoming: entry.connection,
      incomingEvents: entry.events,
      localFingerprint,
      incomingFingerprint: fingerprints.get(entry.connection.id) ?? null,
      refreshPolicy: recipeOf(entry.connection.provider).refreshPolicy,
      backupCreatedAt: payload.createdAt,
      now: deps.now(),
    });

  const existing = new Set(await listConnectionIds(deps.db));
  const toMerge = payload.entries.filter((e) => existing.has(e.connection.id));
  const toAdd = payload.entries.filter((e) => !existing.has(e.connection.id));

  try {
    for (let start = 0; start < toAdd.length; start += ADD_BATCH) {
      const batch = toAdd.slice(start, start + ADD_BATCH);
      const planned = await deps.db.tx("readwrite", async (store) => {
        const out: Array<[BackupEntry, MergePlan | null]> = [];
        for (const entry of batch) {
          // Another tab's restore may have added it since we listed: then it is merged, under its lock.
          if ((await readConnection(store, entry.connection.id)) !== undefined) {
            out.push([entry, null]);
            continue;
          }
          const plan = planFor(entry, undefined, [], null);
          if (plan.connection !== null) putConnection(store, plan.connection, plan.events);
          out.push([entry, plan]);
        }
        return out;
      });
      for (const [entry, plan] of planned) {
        if (plan === null) toMerge.push(entry);
        else record(entry, plan);
      }
    }

    for (const entry of toMerge) {
      const id = entry.connection.id;
      const merge = async (): Promise<MergePlan> => {
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const [local, localEvents] = await deps.db.tx("readonly", (store) =>
            Promise.all([readConnection(store, id), readEvents(store, id)]),
          );
          const token = local?.tokenSet?.refreshToken ?? null;
          const plan = planFor(entry, local, localEvents, token === null ? null : await fingerprint(token));
          if (plan.connection === null) return plan;
          const written = await deps.db.tx("readwrite", async (store) => {
            const current = await readConnection(store, id);
            // Renames, probes and settings write without the lock: plan again on what they wrote.
            if (current?.revision !== local?.revision) return false;
            putConnection(store, plan.connection as NonNullable<MergePlan["connection"]>, plan.events);
            return true;
          });
          if (written) return plan;
        }
        return {
          outcome: "skipped",
          reason:
            "It kept changing while being restored (another tab is writing it). Nothing restored for it; try again.",
          connection: null,
          events: [],
          eventsFromBackup: 0,
        };
      };
      let plan: MergePlan;
      if (deps.locks === undefined) plan = await merge();
      else {
        try {
          plan = await deps.locks.request(
            connectionLockName(id),
            { signal: AbortSignal.timeout(LOCK_WAIT_MS) },
            merge,
          );
        } catch (error) {
          if (
            !(error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError"))
          )
            throw error;
          plan = {
            outcome: "skipped",
            reason:
              "Another tab has been refreshing or revoking it for over 30 s. Nothing restored for it; restore again when that is done.",
            connection: null,
            events: [],
            eventsFromBackup: 0,
          };
        }
      }
      record(entry, plan);
    }
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    // What was written stays (each connection is whole); the rest is named, with the cause.
    skipRest(payload.entries, `Not restored: ${error.message}`);
  }
  const order = new Map(payload.entries.map((e, i) => [e.connection.id, i]));
  lines.sort((a, b) => (order.get(a.connectionId) ?? 0) - (order.get(b.connectionId) ?? 0));
  return { backupCreatedAt: payload.createdAt, lines, changed };
}
