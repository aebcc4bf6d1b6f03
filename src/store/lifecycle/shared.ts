import type { RelayClient, RelayLookups } from "../../oauth/relay-client.ts";
import { custom } from "../../providers/custom.ts";
import { findRecipe } from "../../providers/index.ts";
import type { Recipe } from "../../providers/types.ts";
import type { Db } from "../db.ts";
import {
  type Connection,
  type ConnectionEvent,
  DEFAULT_SETTINGS,
  type EventType,
  type Problem,
} from "../records.ts";

export interface LifecycleDeps {
  readonly db: Db;
  readonly relay: RelayClient;
  readonly now: () => number;
  /** `navigator.locks` where the browser has it: refreshes of one connection run one at a time across tabs. */
  readonly locks?: LockManager | undefined;
  /** Tells other tabs (and this one) that a connection changed. */
  readonly notify?: ((connectionId: string) => void) | undefined;
  /** The fetch for reading an issuer's keys from the page. Default: the global fetch. */
  readonly fetch?: typeof fetch | undefined;
  /** The relay's read-only lookups; without them an issuer's keys are read from the page only. */
  readonly lookups?: Pick<RelayLookups, "jwks"> | undefined;
}

export function recipeOf(provider: string): Recipe {
  return findRecipe(provider) ?? custom;
}

export function newId(): string {
  return crypto.randomUUID();
}

let eventSeq = 0;
/** Event ids sort in the order this tab made them, so events of the same millisecond keep their order. */
export function eventId(): string {
  eventSeq += 1;
  return `${eventSeq.toString(36).padStart(8, "0")}-${newId()}`;
}

export function event(
  connectionId: string,
  at: number,
  type: EventType,
  summary: string,
  extra: Partial<
    Pick<
      ConnectionEvent,
      | "exchange"
      | "refreshTokenFingerprint"
      | "previousRefreshTokenFingerprint"
      | "accessExpiresAt"
      | "refreshExpiresAt"
    >
  > = {},
): ConnectionEvent {
  return {
    id: eventId(),
    connectionId,
    at,
    type,
    summary,
    exchange: extra.exchange ?? null,
    refreshTokenFingerprint: extra.refreshTokenFingerprint ?? null,
    previousRefreshTokenFingerprint: extra.previousRefreshTokenFingerprint ?? null,
    // Only events that issued tokens carry expiries; absent stays absent, so old and new read alike.
    ...(extra.accessExpiresAt === undefined ? {} : { accessExpiresAt: extra.accessExpiresAt }),
    ...(extra.refreshExpiresAt === undefined ? {} : { refreshExpiresAt: extra.refreshExpiresAt }),
  };
}

/** A UTC minute for default connection names, e.g. `2026-11-23 15:01`. */
export function minute(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace("T", " ");
}

/** A connection with nothing in it yet: the defaults every new connection starts from. */
export function newConnection(
  id: string,
  now: number,
  who: { clientId: string; provider: string },
): Connection {
  return {
    id,
    name: who.clientId,
    clientId: who.clientId,
    provider: who.provider,
    scopeRequested: "",
    createdAt: now,
    updatedAt: now,
    revision: 1,
    authorization: null,
    tokenSet: null,
    refreshTokenStatus: "active",
    lastExchange: null,
    problem: null,
    settings: DEFAULT_SETTINGS,
    handedOffAt: null,
    inFlight: null,
    recentRefreshes: [],
    retryAfterUntil: null,
  };
}

export type StepOutcome =
  | { readonly kind: "done"; readonly connection: Connection }
  /** Nothing was sent: the step was not allowed (code already sent, no refresh token…). */
  | { readonly kind: "not_sent"; readonly message: string; readonly reason?: NotSentReason };

export type NotSentReason =
  | "no_code"
  | "code_used"
  | "no_refresh_token"
  | "no_access_token"
  | "dead"
  | "needs_confirmation"
  | "rate_limited"
  | "auto_refresh_off"
  | "lock_timeout"
  /** No network, or the relay cannot be reached: said before anything was sent or marked as sent. */
  | "offline"
  | "forgotten"
  | "no_id_token";

/** How long a tab waits for another tab's refresh of the same connection before giving up (never stealing). */
export const LOCK_WAIT_MS = 30_000;

/** The Web Lock refreshes, revocations and restores of one connection share, across tabs and the worker. */
export function connectionLockName(connectionId: string): string {
  return `tokendesk:refresh:${connectionId}`;
}

/**
 * Runs `run` holding the connection's Web Lock, the one refreshes and revocations share, so neither
 * overlaps the other in any tab. Gives up (never steals) after {@link LOCK_WAIT_MS}.
 */
export async function withConnectionLock(
  deps: LifecycleDeps,
  connectionId: string,
  run: () => Promise<StepOutcome>,
): Promise<StepOutcome> {
  if (deps.locks === undefined) return run();
  try {
    return await deps.locks.request(
      connectionLockName(connectionId),
      { signal: AbortSignal.timeout(LOCK_WAIT_MS) },
      run,
    );
  } catch (error) {
    if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return {
        kind: "not_sent",
        reason: "lock_timeout",
        message:
          "Another tab has been refreshing or revoking for this connection for over 30 s and seems stuck. Nothing was sent from here; close other tokendesk tabs and try again.",
      };
    }
    throw error;
  }
}

/** The connection once a request whose sender died is recorded as having an unknown outcome. */
export function orphanedInFlight(
  current: Connection,
  now: number,
): { connection: Connection; events: ConnectionEvent[] } {
  const inFlight = current.inFlight;
  const refresh = inFlight?.grantType === "refresh_token";
  const problem: Problem = {
    at: now,
    kind: "outcome_unknown",
    title: `${refresh ? "Refresh" : "Exchange"}: outcome unknown`,
    detail: `A ${refresh ? "refresh" : "code exchange"} was sent at ${new Date(inFlight?.startedAt ?? now).toISOString()} from a tab that closed before its answer was stored. The provider may have ${refresh ? "rotated the refresh token" : "spent the code"}.`,
    next: refresh
      ? "tokendesk did not resend it. Try one refresh; if the provider refuses it, authorize again."
      : "Authorize again for a new code.",
  };
  return {
    connection: {
      ...current,
      inFlight: null,
      problem,
      refreshTokenStatus: refresh ? "unknown" : current.refreshTokenStatus,
      updatedAt: now,
      revision: current.revision + 1,
    },
    events: [
      event(
        current.id,
        now,
        "failed",
        `${refresh ? "Refresh" : "Exchange"}: outcome unknown (the sending tab closed).`,
      ),
    ],
  };
}
