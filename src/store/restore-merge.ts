/**
 * How one connection from a backup meets what this browser holds: pure decisions, no storage. The
 * caller holds the connection's Web Lock and writes the plan in one transaction (lifecycle/restore.ts).
 *
 * Rules:
 * - Missing here: added, with its history.
 * - Present here: the newer token set stays. "Newer" is decided first by the refresh-token lineage the
 *   two histories record (an event's `previousRefreshTokenFingerprint` → `refreshTokenFingerprint`),
 *   then, when no history links the two refresh tokens, by when each was issued. An older rotated
 *   refresh token never replaces a newer one: it is recorded in the history as a restored copy,
 *   probably spent, and never used.
 * - History is merged by event id: the backup's events missing here are added, none twice.
 * - Nothing here starts a refresh: a connection whose tokens come from the backup has auto-refresh
 *   off (the browser that made the backup may still be refreshing the same refresh token, and a
 *   restored access token has usually expired, so a timer would fire at once), and an answer the
 *   backup's browser was still waiting for is recorded as an unknown outcome.
 */
import type { RefreshPolicy } from "../providers/types.ts";
import { UNSENT_CODE_REASON } from "./backup-payload.ts";
import { event, minute, orphanedInFlight } from "./lifecycle/shared.ts";
import type { Connection, ConnectionEvent } from "./records.ts";

export type RestoreOutcome = "added" | "updated" | "kept" | "skipped";

export interface MergeInput {
  /** The connection as stored here, or undefined when this browser does not have it. */
  readonly local: Connection | undefined;
  readonly localEvents: readonly ConnectionEvent[];
  readonly incoming: Connection;
  readonly incomingEvents: readonly ConnectionEvent[];
  /** Fingerprints of each side's refresh token; null when that side has none. */
  readonly localFingerprint: string | null;
  readonly incomingFingerprint: string | null;
  readonly refreshPolicy: RefreshPolicy;
  readonly backupCreatedAt: number;
  readonly now: number;
}

export interface MergePlan {
  readonly outcome: RestoreOutcome;
  /** Why, in a sentence a person reads in the restore report. */
  readonly reason: string;
  /** The connection to write, or null when the stored one stays untouched. */
  readonly connection: Connection | null;
  /** History lines to write: the backup's that are missing here, then what the restore records. */
  readonly events: readonly ConnectionEvent[];
  /** How many of `events` came from the backup's history. */
  readonly eventsFromBackup: number;
}

/** Each refresh token's fingerprint → the fingerprints of the refresh tokens it replaced. */
export function refreshLineage(events: Iterable<ConnectionEvent>): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>();
  for (const e of events) {
    const child = e.refreshTokenFingerprint;
    const parent = e.previousRefreshTokenFingerprint;
    if (child === null || parent === null || child === parent) continue;
    const set = parents.get(child);
    if (set === undefined) parents.set(child, new Set([parent]));
    else set.add(parent);
  }
  return parents;
}

/** Whether history shows `fingerprint` issued, by one or more refreshes, in place of `ancestor`. */
export function descendsFrom(
  parents: ReadonlyMap<string, ReadonlySet<string>>,
  fingerprint: string,
  ancestor: string,
): boolean {
  const seen = new Set<string>([fingerprint]);
  const queue = [fingerprint];
  while (queue.length > 0) {
    const next = queue.pop() as string;
    for (const parent of parents.get(next) ?? []) {
      if (parent === ancestor) return true;
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return false;
}

function laterOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/**
 * The backup's connection as this browser may hold it: auto-refresh off, and a request its browser
 * was still waiting for turned into an unknown outcome (its answer went to that browser, if anywhere).
 */
function arriving(input: MergeInput): { connection: Connection; events: ConnectionEvent[]; notes: string[] } {
  const { incoming, now } = input;
  const notes: string[] = [];
  let connection: Connection = { ...incoming, settings: { ...incoming.settings, autoRefresh: false } };
  const events: ConnectionEvent[] = [];
  if (incoming.inFlight !== null) {
    const refresh = incoming.inFlight.grantType === "refresh_token";
    connection = {
      ...connection,
      inFlight: null,
      refreshTokenStatus: refresh ? "unknown" : connection.refreshTokenStatus,
      problem: {
        at: now,
        kind: "outcome_unknown",
        title: `${refresh ? "Refresh" : "Exchange"}: outcome unknown`,
        detail: `A ${refresh ? "refresh" : "code exchange"} sent at ${new Date(incoming.inFlight.startedAt).toISOString()} had no answer stored when the backup was made. The provider may have ${refresh ? "rotated the refresh token" : "spent the code"}.`,
        next: refresh
          ? "tokendesk did not resend it. Try one refresh; if the provider refuses it, authorize again."
          : "Authorize again for a new code.",
      },
    };
    events.push(
      event(
        incoming.id,
        now,
        "failed",
        `${refresh ? "Refresh" : "Exchange"}: outcome unknown (it was on its way when the backup was made).`,
      ),
    );
    notes.push(
      `a ${refresh ? "refresh" : "code exchange"} was on its way when the backup was made: outcome unknown`,
    );
  }
  return { connection, events, notes };
}

function withNotes(reason: string, notes: readonly string[]): string {
  const text = notes.length === 0 ? reason : `${reason}; ${notes.join("; ")}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

const AUTO_OFF = "auto-refresh is off until you turn it on again";

type Winner =
  | { readonly side: "here"; readonly why: string; readonly spent: string | null }
  | { readonly side: "backup"; readonly why: string; readonly replaced: string | null }
  | { readonly side: "same"; readonly why: string };

/** Which token set is newer, and why; see the module comment for the rules. */
function newerTokenSet(
  input: MergeInput,
  local: Connection,
  localEvents: readonly ConnectionEvent[],
): Winner {
  const l = local.tokenSet;
  const i = input.incoming.tokenSet;
  const lf = input.localFingerprint;
  const inf = input.incomingFingerprint;
  if (i === null) return { side: "here", why: "the backup's copy holds no tokens", spent: null };
  if (l === null) return { side: "backup", why: "this browser held no tokens for it yet", replaced: null };
  if (l.refreshToken === i.refreshToken) {
    if (i.receivedAt > l.receivedAt) {
      return {
        side: "backup",
        why: `the same refresh token, and the backup's access token is newer (received ${minute(i.receivedAt)} UTC)`,
        replaced: null,
      };
    }
    if (i.receivedAt === l.receivedAt && i.accessToken === l.accessToken)
      return { side: "same", why: "already here with the same tokens" };
    return {
      side: "here",
      why: "the same refresh token, and the access token here is as new or newer",
      spent: null,
    };
  }
  if (lf !== null && inf !== null) {
    const parents = refreshLineage([...localEvents, ...input.incomingEvents]);
    if (descendsFrom(parents, lf, inf)) {
      return {
        side: "here",
        why: `history shows the refresh token here (${lf}) was issued in place of the backup's (${inf})`,
        spent: inf,
      };
    }
    if (descendsFrom(parents, inf, lf)) {
      return {
        side: "backup",
        why: `history shows the backup's refresh token (${inf}) was issued in place of the one here (${lf})`,
        replaced: lf,
      };
    }
  }
  if (l.refreshToken !== null && i.refreshToken === null) {
    return {
      side: "here",
      why: "the backup's token set has no refresh token and the one here has",
      spent: null,
    };
  }
  const issuedHere = l.refreshReceivedAt ?? l.receivedAt;
  const issuedThere = i.refreshReceivedAt ?? i.receivedAt;
  const unlinked = lf !== null && inf !== null ? "no history links the two refresh tokens, and " : "";
  if (issuedThere > issuedHere) {
    return {
      side: "backup",
      why: `${unlinked}the backup's was issued later (${minute(issuedThere)} UTC, the one here ${minute(issuedHere)} UTC)`,
      replaced: lf,
    };
  }
  return {
    side: "here",
    why: `${unlinked}the one here was issued ${issuedHere === issuedThere ? "at the same time" : "later"} (${minute(issuedHere)} UTC, the backup's ${minute(issuedThere)} UTC)`,
    spent: inf,
  };
}

/** What restoring `input.incoming` does here. The caller holds the connection's lock. */
export function planRestore(input: MergeInput): MergePlan {
  const { incoming, now } = input;
  const made = `${minute(input.backupCreatedAt)} UTC`;
  if (
    incoming.tokenSet === null &&
    incoming.authorization !== null &&
    incoming.authorization.exchangeStartedAt === null
  ) {
    return {
      outcome: "skipped",
      reason: UNSENT_CODE_REASON,
      connection: null,
      events: [],
      eventsFromBackup: 0,
    };
  }
  const arrived = arriving(input);

  if (input.local === undefined) {
    const connection: Connection = { ...arrived.connection, updatedAt: now, revision: incoming.revision + 1 };
    const count = input.incomingEvents.length;
    const notes = incoming.settings.autoRefresh ? [...arrived.notes, AUTO_OFF] : arrived.notes;
    return {
      outcome: "added",
      reason: withNotes(
        `not in this browser: added with ${count} history event${count === 1 ? "" : "s"}`,
        notes,
      ),
      connection,
      events: [
        ...input.incomingEvents,
        ...arrived.events,
        event(
          incoming.id,
          now,
          "restored",
          `Restored from a backup made ${made}, with ${count} history events.`,
          {
            refreshTokenFingerprint: input.incomingFingerprint,
          },
        ),
      ],
      eventsFromBackup: count,
    };
  }

  // We hold the lock, so a request marked in flight here lost its sender: record it as refreshes do.
  let local = input.local;
  const events: ConnectionEvent[] = [];
  if (local.inFlight !== null) {
    const orphan = orphanedInFlight(local, now);
    local = orphan.connection;
    events.push(...orphan.events);
  }
  const localIds = new Set(input.localEvents.map((e) => e.id));
  const missing = input.incomingEvents.filter((e) => !localIds.has(e.id));
  events.unshift(...missing);
  const history = [...input.localEvents, ...missing];
  const winner = newerTokenSet(input, local, history);
  const lf = input.localFingerprint;
  const inf = input.incomingFingerprint;
  const added =
    missing.length === 0 ? "" : `; ${missing.length} history event${missing.length === 1 ? "" : "s"} added`;

  if (winner.side === "backup") {
    const theirs = arrived.connection;
    const sameToken = local.tokenSet?.refreshToken === theirs.tokenSet?.refreshToken;
    const eitherDead = local.refreshTokenStatus === "dead" || theirs.refreshTokenStatus === "dead";
    const notes =
      local.settings.autoRefresh || incoming.settings.autoRefresh
        ? [...arrived.notes, AUTO_OFF]
        : arrived.notes;
    const connection: Connection = {
      ...local,
      tokenSet: theirs.tokenSet,
      refreshTokenStatus: sameToken && eitherDead ? "dead" : theirs.refreshTokenStatus,
      lastExchange: theirs.lastExchange,
      problem: theirs.problem,
      authorization: local.authorization ?? theirs.authorization,
      account: theirs.account ?? local.account ?? null,
      handedOffAt: laterOf(local.handedOffAt, theirs.handedOffAt),
      settings: { ...local.settings, autoRefresh: false },
      recentRefreshes: [...new Set([...local.recentRefreshes, ...theirs.recentRefreshes])]
        .sort((a, b) => a - b)
        .slice(-50),
      retryAfterUntil: laterOf(local.retryAfterUntil, theirs.retryAfterUntil),
      inFlight: null,
      updatedAt: now,
      revision: local.revision + 1,
    };
    const swap =
      winner.replaced !== null && inf !== null
        ? ` Refresh token ${inf} replaces ${winner.replaced}.`
        : inf !== null && !sameToken
          ? ` Refresh token ${inf} added.`
          : "";
    events.push(
      ...arrived.events,
      event(
        local.id,
        now,
        "restored",
        `Restored the newer token set from a backup made ${made}: ${winner.why}.${swap} Auto-refresh off.`,
        {
          refreshTokenFingerprint: inf,
          previousRefreshTokenFingerprint: winner.replaced,
        },
      ),
    );
    return {
      outcome: "updated",
      reason: withNotes(`took the backup's token set: ${winner.why}${added}`, notes),
      connection,
      events,
      eventsFromBackup: missing.length,
    };
  }

  if (winner.side === "here" && winner.spent !== null) {
    const recorded = history.some(
      (e) =>
        e.type === "restored" &&
        e.refreshTokenFingerprint === winner.spent &&
        e.previousRefreshTokenFingerprint === null,
    );
    if (!recorded) {
      const kept = lf ?? "the tokens here";
      const summary =
        input.refreshPolicy === "reusable"
          ? `Restored copy, older: refresh token ${winner.spent} from a backup made ${made}. For this provider older refresh tokens stay valid, but tokendesk keeps the newer ${kept} (${winner.why}); the copy is not used.`
          : `Restored copy, probably spent: refresh token ${winner.spent} from a backup made ${made}. Not used; tokendesk keeps ${kept} (${winner.why}).`;
      events.push(event(local.id, now, "restored", summary, { refreshTokenFingerprint: winner.spent }));
    }
  }
  const copy =
    winner.side === "here" && winner.spent !== null
      ? `; the backup's refresh token is in the history as a restored copy${input.refreshPolicy === "reusable" ? "" : ", probably spent"}`
      : "";
  const reason =
    winner.side === "same"
      ? `${winner.why}${added || "; nothing to add"}`
      : `kept the token set here: ${winner.why}${copy}${added}`;
  return {
    outcome: "kept",
    reason: withNotes(reason, []),
    connection: events.length === 0 ? null : { ...local, updatedAt: now, revision: local.revision + 1 },
    events,
    eventsFromBackup: missing.length,
  };
}
