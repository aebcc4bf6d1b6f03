/**
 * When a connection may next be refreshed, by its provider's rate limit. Apart from lifecycle.ts so
 * the auto-refresh planner, which every page load runs, does not pull the whole token lifecycle
 * (response parsing, error explanations, redaction) into the first screen's bundle.
 */
import type { Recipe } from "../providers/types.ts";
import type { Connection } from "./records.ts";

/** How many refreshes the recipe allows now, and when the next one is allowed. */
export function rateLimitWait(connection: Connection, recipe: Recipe, now: number): number {
  let until = connection.retryAfterUntil ?? 0;
  const limit = recipe.refreshRateLimit;
  if (limit !== null) {
    const windowMs = limit.perSeconds * 1000;
    const recent = connection.recentRefreshes.filter((t) => now - t < windowMs);
    if (recent.length >= limit.requests) {
      const oldest = recent[recent.length - limit.requests] ?? now;
      until = Math.max(until, oldest + windowMs);
    }
  }
  return Math.max(0, until - now);
}
