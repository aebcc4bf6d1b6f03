/**
 * Automatic refresh: off by default, per connection, a set time before the access token expires.
 * Planning is a pure function of the stored connection; the scheduler only keeps one timer per
 * connection. Every tab schedules; the refresh lock and the adopt-if-changed rule make sure only
 * one of them spends the refresh token.
 */
import { custom } from "../providers/custom.ts";
import { findRecipe } from "../providers/index.ts";
import type { Recipe } from "../providers/types.ts";
import type { Connection } from "./records.ts";
import { rateLimitWait } from "./refresh-limit.ts";

export type AutoRefreshPlan =
  | { readonly kind: "at"; readonly at: number; readonly why: string }
  | { readonly kind: "off"; readonly why: string };

/** Never plan refreshes closer together than this, whatever a provider's lifetimes say. */
export const MIN_SPACING_MS = 10_000;

/** When this connection should next be refreshed automatically, or why it should not. */
export function planAutoRefresh(connection: Connection, recipe: Recipe, now: number): AutoRefreshPlan {
  if (!connection.settings.autoRefresh) return { kind: "off", why: "Auto-refresh is off." };
  if (connection.handedOffAt !== null) return { kind: "off", why: "Handed off to a server." };
  const tokens = connection.tokenSet;
  if (tokens?.refreshToken == null) return { kind: "off", why: "There is no refresh token." };
  if (connection.refreshTokenStatus === "dead") return { kind: "off", why: "The refresh token is dead." };
  if (connection.refreshTokenStatus === "unknown" || connection.inFlight !== null) {
    return { kind: "off", why: "The last refresh's outcome is unknown: a person decides what happens next." };
  }
  if (tokens.refreshExpiresAt !== null && tokens.refreshExpiresAt <= now) {
    return { kind: "off", why: "The refresh token has expired." };
  }
  if (tokens.accessExpiresAt === null) return { kind: "off", why: "The access token states no expiry." };
  // A lead longer than half the token's life would refresh again right after each refresh.
  const lifetime = tokens.accessExpiresAt - tokens.receivedAt;
  const lead = Math.min(connection.settings.autoRefreshLeadSeconds * 1000, lifetime / 2);
  let at = tokens.accessExpiresAt - lead;
  let why = `${Math.round(lead / 1000)} s before the access token expires`;
  const waited = now + rateLimitWait(connection, recipe, now);
  if (waited > at) {
    at = waited;
    why = "when the provider's rate limit allows";
  }
  const last = connection.recentRefreshes[connection.recentRefreshes.length - 1];
  if (last !== undefined && at < last + MIN_SPACING_MS) at = last + MIN_SPACING_MS;
  return { kind: "at", at: Math.max(at, now), why };
}

export interface AutoRefresherDeps {
  readonly now: () => number;
  readonly setTimer: (fn: () => void, ms: number) => unknown;
  readonly clearTimer: (timer: unknown) => void;
  /** Refreshes with `trigger: "auto"`, expecting the refresh token the plan was made for. */
  readonly refresh: (connectionId: string, expectedRefreshToken: string) => Promise<unknown>;
}

/** Keeps one timer per connection whose plan says when; call `update` whenever connections change. */
export function createAutoRefresher(deps: AutoRefresherDeps) {
  const timers = new Map<string, { timer: unknown; at: number; token: string }>();
  const cancel = (id: string) => {
    const current = timers.get(id);
    if (current !== undefined) deps.clearTimer(current.timer);
    timers.delete(id);
  };
  return {
    update(connections: readonly Connection[]): void {
      const seen = new Set<string>();
      for (const connection of connections) {
        seen.add(connection.id);
        const recipe = findRecipe(connection.provider) ?? custom;
        const plan = planAutoRefresh(connection, recipe, deps.now());
        const token = connection.tokenSet?.refreshToken ?? "";
        const existing = timers.get(connection.id);
        if (plan.kind === "off") {
          cancel(connection.id);
          continue;
        }
        if (existing !== undefined && existing.at === plan.at && existing.token === token) continue;
        cancel(connection.id);
        const timer = deps.setTimer(
          () => {
            timers.delete(connection.id);
            void deps.refresh(connection.id, token);
          },
          Math.max(0, plan.at - deps.now()),
        );
        timers.set(connection.id, { timer, at: plan.at, token });
      }
      for (const id of [...timers.keys()]) if (!seen.has(id)) cancel(id);
    },
    /** When each connection's next automatic refresh is due. */
    scheduled(): ReadonlyMap<string, number> {
      return new Map([...timers].map(([id, t]) => [id, t.at]));
    },
    stop(): void {
      for (const id of [...timers.keys()]) cancel(id);
    },
  };
}
