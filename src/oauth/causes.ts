/**
 * The support desk's explainer: for a failed token request, the likely causes ranked with the local
 * evidence for and against each (code age, the redirect URI sent, whether the refresh token was
 * superseded, scopes, hand-off, clock skew from `Date` headers, the identity probe). It extends
 * explain.ts's one-line explanation, which stays the connection page's summary. Pure: no DOM.
 */
import type { Recipe } from "../providers/types.ts";
import { retryAfterSeconds } from "./explain.ts";
import { parseBody } from "./token-set.ts";

/** The failures the explainer ranks causes for; `other` gets explain.ts's plain explanation only. */
export type FailureKind =
  | "invalid_grant"
  | "invalid_client"
  | "unauthorized_client"
  | "redirect_uri_mismatch"
  | "rate_limited"
  | "html_401"
  | "invalid_request"
  | "other";

export const FAILURE_KINDS: readonly Exclude<FailureKind, "other">[] = [
  "invalid_grant",
  "invalid_client",
  "unauthorized_client",
  "redirect_uri_mismatch",
  "rate_limited",
  "html_401",
  "invalid_request",
];

/** How each failure is named to a person. */
export const FAILURE_NAMES: Readonly<Record<FailureKind, string>> = {
  invalid_grant: "invalid_grant",
  invalid_client: "invalid_client",
  unauthorized_client: "unauthorized_client",
  redirect_uri_mismatch: "redirect_uri_mismatch",
  rate_limited: "429 Too Many Requests",
  html_401: "401 with an HTML or text page (no OAuth error)",
  invalid_request: "invalid_request",
  other: "another answer",
};

/** Names the failure in a token endpoint's answer (RFC 6749 §5.2; FreeAgent's HTML 401; 429). */
export function classifyFailure(answer: {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}): { readonly kind: FailureKind; readonly error: string | null; readonly description: string | null } {
  const parsed = parseBody(answer.body, answer.headers["content-type"]);
  const error = typeof parsed?.error === "string" ? parsed.error : null;
  const description = typeof parsed?.error_description === "string" ? parsed.error_description : null;
  if (answer.status === 429) return { kind: "rate_limited", error, description };
  if (error !== null) {
    const kind = (FAILURE_KINDS as readonly string[]).includes(error) ? (error as FailureKind) : "other";
    return { kind, error, description };
  }
  if (answer.status === 401) return { kind: "html_401", error: null, description: null };
  return { kind: "other", error: null, description: null };
}

/** Everything local the ranking can use; every field optional, since a paste may say little. */
export interface CauseContext {
  readonly grantType: "authorization_code" | "refresh_token";
  readonly recipe: Recipe;
  /** When the failing request was sent, page clock. */
  readonly sentAt?: number | null;
  /** The failing answer's headers (Retry-After, WWW-Authenticate). */
  readonly headers?: Readonly<Record<string, string>>;
  /** For a code exchange: when the code arrived, when the recipe says it expires, and earlier sends. */
  readonly code?: {
    readonly receivedAt: number;
    readonly expiresAt: number | null;
    /** A previous exchange of the same code, if history shows one. */
    readonly earlierExchangeAt: number | null;
  } | null;
  /** The redirect URI in the token request, in the authorization request, and the relay's list. */
  readonly redirectUri?: {
    readonly sent: string | null;
    readonly authorized: string | null;
    readonly configured: readonly string[];
  } | null;
  /** Whether the token request carried a PKCE `code_verifier`. */
  readonly verifierSent?: boolean | null;
  /** What history knows about the refresh token that was refused. */
  readonly refreshToken?: {
    readonly fingerprint: string | null;
    /** When a refresh replaced it (this browser's history), and by which fingerprint. */
    readonly supersededAt: number | null;
    readonly supersededBy: string | null;
    readonly expiresAt: number | null;
  } | null;
  readonly handedOffAt?: number | null;
  /** The token came from an export made for a server, so a server holds a copy (time unknown). */
  readonly heldByServer?: boolean;
  readonly scope?: {
    readonly requested: string | null;
    readonly granted: string | null;
    /** The `scope` a refresh asked for, if any. */
    readonly sentOnRefresh: string | null;
  } | null;
  /** The provider's clock minus the page's, from `Date` headers (ms); positive: provider ahead. */
  readonly clockSkewMs?: number | null;
  /** The identity probe's answer for the access token that came with this refresh token. */
  readonly probe?: {
    readonly status: number;
    readonly at: number;
    readonly accessExpiresAt: number | null;
  } | null;
  /** Refresh requests sent from this browser recently (page clock). */
  readonly recentRefreshes?: readonly number[];
  /** The export's client against the relay client used, when they differ. */
  readonly clientMismatch?: {
    readonly exportedClientId: string;
    readonly relayClient: string;
    readonly relayClientId: string;
  } | null;
  /** The environment of the relay client used (production, sandbox…). */
  readonly environment?: string | null;
  /** The environment the tokens come from, when the paste says (an export names it). */
  readonly tokenEnvironment?: string | null;
  /** The client authentication the relay used. */
  readonly authMethod?: "client_secret_basic" | "client_secret_post" | null;
}

export type CauseId =
  | "refresh_token_used"
  | "refresh_token_revoked"
  | "refresh_token_expired"
  | "token_for_other_client"
  | "scope_mismatch"
  | "code_expired"
  | "code_used"
  | "redirect_uri_changed"
  | "pkce_mismatch"
  | "clock_skew"
  | "wrong_client_secret"
  | "wrong_auth_method"
  | "wrong_environment"
  | "grant_not_enabled"
  | "redirect_uri_not_registered"
  | "redirect_uri_breaks_rules"
  | "provider_rate_limit"
  | "shared_rate_limit"
  | "request_malformed";

/** One piece of local evidence, for or against a cause. */
export interface Evidence {
  readonly supports: boolean;
  readonly text: string;
  /** A fact about the provider rather than about this token: shown, but it moves nothing. */
  readonly background?: boolean;
}

export interface RankedCause {
  readonly id: CauseId;
  readonly title: string;
  readonly evidence: readonly Evidence[];
  readonly next: string;
  /** Higher is likelier; only the order is meant for people. */
  readonly weight: number;
}

/** Milliseconds in words: "4 min 10 s", "2 h 5 min", "3 days". */
export function spell(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 === 0 ? "" : ` ${s % 60} s`}`;
  if (s < 172_800) {
    const m = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)} h${m === 0 ? "" : ` ${m} min`}`;
  }
  return `${Math.floor(s / 86_400)} days`;
}

function iso(at: number): string {
  return new Date(at).toISOString().replace(/\.\d+Z$/, "Z");
}

function scopes(value: string | null | undefined): string[] {
  return (value ?? "").split(/[\s,+]+/).filter((s) => s !== "");
}

/** Clock skew worth naming: a `Date` header has one-second resolution and the trip takes time. */
export const SKEW_THRESHOLD_MS = 30_000;

/**
 * The provider's clock minus the page's, from answers' `Date` headers (RFC 9110 §6.6.1), each taken
 * against the middle of its round trip; the median, so one slow answer does not decide it.
 */
export function clockSkew(
  answers: ReadonlyArray<{
    readonly receivedAt: number;
    readonly ms: number;
    readonly headers: Readonly<Record<string, string>>;
  }>,
): number | null {
  const samples = answers
    .map((a) => {
      const date = Date.parse(a.headers.date ?? a.headers.Date ?? "");
      return Number.isNaN(date) ? null : date - (a.receivedAt - a.ms / 2);
    })
    .filter((s): s is number => s !== null)
    .sort((a, b) => a - b);
  if (samples.length === 0) return null;
  return samples[Math.floor(samples.length / 2)] ?? null;
}

type Builder = (ctx: CauseContext) => { base: number; evidence: Evidence[] } | null;

const isRefresh = (ctx: CauseContext) => ctx.grantType === "refresh_token";

/** History: a later refresh replaced this refresh token. */
function supersededEvidence(ctx: CauseContext): Evidence[] {
  const rt = ctx.refreshToken;
  if (rt?.supersededAt == null) return [];
  return [
    {
      supports: true,
      text: `This browser's history shows refresh token ${rt.fingerprint ?? "?"} replaced by ${rt.supersededBy ?? "a new one"} at ${iso(rt.supersededAt)}: it was already spent.`,
    },
  ];
}

/** The probe: an access token refused before its expiry, at a provider that ends it on refresh. */
function probeEvidence(ctx: CauseContext): Evidence[] {
  const probe = ctx.probe;
  if (probe == null) return [];
  const ends = ctx.recipe.refreshEndsAccessToken === true;
  if (probe.status === 401 && probe.accessExpiresAt !== null && probe.accessExpiresAt > probe.at) {
    return [
      ends
        ? {
            supports: true,
            text: `The identity endpoint refused the access token issued with it ${spell(probe.accessExpiresAt - probe.at)} before that token's expiry; ${ctx.recipe.name} ends the previous access token when anyone refreshes, so a refresh has happened since.`,
          }
        : {
            supports: true,
            text: "The identity endpoint refused the access token issued with it before that token's expiry: the grant changed since it was issued.",
          },
    ];
  }
  if (probe.status >= 200 && probe.status < 300 && ends) {
    return [
      {
        supports: false,
        text: `The access token issued with it still works, and ${ctx.recipe.name} ends it on every refresh: no refresh has happened since.`,
      },
    ];
  }
  return [];
}

/** The hand-off: a server holds a copy and may have spent it. */
function handoffEvidence(ctx: CauseContext): Evidence[] {
  if (ctx.recipe.refreshPolicy === "reusable") return [];
  if (ctx.handedOffAt != null) {
    return [
      {
        supports: true,
        text: `It was handed off to a server at ${iso(ctx.handedOffAt)}: if that server refreshed, this copy is spent.`,
      },
    ];
  }
  if (ctx.heldByServer === true) {
    return [
      {
        supports: true,
        text: "It comes from an export made for a server: if that server refreshed, this copy is spent.",
      },
    ];
  }
  return [];
}

/** Evidence that the refresh token was already spent: history, the probe, the hand-off. */
const refreshUsed: Builder = (ctx) => {
  const policy = ctx.recipe.refreshPolicy;
  const base = policy === "single-use" ? 45 : policy === "rotating" ? 40 : policy === "reusable" ? 8 : 0;
  const evidence: Evidence[] = [];
  if (policy === "single-use" || policy === "rotating") {
    evidence.push({
      supports: true,
      background: true,
      text: `${ctx.recipe.name} refresh tokens are ${policy}: each one works ${policy === "single-use" ? "exactly once" : "until the next refresh"}.`,
    });
  }
  evidence.push(...supersededEvidence(ctx), ...probeEvidence(ctx), ...handoffEvidence(ctx));
  return { base, evidence };
};

const refreshRevoked: Builder = (ctx) => {
  const reusable = ctx.recipe.refreshPolicy === "reusable";
  const evidence: Evidence[] = [];
  const probe = ctx.probe;
  if (probe != null && probe.status === 401 && !ctx.recipe.refreshEndsAccessToken) {
    evidence.push({
      supports: true,
      text: "The identity endpoint refuses the access token too: the user may have removed the app's access.",
    });
  }
  if (probe != null && probe.status >= 200 && probe.status < 300) {
    evidence.push({
      supports: false,
      text: "The identity endpoint still accepts the access token issued with it: the grant is not revoked.",
    });
  }
  return { base: reusable ? 40 : 20, evidence };
};

const refreshExpired: Builder = (ctx) => {
  const rt = ctx.refreshToken;
  const at = ctx.sentAt ?? null;
  const evidence: Evidence[] = [];
  if (rt?.expiresAt != null && at !== null) {
    evidence.push(
      rt.expiresAt <= at
        ? {
            supports: true,
            text: `It expired at ${iso(rt.expiresAt)}, ${spell(at - rt.expiresAt)} before the refresh was sent.`,
          }
        : { supports: false, text: `By its stated lifetime it is valid until ${iso(rt.expiresAt)}.` },
    );
  } else if (ctx.recipe.lifetimes.refresh.seconds === null && ctx.recipe.lifetimes.refresh.confirmed) {
    evidence.push({
      supports: false,
      text: `${ctx.recipe.name} refresh tokens have no fixed lifetime${ctx.recipe.lifetimes.refresh.note ? ` (${ctx.recipe.lifetimes.refresh.note})` : ""}.`,
    });
  }
  return { base: 12, evidence };
};

const otherClient: Builder = (ctx) => {
  const m = ctx.clientMismatch;
  const evidence: Evidence[] = [];
  if (m != null) {
    evidence.push({
      supports: true,
      text: `It was exported for client_id "${m.exportedClientId}", but the relay client "${m.relayClient}" has client_id "${m.relayClientId}": tokens belong to the client they were issued to.`,
    });
  }
  return { base: ctx.grantType === "refresh_token" ? 8 : 4, evidence };
};

const scopeMismatch: Builder = (ctx) => {
  const s = ctx.scope;
  const evidence: Evidence[] = [];
  const granted = scopes(s?.granted);
  if (s?.sentOnRefresh) {
    const extra = scopes(s.sentOnRefresh).filter((x) => !granted.includes(x));
    if (s.granted !== null && extra.length > 0) {
      evidence.push({
        supports: true,
        text: `The refresh asked for ${extra.map((x) => `"${x}"`).join(", ")}, which the grant does not have (granted: "${s.granted}").`,
      });
    }
  }
  const missing = (ctx.recipe.scope.mustInclude ?? []).filter(
    (x) => s?.granted != null && !granted.includes(x),
  );
  if (missing.length > 0 && isRefresh(ctx)) {
    evidence.push({
      supports: true,
      text: `The granted scope "${s?.granted ?? ""}" lacks ${missing.join(", ")}, which ${ctx.recipe.name} needs for refresh tokens.`,
    });
  }
  const requested = scopes(s?.requested);
  const notGranted = requested.filter((x) => s?.granted != null && !granted.includes(x));
  if (notGranted.length > 0) {
    evidence.push({
      supports: true,
      text: `Requested ${notGranted.map((x) => `"${x}"`).join(", ")} but the provider granted only "${s?.granted ?? ""}".`,
    });
  }
  return { base: 3, evidence };
};

const codeExpired: Builder = (ctx) => {
  const c = ctx.code;
  const at = ctx.sentAt ?? null;
  const lifetime = ctx.recipe.lifetimes.code.seconds;
  const evidence: Evidence[] = [];
  if (c != null && at !== null) {
    const age = at - c.receivedAt;
    const limit = lifetime === null ? "" : `; ${ctx.recipe.name} codes live ${spell(lifetime * 1000)}`;
    evidence.push(
      c.expiresAt !== null && at >= c.expiresAt
        ? { supports: true, text: `The code was sent ${spell(age)} after it arrived${limit}.` }
        : c.expiresAt !== null
          ? {
              supports: false,
              text: `The code was sent ${spell(age)} after it arrived, within its lifetime${limit}.`,
            }
          : {
              supports: true,
              text: `The code was sent ${spell(age)} after it arrived; its lifetime is not known.`,
            },
    );
  }
  return { base: 30, evidence };
};

const codeUsed: Builder = (ctx) => {
  const earlier = ctx.code?.earlierExchangeAt ?? null;
  const evidence: Evidence[] =
    earlier === null
      ? ctx.code != null
        ? [{ supports: false, text: "History shows no earlier exchange of this code from this browser." }]
        : []
      : [
          {
            supports: true,
            text: `This code was already sent for exchange at ${iso(earlier)}; a code works once.`,
          },
        ];
  return { base: 28, evidence };
};

const redirectChanged: Builder = (ctx) => {
  const r = ctx.redirectUri;
  const evidence: Evidence[] = [];
  if (r?.sent != null && r.authorized != null) {
    evidence.push(
      r.sent === r.authorized
        ? {
            supports: false,
            text: `The token request sent the same redirect URI as the authorization request (${r.sent}).`,
          }
        : {
            supports: true,
            text: `The token request sent redirect_uri ${r.sent}, but the authorization request used ${r.authorized} (RFC 6749 §4.1.3: they must be identical).`,
          },
    );
  }
  return { base: 14, evidence };
};

const pkceMismatch: Builder = (ctx) => {
  const evidence: Evidence[] = [];
  if (ctx.verifierSent === false && ctx.recipe.pkce === "required") {
    evidence.push({
      supports: true,
      text: `No code_verifier was sent, and ${ctx.recipe.name} requires PKCE.`,
    });
  } else if (ctx.verifierSent === true) {
    evidence.push({
      supports: false,
      text: "The code_verifier kept with this code was sent; a mismatch would need the code to come from another authorization.",
    });
  }
  return { base: ctx.recipe.pkce === "unknown" ? 4 : 8, evidence };
};

const skew: Builder = (ctx) => {
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

const wrongSecret: Builder = (ctx) => {
  const evidence: Evidence[] = [];
  const www = ctx.headers?.["www-authenticate"];
  if (www !== undefined && /^basic/i.test(www)) {
    evidence.push({
      supports: true,
      text: `The provider answered with WWW-Authenticate: ${www}, its way of refusing the client's HTTP Basic credentials.`,
    });
  }
  return { base: 45, evidence };
};

const wrongAuthMethod: Builder = (ctx) => {
  const evidence: Evidence[] = [];
  const www = ctx.headers?.["www-authenticate"];
  if (ctx.authMethod === "client_secret_post" && www !== undefined && /^basic/i.test(www)) {
    evidence.push({
      supports: true,
      text: "The relay sent the credentials in the body, but the provider asks for HTTP Basic (WWW-Authenticate).",
    });
  }
  if (ctx.authMethod != null && ctx.authMethod !== ctx.recipe.tokenEndpointAuthMethod) {
    evidence.push({
      supports: true,
      text: `The relay used ${ctx.authMethod}; ${ctx.recipe.name} expects ${ctx.recipe.tokenEndpointAuthMethod}.`,
    });
  }
  return { base: 6, evidence };
};

const wrongEnvironment: Builder = (ctx) => {
  const names = Object.keys(ctx.recipe.environments ?? {});
  const evidence: Evidence[] = [];
  const from = ctx.tokenEnvironment ?? null;
  if (from !== null && ctx.environment != null && from !== ctx.environment) {
    evidence.push({
      supports: true,
      text: `The tokens come from ${ctx.recipe.name}'s ${from} environment, but the relay client uses ${ctx.environment}.`,
    });
  } else if (from !== null && from === ctx.environment) {
    evidence.push({ supports: false, text: `The tokens and the relay client are both ${from}.` });
  } else if (names.length > 1 && ctx.environment != null) {
    const others = names.filter((n) => n !== ctx.environment);
    evidence.push({
      supports: true,
      background: true,
      text: `${ctx.recipe.name} has separate ${names.join(" and ")} registrations; this client uses ${ctx.environment}, and credentials or tokens from ${others.join(" or ")} are refused there.`,
    });
  }
  return { base: names.length > 1 ? 10 : 0, evidence };
};

const grantNotEnabled: Builder = (ctx) => {
  if (ctx.grantType === "refresh_token" && ctx.recipe.refreshPolicy === "none") {
    return {
      base: 45,
      evidence: [
        {
          supports: true,
          text: `${ctx.recipe.name} issues no refresh tokens to this kind of app, so it refuses a refresh grant.`,
        },
      ],
    };
  }
  return {
    base: 45,
    evidence: [
      {
        supports: true,
        background: true,
        text: `The request used the ${ctx.grantType} grant${ctx.recipe.notes ? `. ${ctx.recipe.name}: ${ctx.recipe.notes}` : "."}`,
      },
    ],
  };
};

/** A configured redirect URI that differs from `sent` only by case or a trailing slash. */
function nearMiss(sent: string, configured: readonly string[]): string | undefined {
  const norm = (u: string) => u.toLowerCase().replace(/\/+$/, "");
  return configured.find((c) => c !== sent && norm(c) === norm(sent));
}

const notRegistered: Builder = (ctx) => {
  const r = ctx.redirectUri;
  const evidence: Evidence[] = [];
  if (r?.sent != null) {
    const near = nearMiss(r.sent, r.configured);
    if (near !== undefined) {
      evidence.push({
        supports: true,
        text: `${r.sent} differs from the configured ${near} only by case or a trailing slash; providers compare byte for byte.`,
      });
    } else if (r.configured.length > 0 && !r.configured.includes(r.sent)) {
      evidence.push({ supports: true, text: `${r.sent} is not among the relay's configured redirect URIs.` });
    } else {
      evidence.push({
        supports: true,
        background: true,
        text: `The relay has ${r.sent} configured; the app's registration at ${ctx.recipe.name} must list exactly the same URI.`,
      });
    }
  }
  return { base: 40, evidence };
};

const breaksRules: Builder = (ctx) => {
  const sent = ctx.redirectUri?.sent ?? ctx.redirectUri?.authorized ?? null;
  const evidence: Evidence[] = [];
  if (sent !== null) {
    let url: URL | null = null;
    try {
      url = new URL(sent);
    } catch {
      evidence.push({ supports: true, text: `${sent} is not an absolute URL.` });
    }
    if (url !== null && ctx.recipe.redirectRules.httpsOnly && url.protocol !== "https:") {
      evidence.push({
        supports: true,
        text: `${ctx.recipe.name} accepts https redirect URIs only; ${sent} is ${url.protocol.slice(0, -1)}.`,
      });
    }
    if (url !== null && ctx.recipe.redirectRules.noQuery && url.search !== "") {
      evidence.push({
        supports: true,
        text: `${ctx.recipe.name} refuses redirect URIs with a query string; ${sent} has one.`,
      });
    }
  }
  return { base: 5, evidence };
};

const providerLimit: Builder = (ctx) => {
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

const sharedLimit: Builder = (ctx) => {
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
const requestMalformed: Builder = (ctx) => {
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

interface CauseSpec {
  readonly title: string;
  readonly next: string;
  readonly build: Builder;
}

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
