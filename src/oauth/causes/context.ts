/**
 * The vocabulary every cause shares: the failures the explainer ranks, the local context a paste or
 * history can supply, the evidence and ranked-cause shapes, and the small wording and clock helpers.
 * It sits apart from the families of causes so that each family depends on it alone and none on
 * another, which is what lets a family be read, or changed, without the others. Pure: no DOM.
 */
import type { Recipe } from "../../providers/types.ts";
import { parseBody } from "../token-set.ts";

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

export function iso(at: number): string {
  return new Date(at).toISOString().replace(/\.\d+Z$/, "Z");
}

export function scopes(value: string | null | undefined): string[] {
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

/** A family's builder: its usual base weight and the local evidence; null leaves the cause out. */
export type Builder = (ctx: CauseContext) => { base: number; evidence: Evidence[] } | null;

export const isRefresh = (ctx: CauseContext) => ctx.grantType === "refresh_token";

/** A cause as the table holds it: how it is named, what to do next, and how to weigh it. */
export interface CauseSpec {
  readonly title: string;
  readonly next: string;
  readonly build: Builder;
}
