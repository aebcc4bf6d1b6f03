/** What state a connection is in at a given instant, for lists and badges. */
import type { ConnectionEvent } from "./records.ts";
import type { ConnectionSummary } from "./summary.ts";

export type ConnectionStatus =
  | "awaiting-exchange"
  | "valid"
  | "expiring"
  | "expired"
  | "dead"
  | "unknown"
  | "failed"
  | "handed-off";

/** An access token with less than this share of its lifetime left is "expiring". */
const EXPIRING_SHARE = 0.2;

/**
 * The state a connection is in at `now`, from its summary (what the list holds); for a whole record,
 * `connectionStatus` in summary.ts gives the same answer.
 */
export function statusOf(
  connection: Pick<ConnectionSummary, "tokens" | "exchangeStarted" | "refreshTokenStatus" | "handedOffAt">,
  now: number,
): ConnectionStatus {
  const tokens = connection.tokens;
  if (tokens === null) return connection.exchangeStarted ? "failed" : "awaiting-exchange";
  if (connection.refreshTokenStatus === "unknown") return "unknown";
  if (connection.refreshTokenStatus === "dead") return "dead";
  // The server holds the refresh token now; what the access token here does matters less.
  if (connection.handedOffAt !== null) return "handed-off";
  if (!tokens.hasAccessToken) return "expired";
  const accessLeft = tokens.accessExpiresAt === null ? null : tokens.accessExpiresAt - now;
  const accessExpired = accessLeft !== null && accessLeft <= 0;
  const refreshUsable =
    tokens.hasRefreshToken &&
    connection.refreshTokenStatus === "active" &&
    (tokens.refreshExpiresAt === null || tokens.refreshExpiresAt > now);
  if (accessExpired) return refreshUsable ? "expired" : "dead";
  if (accessLeft !== null && tokens.accessExpiresAt !== null) {
    const lifetime = tokens.accessExpiresAt - tokens.receivedAt;
    if (accessLeft < lifetime * EXPIRING_SHARE) return "expiring";
  }
  return "valid";
}

/**
 * Whether a history shows the refresh token revoked here (rather than refused by the provider): a
 * `revoked` event carries a refresh token's fingerprint only when the refresh token was the one ended.
 */
export function refreshTokenRevoked(
  events: readonly Pick<ConnectionEvent, "type" | "refreshTokenFingerprint">[],
): boolean {
  return events.some((e) => e.type === "revoked" && e.refreshTokenFingerprint !== null);
}

/** A status in words a person understands at a glance. */
export const STATUS_TEXT: Readonly<Record<ConnectionStatus, string>> = {
  "awaiting-exchange": "Code received, not exchanged",
  valid: "Valid",
  expiring: "Expiring soon",
  expired: "Access token expired; refresh to continue",
  dead: "Dead: authorize again",
  unknown: "Outcome of the last refresh unknown",
  failed: "Exchange failed",
  "handed-off": "Handed off to a server",
};
