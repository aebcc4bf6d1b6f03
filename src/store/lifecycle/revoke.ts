import { fingerprint } from "../../oauth/fingerprint.ts";
import type { RelayTokenResult } from "../../oauth/relay-client.ts";
import { readRevocation } from "../../oauth/revocation.ts";
import type { RevocationTokenType } from "../../relay/contract.ts";
import type { Connection, ConnectionEvent, Problem } from "../records.ts";
import { redactEnvelope } from "../redact.ts";
import { putConnection, readConnection } from "../repo.ts";
import {
  event,
  type LifecycleDeps,
  orphanedInFlight,
  type StepOutcome,
  withConnectionLock,
} from "./shared.ts";

export interface RevokeOptions {
  /**
   * The user confirmed. Required for a refresh token: revoking it ends it for good whatever the
   * refresh policy, and every copy with it (a server's too).
   */
  readonly confirmed?: boolean;
}

/**
 * Revokes the connection's refresh or access token at the provider (RFC 7009) through the relay,
 * under the lock refreshes take, so a revocation and a refresh never race. A 200 counts as done
 * whether the token was live or already invalid (§2.2): the refresh token is marked dead, or the
 * access token dropped. Any other answer leaves the token as it was and says why in `problem`.
 */
export async function revokeToken(
  deps: LifecycleDeps,
  connectionId: string,
  which: RevocationTokenType,
  options: RevokeOptions = {},
): Promise<StepOutcome> {
  const run = async (): Promise<StepOutcome> => {
    const now = deps.now();
    const claimed = await deps.db.tx(
      "readwrite",
      async (store): Promise<StepOutcome | { send: Connection; token: string }> => {
        const current = await readConnection(store, connectionId);
        if (current === undefined)
          return { kind: "not_sent", reason: "forgotten", message: "This connection was forgotten." };
        const token =
          which === "refresh_token" ? current.tokenSet?.refreshToken : current.tokenSet?.accessToken;
        if (token == null) {
          return which === "refresh_token"
            ? {
                kind: "not_sent",
                reason: "no_refresh_token",
                message: "This connection has no refresh token.",
              }
            : {
                kind: "not_sent",
                reason: "no_access_token",
                message: "This connection has no access token.",
              };
        }
        if (which === "refresh_token" && options.confirmed !== true) {
          return {
            kind: "not_sent",
            reason: "needs_confirmation",
            message:
              "Revoking the refresh token ends it for good, and every copy of it, a server's too. Confirm to revoke it.",
          };
        }
        if (current.inFlight !== null) {
          // As for a refresh: whoever sent that request is gone, and its outcome must be said first.
          const next = orphanedInFlight(current, now);
          putConnection(store, next.connection, next.events);
          return { kind: "done", connection: next.connection };
        }
        return { send: current, token };
      },
    );
    if (!("send" in claimed)) {
      if (claimed.kind === "done") deps.notify?.(connectionId);
      return claimed;
    }
    const result = await deps.relay.revoke({
      client: claimed.send.clientId,
      token: claimed.token,
      token_type_hint: which,
    });
    return settleRevocation(deps, connectionId, which, claimed.token, result);
  };
  return withConnectionLock(deps, connectionId, run);
}

/** Writes what a revocation came to, with its history event, then tells other tabs. */
export async function settleRevocation(
  deps: LifecycleDeps,
  connectionId: string,
  which: RevocationTokenType,
  token: string,
  result: RelayTokenResult,
): Promise<StepOutcome> {
  const at = deps.now();
  const verdict = readRevocation(result, which, at);
  const exchange = result.kind === "envelope" ? await redactEnvelope(result.envelope) : null;
  const fp = await fingerprint(token);
  const name = which === "refresh_token" ? "refresh token" : "access token";
  const written = await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) return undefined;
    let next: Connection = { ...current, updatedAt: at, revision: current.revision + 1 };
    let historyLine: ConnectionEvent;
    if (verdict.kind === "revoked") {
      const tokens = current.tokenSet;
      // Only the token that was revoked: without Web Locks another tab may have replaced it meanwhile.
      if (which === "refresh_token" && tokens?.refreshToken === token) {
        next = { ...next, refreshTokenStatus: "dead", problem: null };
      } else if (which === "access_token" && tokens?.accessToken === token) {
        next = { ...next, tokenSet: { ...tokens, accessToken: null, accessExpiresAt: null }, problem: null };
      }
      historyLine = event(
        connectionId,
        at,
        "revoked",
        `Revoked the ${name} ${fp}: the provider answered 200, which also means "already invalid" (RFC 7009 §2.2); it will not work again.`,
        { exchange, refreshTokenFingerprint: which === "refresh_token" ? fp : null },
      );
    } else {
      const problem: Problem = {
        at,
        kind:
          verdict.kind === "refused"
            ? "refused"
            : verdict.kind === "unknown"
              ? "outcome_unknown"
              : verdict.error === null
                ? "unusable"
                : "oauth_error",
        title: verdict.title,
        detail: verdict.detail,
        next: verdict.next,
      };
      next = { ...next, problem };
      historyLine = event(connectionId, at, "failed", `Revocation of the ${name} ${fp}: ${verdict.title}.`, {
        exchange,
      });
    }
    putConnection(store, next, [historyLine]);
    return next;
  });
  if (written === undefined) return { kind: "not_sent", message: "The connection was forgotten meanwhile." };
  deps.notify?.(connectionId);
  return { kind: "done", connection: written };
}
