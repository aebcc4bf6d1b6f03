/**
 * The support desk's explainer: for a failed token request, the likely causes ranked with the local
 * evidence for and against each (code age, the redirect URI sent, whether the refresh token was
 * superseded, scopes, hand-off, clock skew from `Date` headers, the identity probe). It extends
 * explain.ts's one-line explanation, which stays the connection page's summary. Pure: no DOM.
 * This file keeps the table, which causes can explain which failure, and the ranking, so the order
 * is judged in one place; each family of causes lives in causes/ under its own name, and everything
 * exported before is re-exported here so importers need not know of the split.
 */

import {
  breaksRules,
  grantNotEnabled,
  notRegistered,
  otherClient,
  scopeMismatch,
  wrongAuthMethod,
  wrongEnvironment,
  wrongSecret,
} from "./causes/client.ts";
import { codeExpired, codeUsed, pkceMismatch, redirectChanged } from "./causes/code.ts";
import type { CauseContext, CauseId, CauseSpec, FailureKind, RankedCause } from "./causes/context.ts";
import { iso } from "./causes/context.ts";
import { providerLimit, requestMalformed, sharedLimit, skew } from "./causes/limits-and-requests.ts";
import {
  handoffEvidence,
  probeEvidence,
  refreshExpired,
  refreshRevoked,
  refreshUsed,
  supersededEvidence,
} from "./causes/refresh-token.ts";

export type { CauseContext, CauseId, Evidence, FailureKind, RankedCause } from "./causes/context.ts";
export {
  classifyFailure,
  clockSkew,
  FAILURE_KINDS,
  FAILURE_NAMES,
  SKEW_THRESHOLD_MS,
  spell,
} from "./causes/context.ts";

const CAUSES: Readonly<Record<CauseId, CauseSpec>> = {
  refresh_token_used: {
    title: "The refresh token was already used",
    next: "It will not work again. Find whoever holds the newest refresh token (a server, another tab), or authorize again.",
    build: refreshUsed,
  },
  refresh_token_revoked: {
    title: "The grant was revoked",
    next: "The user removed the app's access, changed password or the provider revoked it: authorize again.",
    build: refreshRevoked,
  },
  refresh_token_expired: {
    title: "The refresh token expired",
    next: "Authorize again, and refresh before the stated expiry from then on.",
    build: refreshExpired,
  },
  token_for_other_client: {
    title: "The token belongs to another client",
    next: "Use the relay client whose client_id the token was issued to.",
    build: otherClient,
  },
  scope_mismatch: {
    title: "The scopes do not match the grant",
    next: "Refresh without a scope parameter, or authorize again with the scopes needed.",
    build: scopeMismatch,
  },
  code_expired: {
    title: "The authorization code expired",
    next: "Authorize again and exchange the new code at once.",
    build: codeExpired,
  },
  code_used: {
    title: "The authorization code was already used",
    next: "A code works once (a second use may revoke the tokens of the first): authorize again.",
    build: codeUsed,
  },
  redirect_uri_changed: {
    title: "The redirect URI differs from the authorization request's",
    next: "Exchange with exactly the redirect URI the authorization request used.",
    build: redirectChanged,
  },
  pkce_mismatch: {
    title: "The PKCE verifier does not match",
    next: "Authorize again from this browser, so the code and its verifier belong together.",
    build: pkceMismatch,
  },
  clock_skew: {
    title: "Clocks disagree",
    next: "Fix the clock that is wrong (the provider's Date header is usually right); meanwhile act well within lifetimes.",
    build: skew,
  },
  wrong_client_secret: {
    title: "The client credentials are wrong",
    next: "Check client_id and client_secret in the relay's TOKENDESK_CLIENTS against the app's registration (a rotated secret is a common cause).",
    build: wrongSecret,
  },
  wrong_auth_method: {
    title: "The client authenticates the wrong way",
    next: "Set token_endpoint_auth_method to what the provider expects.",
    build: wrongAuthMethod,
  },
  wrong_environment: {
    title: "Production and sandbox are mixed up",
    next: "Use a client, code and tokens from the same environment.",
    build: wrongEnvironment,
  },
  grant_not_enabled: {
    title: "The app's registration does not allow this grant",
    next: "Enable the grant (or expiring tokens with refresh) in the app's settings at the provider.",
    build: grantNotEnabled,
  },
  redirect_uri_not_registered: {
    title: "The redirect URI is not registered exactly",
    next: "Register the redirect URI at the provider byte for byte (scheme, host, port, path, trailing slash).",
    build: notRegistered,
  },
  redirect_uri_breaks_rules: {
    title: "The redirect URI breaks the provider's rules",
    next: "Serve tokendesk where the redirect URI meets the provider's rules (https, no query).",
    build: breaksRules,
  },
  provider_rate_limit: {
    title: "The provider's rate limit was reached",
    next: "Wait as long as Retry-After says, then send one request; refreshing repeatedly makes it worse.",
    build: providerLimit,
  },
  request_malformed: {
    title: "The request is malformed",
    next: "Compare the request as sent with the provider's documentation; its error_description, when it gives one, names the parameter.",
    build: requestMalformed,
  },
  shared_rate_limit: {
    title: "Someone else is using the same limit",
    next: "Find the other caller (a server holding the same connection) and make it refresh only when its access token expires.",
    build: sharedLimit,
  },
};

/** Which causes can explain which failure, per grant, in their default order. */
function candidates(kind: FailureKind, grant: CauseContext["grantType"]): CauseId[] {
  const refresh = grant === "refresh_token";
  switch (kind) {
    case "invalid_grant":
      return refresh
        ? [
            "refresh_token_used",
            "refresh_token_revoked",
            "refresh_token_expired",
            "token_for_other_client",
            "scope_mismatch",
            "wrong_environment",
          ]
        : [
            "code_expired",
            "code_used",
            "redirect_uri_changed",
            "pkce_mismatch",
            "clock_skew",
            "wrong_environment",
          ];
    case "invalid_client":
      return [
        "wrong_client_secret",
        "wrong_environment",
        "wrong_auth_method",
        ...(refresh ? (["token_for_other_client"] as const) : []),
      ];
    case "unauthorized_client":
      return [
        "grant_not_enabled",
        "token_for_other_client",
        "wrong_environment",
        ...(refresh ? (["scope_mismatch"] as const) : []),
      ];
    case "redirect_uri_mismatch":
      return ["redirect_uri_not_registered", "redirect_uri_breaks_rules", "redirect_uri_changed"];
    case "rate_limited":
      return ["provider_rate_limit", "shared_rate_limit"];
    case "invalid_request":
      return refresh
        ? ["refresh_token_revoked", "refresh_token_expired", "refresh_token_used", "request_malformed"]
        : ["request_malformed", "pkce_mismatch", "redirect_uri_changed"];
    case "html_401":
      return refresh
        ? ["wrong_client_secret", "refresh_token_used", "wrong_environment", "wrong_auth_method"]
        : [
            "wrong_client_secret",
            "code_used",
            "code_expired",
            "clock_skew",
            "wrong_environment",
            "wrong_auth_method",
          ];
    case "other":
      return [];
  }
}

/** Points one piece of evidence moves a cause: for, strongly; against, enough to drop it below others. */
const SUPPORT = 50;
const AGAINST = -30;

/**
 * The likely causes of a failure, likeliest first, each with the local evidence for and against it.
 * Causes with nothing pointing to them keep their usual order; evidence moves them up or down.
 */
export function rankCauses(kind: FailureKind, ctx: CauseContext): RankedCause[] {
  const ids = candidates(kind, ctx.grantType);
  const ranked: RankedCause[] = [];
  ids.forEach((id, index) => {
    const spec = CAUSES[id];
    const built = spec.build(ctx);
    if (built === null) return;
    const weight =
      built.base -
      index +
      built.evidence.reduce((sum, e) => sum + (e.background ? 0 : e.supports ? SUPPORT : AGAINST), 0);
    // Clock skew is a cause only when the clocks do disagree.
    if (id === "clock_skew" && !built.evidence.some((e) => e.supports)) return;
    ranked.push({ id, title: spec.title, evidence: built.evidence, next: spec.next, weight });
  });
  return ranked.sort((a, b) => b.weight - a.weight);
}

/** What local evidence says about a refresh token's state, before anyone spends it. */
export type RefreshTokenState = "spent" | "expired" | "probably-usable" | "unknown";

/** The refresh token's likely state from the same context, with the reasons, without sending anything. */
export function assessRefreshToken(
  ctx: CauseContext,
  now: number,
): { readonly state: RefreshTokenState; readonly because: readonly string[] } {
  const spent = [...supersededEvidence(ctx), ...probeEvidence(ctx)].filter((e) => e.supports);
  if (spent.length > 0) return { state: "spent", because: spent.map((e) => e.text) };
  const expiresAt = ctx.refreshToken?.expiresAt ?? null;
  if (expiresAt !== null && expiresAt <= now) {
    return { state: "expired", because: [`It expired at ${iso(expiresAt)}.`] };
  }
  const handoff = handoffEvidence(ctx).map((e) => e.text);
  const unspent = probeEvidence(ctx).filter((e) => !e.supports);
  if (unspent.length > 0) {
    return { state: "probably-usable", because: [...unspent.map((e) => e.text), ...handoff] };
  }
  return {
    state: "unknown",
    because: [
      ...handoff,
      "Nothing local shows it spent; only the provider knows for sure, and asking it (a refresh) spends it.",
    ],
  };
}
