/**
 * What the connections list shows of a connection, kept beside it under its own key: listing 1,000
 * connections then reads 1,000 small records, never a token set, an HTTP exchange or a history line.
 * Written by `putConnection` in the same transaction as the connection itself, so the two never
 * disagree, and built for connections stored before summaries existed by the schema 3 migration.
 */
import type { Connection, Problem, RefreshTokenStatus } from "./records.ts";
import { type ConnectionStatus, statusOf } from "./status.ts";

/** The token set as far as the list and the status badge need it: instants and presence, no tokens. */
export interface SummaryTokens {
  readonly receivedAt: number;
  readonly accessExpiresAt: number | null;
  readonly refreshExpiresAt: number | null;
  readonly hasAccessToken: boolean;
  readonly hasRefreshToken: boolean;
}

export interface ConnectionSummary {
  readonly id: string;
  readonly name: string;
  readonly clientId: string;
  readonly provider: string;
  readonly createdAt: number;
  readonly revision: number;
  /**
   * A new value on every write of the connection (revisions can repeat across a restore), so a view
   * holding the whole record knows exactly when to read it again.
   */
  readonly stamp: string;
  /** Whom the tokens belong to, as the identity probe last named it. */
  readonly account: string | null;
  readonly refreshTokenStatus: RefreshTokenStatus;
  readonly handedOffAt: number | null;
  readonly problem: Problem["kind"] | null;
  readonly autoRefresh: boolean;
  /** The code was sent for exchange; without tokens, that exchange failed. */
  readonly exchangeStarted: boolean;
  readonly tokens: SummaryTokens | null;
}

/** A fresh stamp: unique enough to tell two writes apart; not a secret. */
export function newStamp(): string {
  return `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * The summary of a connection. Tolerant of old records (the migration summarizes whatever is
 * stored): a missing field reads as absent.
 */
export function summarize(connection: Connection, stamp: string = newStamp()): ConnectionSummary {
  const tokens = connection.tokenSet;
  return {
    id: connection.id,
    name: connection.name,
    clientId: connection.clientId,
    provider: connection.provider,
    createdAt: connection.createdAt,
    revision: connection.revision,
    stamp,
    account: connection.account?.name ?? null,
    refreshTokenStatus: connection.refreshTokenStatus,
    handedOffAt: connection.handedOffAt ?? null,
    problem: connection.problem?.kind ?? null,
    autoRefresh: connection.settings?.autoRefresh === true,
    exchangeStarted: connection.authorization?.exchangeStartedAt != null,
    tokens:
      tokens == null
        ? null
        : {
            receivedAt: tokens.receivedAt,
            accessExpiresAt: tokens.accessExpiresAt,
            refreshExpiresAt: tokens.refreshExpiresAt,
            hasAccessToken: tokens.accessToken !== null,
            hasRefreshToken: tokens.refreshToken !== null,
          },
  };
}

/** A whole connection's state at `now`: the same answer its summary gives. */
export function connectionStatus(connection: Connection, now: number): ConnectionStatus {
  return statusOf(summarize(connection, ""), now);
}
