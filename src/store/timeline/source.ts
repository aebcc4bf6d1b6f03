/**
 * What the timeline is drawn from: a connection's history and its present state, read from the
 * stored records or from a diagnostic bundle into one shape, so the connection page and the support
 * desk draw the same picture. Holds no token: history lines carry fingerprints, exchanges are the
 * redacted ones, and of the token set only instants and whether a token is there.
 */
import type { DiagnosticBundle } from "../bundle.ts";
import type { Connection, ConnectionEvent, RefreshTokenStatus } from "../records.ts";

/** One history line as the timeline reads it. */
export interface TimelineEvent {
  /** The history entry this line is shown as: where selecting its mark leads. */
  readonly ref: string;
  readonly at: number;
  /** The event's type as stored; a type this version does not know is drawn as a generic mark. */
  readonly type: string;
  readonly summary: string;
  readonly refreshTokenFingerprint: string | null;
  readonly previousRefreshTokenFingerprint: string | null;
  /** As recorded on the event; `undefined` when the event predates the field. */
  readonly accessExpiresAt?: number | null | undefined;
  readonly refreshExpiresAt?: number | null | undefined;
  /** The provider's answer (tokens as fingerprints), when the line had an HTTP exchange. */
  readonly answer: {
    readonly status: number;
    readonly contentType: string | undefined;
    readonly body: string;
  } | null;
  /** The request body as sent (tokens as fingerprints), for its `grant_type`. */
  readonly sentBody: string | null;
}

export interface TimelineSource {
  readonly name: string;
  readonly provider: string;
  readonly clientId: string;
  /** Oldest first. */
  readonly events: readonly TimelineEvent[];
  readonly code: {
    readonly receivedAt: number;
    readonly expiresAt: number | null;
    /** When it was sent to be exchanged (a code is sent at most once). */
    readonly sentAt: number | null;
  } | null;
  readonly tokens: {
    readonly receivedAt: number;
    readonly hasAccessToken: boolean;
    readonly accessExpiresAt: number | null;
    readonly hasRefreshToken: boolean;
    readonly refreshReceivedAt: number | null;
    readonly refreshExpiresAt: number | null;
  } | null;
  readonly handedOffAt: number | null;
  readonly refreshTokenStatus: RefreshTokenStatus;
}

function optional(value: unknown): number | null | undefined {
  return value === null || (typeof value === "number" && Number.isFinite(value)) ? value : undefined;
}

/**
 * What the timeline needs of a token set, stored or from a bundle: whether each token is there (never
 * the token) and its instants. A bundle may lack `refreshReceivedAt`, so the caller reads it.
 */
function tokenFacts(
  t: {
    readonly receivedAt: number;
    readonly accessToken: string | null;
    readonly accessExpiresAt: number | null;
    readonly refreshToken: string | null;
    readonly refreshExpiresAt: number | null;
  },
  refreshReceivedAt: number | null,
): NonNullable<TimelineSource["tokens"]> {
  return {
    receivedAt: t.receivedAt,
    hasAccessToken: t.accessToken !== null,
    accessExpiresAt: t.accessExpiresAt,
    hasRefreshToken: t.refreshToken !== null,
    refreshReceivedAt,
    refreshExpiresAt: t.refreshExpiresAt,
  };
}

/** A stored connection and its history (oldest first); `refOf` names each line's history entry. */
export function sourceFromConnection(
  connection: Connection,
  events: readonly ConnectionEvent[],
  refOf: (event: ConnectionEvent) => string,
): TimelineSource {
  const t = connection.tokenSet;
  const code = connection.authorization;
  return {
    name: connection.name,
    provider: connection.provider,
    clientId: connection.clientId,
    events: events.map((e) => ({
      ref: refOf(e),
      at: e.at,
      type: e.type,
      summary: e.summary,
      refreshTokenFingerprint: e.refreshTokenFingerprint,
      previousRefreshTokenFingerprint: e.previousRefreshTokenFingerprint,
      accessExpiresAt: optional(e.accessExpiresAt),
      refreshExpiresAt: optional(e.refreshExpiresAt),
      answer:
        e.exchange === null
          ? null
          : {
              status: e.exchange.upstream.status,
              contentType: e.exchange.upstream.headers["content-type"],
              body: e.exchange.upstream.body,
            },
      sentBody: e.exchange?.sent.body ?? null,
    })),
    code:
      code === null
        ? null
        : { receivedAt: code.receivedAt, expiresAt: code.expiresAt, sentAt: code.exchangeStartedAt },
    tokens: t === null ? null : tokenFacts(t, t.refreshReceivedAt),
    handedOffAt: connection.handedOffAt,
    refreshTokenStatus: connection.refreshTokenStatus,
  };
}

/** A diagnostic bundle (checked by parseDiagnosticBundle); `refOf` names each entry by its index. */
export function sourceFromBundle(bundle: DiagnosticBundle, refOf: (index: number) => string): TimelineSource {
  const c = bundle.connection;
  const t = c.tokenSet;
  return {
    name: c.name,
    provider: c.provider,
    clientId: c.clientId,
    events: bundle.log.entries.map((e, i) => ({
      ref: refOf(i),
      at: Date.parse(e.startedDateTime),
      type: e.event.type,
      summary: e.event.summary,
      refreshTokenFingerprint: e.event.refreshTokenFingerprint ?? null,
      previousRefreshTokenFingerprint: e.event.previousRefreshTokenFingerprint ?? null,
      accessExpiresAt: optional(e.event.accessExpiresAt),
      refreshExpiresAt: optional(e.event.refreshExpiresAt),
      answer:
        e.response === null
          ? null
          : {
              status: e.response.status,
              contentType: e.response.content.mimeType,
              body: e.response.content.text,
            },
      sentBody: e.request?.postData?.text ?? null,
    })),
    code:
      c.authorization === null
        ? null
        : {
            receivedAt: c.authorization.receivedAt,
            expiresAt: c.authorization.expiresAt,
            sentAt: c.authorization.exchangeStartedAt,
          },
    tokens: t === null ? null : tokenFacts(t, optional(t.refreshReceivedAt) ?? null),
    handedOffAt: c.handedOffAt,
    refreshTokenStatus: c.refreshTokenStatus,
  };
}
