/**
 * What tokendesk keeps in IndexedDB. Plain data (structured-clone safe), versioned by
 * SCHEMA_VERSION in db.ts.
 */
import type { IdTokenVerdict, OriginalIdentity } from "../oauth/id-token.ts";
import type { TokenSet } from "../oauth/token-set.ts";
import type { Envelope, SentRequest } from "../relay/contract.ts";

/** State of an authorization the browser was sent away for (DESIGN.md "Pending authorization"). */
export interface PendingAuthorization {
  readonly state: string;
  readonly codeVerifier: string;
  readonly clientId: string;
  readonly provider: string;
  readonly redirectUri: string;
  readonly scope: string;
  /** Where the request went: an `iss` on the callback must equal it (RFC 9207). */
  readonly issuer: string | null;
  readonly authorizationUrl: string;
  readonly createdAt: number;
  /**
   * The nonce sent when the scope asked for an ID token; its ID token must carry it back. Absent on
   * authorizations started before tokendesk sent one (the same as null).
   */
  readonly nonce?: string | null;
}

/** A received authorization code, kept until it is exchanged (at most once). */
export interface ReceivedCode {
  readonly code: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly receivedAt: number;
  /** From the recipe's code lifetime, counted from receipt; null when the recipe states none. */
  readonly expiresAt: number | null;
  readonly iss: string | null;
  readonly extra: Readonly<Record<string, string>>;
  /** Set, and stored, before the exchange request leaves: a code is never sent twice. */
  readonly exchangeStartedAt: number | null;
  /** The nonce the authorization request carried (absent or null: none was sent). */
  readonly nonce?: string | null;
}

/**
 * What tokendesk found when it checked the connection's latest ID token (OpenID Connect Core §3.1.3.7).
 * Written with the token set as "not checked yet", then the verdict in a later write: the tokens are
 * never held back by the check, and a failed or unreachable check is a verdict, not a lost token.
 */
export interface IdTokenCheck {
  /** Which ID token: when it was received (its token set's `idTokenReceivedAt`). */
  readonly receivedAt: number;
  /** The answer that carried it. */
  readonly grantType: "authorization_code" | "refresh_token";
  /** For an ID token from a refresh: whom the connection's first one named, which it must repeat (§12.2). */
  readonly original: OriginalIdentity | null;
  /** Null until checked. */
  readonly checkedAt: number | null;
  readonly verdict: IdTokenVerdict | null;
}

/** Whether the stored refresh token is believed to work. */
export type RefreshTokenStatus = "active" | "dead" | "unknown";

/** The last HTTP exchange, kept in full (it holds no more than the token set does). */
export interface LastExchange {
  readonly at: number;
  readonly grantType: "authorization_code" | "refresh_token";
  readonly envelope: Envelope | null;
  /** The request when no envelope came back (outcome unknown). */
  readonly sent: SentRequest | null;
  readonly relayError: {
    readonly status: number | null;
    readonly error: string;
    readonly description: string;
  } | null;
}

/** Something the user should know about the connection's latest step. */
export interface Problem {
  readonly at: number;
  readonly kind: "oauth_error" | "unusable" | "refused" | "outcome_unknown" | "code_reused";
  readonly title: string;
  readonly detail: string;
  /** What to do next, in plain words. */
  readonly next: string;
}

/** Per-connection choices. */
export interface ConnectionSettings {
  /** Off by default: a tool that refreshes on its own can destroy a token a server holds. */
  readonly autoRefresh: boolean;
  /** How long before the access token expires an automatic refresh happens. */
  readonly autoRefreshLeadSeconds: number;
}

export const DEFAULT_SETTINGS: ConnectionSettings = { autoRefresh: false, autoRefreshLeadSeconds: 30 };

/**
 * A token request that has left (or is about to leave) and whose answer is not stored yet. Written
 * before the request is sent; cleared when its outcome is stored. Found set by whoever next holds
 * the connection's lock, it means the sender died mid-request: the outcome is unknown.
 */
export interface InFlight {
  readonly grantType: "authorization_code" | "refresh_token";
  readonly startedAt: number;
}

/** What a user got by authorizing a client (DESIGN.md "Connection"). */
export interface Connection {
  readonly id: string;
  readonly name: string;
  readonly clientId: string;
  readonly provider: string;
  readonly scopeRequested: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Bumped on every write, so a tab can tell a newer copy from its own. */
  readonly revision: number;
  readonly authorization: ReceivedCode | null;
  readonly tokenSet: TokenSet | null;
  readonly refreshTokenStatus: RefreshTokenStatus;
  readonly lastExchange: LastExchange | null;
  readonly problem: Problem | null;
  readonly settings: ConnectionSettings;
  /** When the refresh token was exported for a server; from then on refreshes here need confirmation. */
  readonly handedOffAt: number | null;
  readonly inFlight: InFlight | null;
  /** When refresh requests were sent recently (for the provider's rate limit); newest last. */
  readonly recentRefreshes: readonly number[];
  /** The provider asked to wait until then (429 Retry-After). */
  readonly retryAfterUntil: number | null;
  /**
   * Whom the tokens belong to, as the identity probe last named it (absent on records written before
   * the first probe; no migration needed since absent and null mean the same).
   */
  readonly account?: { readonly name: string; readonly at: number } | null;
  /**
   * The check of the token set's ID token (absent on records written before ID tokens were checked, the
   * same as null: not checked yet).
   */
  readonly idTokenCheck?: IdTokenCheck | null;
}

export type EventType =
  | "authorized"
  | "imported"
  | "exchanged"
  | "refreshed"
  | "rotated"
  | "failed"
  | "exported"
  | "settings"
  /** A token was revoked at the provider (RFC 7009); a failed revocation is `failed`. */
  | "revoked"
  /** A token was introspected (RFC 7662): a read, whatever the answer; nothing about the tokens changed. */
  | "introspected"
  /** Restored from a backup file: tokens added or replaced, or an older copy recorded as such. */
  | "restored"
  /**
   * A call to the provider's API with the access token ("Try the API"): method, URL without query
   * values, status and time; never the token or a body. Nothing about the tokens changed.
   */
  | "api";

/** One line of a connection's history. Tokens and codes appear only as fingerprints. */
export interface ConnectionEvent {
  readonly id: string;
  readonly connectionId: string;
  readonly at: number;
  readonly type: EventType;
  readonly summary: string;
  /** The HTTP exchange with every secret, code and token replaced by a fingerprint. */
  readonly exchange: Envelope | null;
  readonly refreshTokenFingerprint: string | null;
  readonly previousRefreshTokenFingerprint: string | null;
  /**
   * When the access token this event issued expires (null: the answer stated no lifetime). Absent on
   * events that issued none, and on events stored before it was recorded: the timeline then reads it
   * from the exchange's `expires_in`.
   */
  readonly accessExpiresAt?: number | null;
  /** When the refresh token this event issued or kept expires, as stated at the time (null: none stated). */
  readonly refreshExpiresAt?: number | null;
}
