/**
 * Causes about the traffic rather than the token or the client: a rate limit reached alone or shared
 * with another caller, clocks that disagree, and a request the server calls malformed. None of them is
 * fixed by authorizing again, which is why they are kept apart from the token's and the client's causes.
 */
import { retryAfterSeconds } from "../explain.ts";
import { type Builder, type Evidence, iso, isRefresh, SKEW_THRESHOLD_MS, spell } from "./context.ts";

export const skew: Builder = (ctx) => {
  const s = ctx.clockSkewMs ?? null;
  if (s === null) return { base: 0, evidence: [] };
  const big = Math.abs(s) >= SKEW_THRESHOLD_MS;
  const code = ctx.grantType === "authorization_code";
  return {
    base: 0,
    evidence: [
      big
        ? {
            supports: true,
            text: `The provider's Date headers are ${spell(s)} ${s > 0 ? "ahead of" : "behind"} this browser's clock${code && s > 0 ? ": by the provider's clock the code was that much older" : ""}; lifetimes judged on one clock and counted on the other disagree.`,
          }
        : {
            supports: false,
            text: `The provider's clock agrees with this browser's (within ${spell(SKEW_THRESHOLD_MS)}).`,
          },
    ],
  };
};
export const providerLimit: Builder = (ctx) => {
  const evidence: Evidence[] = [];
  const wait = ctx.headers === undefined ? null : retryAfterSeconds(ctx.headers, ctx.sentAt ?? Date.now());
  if (wait !== null)
    evidence.push({ supports: true, text: `The provider asks to wait ${wait} s (Retry-After).` });
  const limit = ctx.recipe.refreshRateLimit;
  const at = ctx.sentAt ?? null;
  if (limit !== null && at !== null && ctx.recentRefreshes !== undefined) {
    const n = ctx.recentRefreshes.filter((t) => at - t < limit.perSeconds * 1000 && t <= at).length;
    evidence.push({
      supports: n >= limit.requests,
      text: `This browser sent ${n} refresh${n === 1 ? "" : "es"} in the ${limit.perSeconds} s before it; ${ctx.recipe.name} allows ${limit.requests}${limit.confirmed ? "" : " (unconfirmed figure)"}.`,
    });
  }
  return { base: 45, evidence };
};

export const sharedLimit: Builder = (ctx) => {
  const evidence: Evidence[] = [];
  if (ctx.handedOffAt != null) {
    evidence.push({
      supports: true,
      text: `It was handed off to a server at ${iso(ctx.handedOffAt)}; a provider that limits per user or per app counts that server's requests too.`,
    });
  }
  const limit = ctx.recipe.refreshRateLimit;
  const at = ctx.sentAt ?? null;
  if (limit !== null && at !== null && ctx.recentRefreshes !== undefined) {
    const n = ctx.recentRefreshes.filter((t) => at - t < limit.perSeconds * 1000 && t <= at).length;
    if (n < limit.requests) {
      evidence.push({
        supports: true,
        text: `This browser alone stayed under the limit (${n} of ${limit.requests}): other requests for the same user or app used the rest.`,
      });
    }
  }
  return { base: 25, evidence };
};

/**
 * The request itself is malformed (RFC 6749 §5.2 invalid_request). A refresh carries little to get
 * wrong, and some servers (LemonLDAP::NG 2.x) answer invalid_request for a refresh token they do not
 * hold: for a refresh this ranks below the token's own causes.
 */
export const requestMalformed: Builder = (ctx) => {
  if (!isRefresh(ctx)) return { base: 30, evidence: [] };
  return {
    base: 5,
    evidence: [
      {
        supports: false,
        background: true,
        text: "A refresh sends only grant_type and the refresh token (a scope when asked), with the client's authentication: little a server could find malformed. Some servers answer invalid_request, where RFC 6749 §5.2 asks for invalid_grant, for a refresh token they do not hold (LemonLDAP::NG 2.x does).",
      },
    ],
  };
};
