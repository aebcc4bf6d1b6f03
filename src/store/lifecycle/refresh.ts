import type { Recipe } from "../../providers/types.ts";
import type { Connection } from "../records.ts";
import { rateLimitWait } from "../refresh-limit.ts";
import { putConnection, readConnection } from "../repo.ts";
import { checkNewIdToken } from "./id-token.ts";
import { settle } from "./settle.ts";
import {
  type LifecycleDeps,
  type NotSentReason,
  orphanedInFlight,
  recipeOf,
  type StepOutcome,
  withConnectionLock,
} from "./shared.ts";

export interface RefreshOptions {
  /** The refresh token the caller saw; when storage holds another, a different tab already refreshed. */
  readonly expectedRefreshToken: string | null;
  /** The user confirmed refreshing a handed-off connection (which invalidates the server's copy). */
  readonly confirmHandedOff?: boolean;
  /** `auto` refreshes only while auto-refresh is on and nothing needs a person's judgement. */
  readonly trigger?: "user" | "auto";
}

/** Why a refresh must not be sent now, or null when it may. Checked again inside the lock. */
function refreshBlocker(
  current: Connection,
  options: RefreshOptions,
  recipe: Recipe,
  now: number,
): { reason: NotSentReason; message: string } | null {
  if (current.refreshTokenStatus === "dead") {
    return {
      reason: "dead",
      message: "The provider already refused this refresh token; it will not work again. Authorize again.",
    };
  }
  const auto = options.trigger === "auto";
  if (
    auto &&
    (!current.settings.autoRefresh || current.handedOffAt !== null || current.refreshTokenStatus !== "active")
  ) {
    return { reason: "auto_refresh_off", message: "Automatic refresh is off for this connection." };
  }
  if (
    current.handedOffAt !== null &&
    recipe.refreshPolicy !== "reusable" &&
    options.confirmHandedOff !== true
  ) {
    return {
      reason: "needs_confirmation",
      message:
        "This refresh token was handed off to a server. A refresh here replaces it, and the server's copy stops working. Confirm to refresh anyway.",
    };
  }
  const wait = rateLimitWait(current, recipe, now);
  if (wait > 0) {
    return {
      reason: "rate_limited",
      message: `The provider limits refreshes; the next one is allowed in ${Math.ceil(wait / 1000)} s.`,
    };
  }
  return null;
}

/**
 * Refreshes the connection's access token through the relay, one refresh per connection at a time
 * across tabs (a Web Lock). Inside the lock the stored connection is read again: when another tab
 * already replaced the refresh token, this one adopts that result instead of spending the new token;
 * when a previous holder died mid-request, its outcome is recorded as unknown and nothing is resent.
 * A new ID token in the answer is checked once the lock is released.
 */
export async function refreshConnection(
  deps: LifecycleDeps,
  connectionId: string,
  options: RefreshOptions,
): Promise<StepOutcome> {
  const run = async (): Promise<StepOutcome> => {
    const now = deps.now();
    const claimed = await deps.db.tx(
      "readwrite",
      async (store): Promise<StepOutcome | { send: Connection; token: string }> => {
        const current = await readConnection(store, connectionId);
        if (current === undefined)
          return { kind: "not_sent", reason: "forgotten", message: "This connection was forgotten." };
        const refreshToken = current.tokenSet?.refreshToken ?? null;
        if (refreshToken === null) {
          return {
            kind: "not_sent",
            reason: "no_refresh_token",
            message: "This connection has no refresh token.",
          };
        }
        if (options.expectedRefreshToken !== null && refreshToken !== options.expectedRefreshToken) {
          // Another tab refreshed while this one waited for the lock: its result is already stored.
          return { kind: "done", connection: current };
        }
        if (current.inFlight !== null) {
          // We hold the lock, so whoever sent that request is gone: its answer will never be stored.
          const next = orphanedInFlight(current, now);
          putConnection(store, next.connection, next.events);
          return { kind: "done", connection: next.connection };
        }
        const recipe = recipeOf(current.provider);
        const blocker = refreshBlocker(current, options, recipe, now);
        if (blocker !== null) return { kind: "not_sent", ...blocker };
        const window = (recipe.refreshRateLimit?.perSeconds ?? 60) * 1000;
        const next: Connection = {
          ...current,
          inFlight: { grantType: "refresh_token", startedAt: now },
          recentRefreshes: [...current.recentRefreshes.filter((t) => now - t < window), now],
          updatedAt: now,
          revision: current.revision + 1,
        };
        putConnection(store, next, []);
        return { send: next, token: refreshToken };
      },
    );
    if (!("send" in claimed)) {
      if (claimed.kind === "done") deps.notify?.(connectionId);
      return claimed;
    }
    const result = await deps.relay.token({
      client: claimed.send.clientId,
      grant_type: "refresh_token",
      refresh_token: claimed.token,
    });
    return settle(deps, connectionId, "refresh_token", result, claimed.token);
  };
  // Outside the lock: reading the issuer's keys must not hold up another tab's refresh.
  return checkNewIdToken(deps, await withConnectionLock(deps, connectionId, run));
}
