/**
 * Which mark a history line becomes. A table by event type, so types added later (an `api` call,
 * ID-token checks) need one row, and a type this version has never heard of still shows: as a generic
 * mark that says its summary. Failures are told apart by what the provider answered, because "429",
 * "invalid_grant" and "outcome unknown" mean different things to whoever reads the picture.
 */
import type { TimelineEvent } from "./source.ts";

export type MarkKind =
  | "authorized"
  | "exchanged"
  | "refreshed"
  | "rotated"
  | "imported"
  | "exported"
  | "revoked"
  | "settings"
  | "introspected"
  | "probed"
  | "api"
  | "rate_limited"
  | "invalid_grant"
  | "outcome_unknown"
  | "refused"
  | "failed"
  | "other";

/** Shapes, so that no mark is told from another by colour alone (see shapes.ts). */
export type MarkShape =
  | "code"
  | "dot"
  | "ring"
  | "diamond"
  | "arrow-down"
  | "flag"
  | "slash"
  | "hollow-square"
  | "square"
  | "plus"
  | "triangle"
  | "cross"
  | "question"
  | "octagon"
  | "hollow-triangle"
  | "hollow-diamond"
  | "hexagon";

export interface MarkStyle {
  readonly shape: MarkShape;
  /** The legend's words, and a count's: "1 refresh", "37 refreshes". */
  readonly one: string;
  readonly many: string;
  /** Written beside the mark when there is room, so a failure reads without colour. */
  readonly tag: string | null;
  readonly failure: boolean;
}

export const MARK_STYLES: Readonly<Record<MarkKind, MarkStyle>> = {
  authorized: { shape: "code", one: "code received", many: "codes received", tag: null, failure: false },
  exchanged: { shape: "dot", one: "code exchange", many: "code exchanges", tag: null, failure: false },
  refreshed: { shape: "ring", one: "refresh", many: "refreshes", tag: null, failure: false },
  rotated: { shape: "diamond", one: "rotation", many: "rotations", tag: null, failure: false },
  imported: { shape: "arrow-down", one: "import", many: "imports", tag: null, failure: false },
  exported: { shape: "flag", one: "hand-off", many: "hand-offs", tag: "hand-off", failure: false },
  revoked: { shape: "slash", one: "revocation", many: "revocations", tag: "revoked", failure: false },
  settings: {
    shape: "hollow-square",
    one: "settings change",
    many: "settings changes",
    tag: null,
    failure: false,
  },
  introspected: {
    shape: "square",
    one: "introspection answer",
    many: "introspection answers",
    tag: null,
    failure: false,
  },
  probed: { shape: "plus", one: "probe answer", many: "probe answers", tag: null, failure: false },
  api: { shape: "hexagon", one: "API call", many: "API calls", tag: null, failure: false },
  rate_limited: {
    shape: "triangle",
    one: "429 rate limited",
    many: "429s rate limited",
    tag: "429",
    failure: true,
  },
  invalid_grant: {
    shape: "cross",
    one: "invalid_grant",
    many: "invalid_grants",
    tag: "invalid_grant",
    failure: true,
  },
  outcome_unknown: {
    shape: "question",
    one: "outcome unknown",
    many: "outcomes unknown",
    tag: "unknown",
    failure: true,
  },
  refused: {
    shape: "octagon",
    one: "refused by the relay",
    many: "refused by the relay",
    tag: "refused",
    failure: true,
  },
  failed: {
    shape: "hollow-triangle",
    one: "other failure",
    many: "other failures",
    tag: "failed",
    failure: true,
  },
  other: { shape: "hollow-diamond", one: "other event", many: "other events", tag: null, failure: false },
};

/** Event types drawn as their own kind; `failed` is split by its answer, everything else is `other`. */
const BY_TYPE: Readonly<Record<string, MarkKind>> = {
  authorized: "authorized",
  exchanged: "exchanged",
  refreshed: "refreshed",
  rotated: "rotated",
  imported: "imported",
  exported: "exported",
  revoked: "revoked",
  settings: "settings",
  introspected: "introspected",
  probed: "probed",
  identified: "probed",
  api: "api",
};

/** The `error` an answer names (JSON or form-encoded), or null. Regexes: bodies may be anything. */
export function oauthErrorOf(body: string): string | null {
  return (
    /"error"\s*:\s*"([^"\\]{1,80})"/.exec(body)?.[1] ?? /(?:^|&)error=([^&\s]{1,80})/.exec(body)?.[1] ?? null
  );
}

/** What a line's request was: from the body it sent, else from the words our own summaries begin with. */
export function requestOf(
  event: TimelineEvent,
): "authorization_code" | "refresh_token" | "revocation" | null {
  const grant = /grant_type["=:\s]+"?(authorization_code|refresh_token)/.exec(event.sentBody ?? "")?.[1];
  if (grant === "authorization_code" || grant === "refresh_token") return grant;
  if (/^Refresh/.test(event.summary)) return "refresh_token";
  if (/^Exchange/.test(event.summary)) return "authorization_code";
  if (/^Revocation/.test(event.summary)) return "revocation";
  return null;
}

function failureKind(event: TimelineEvent): MarkKind {
  const answer = event.answer;
  if (answer !== null) {
    if (answer.status === 429) return "rate_limited";
    return oauthErrorOf(answer.body) === "invalid_grant" ? "invalid_grant" : "failed";
  }
  // No answer: the relay refused (nothing was sent) or the answer never came.
  if (/outcome unknown/i.test(event.summary)) return "outcome_unknown";
  if (/refused by the relay: rate_limited/.test(event.summary)) return "rate_limited";
  if (/refused by the relay/.test(event.summary)) return "refused";
  return "failed";
}

/** The mark a history line is drawn as. */
export function markKind(event: TimelineEvent): MarkKind {
  if (event.type === "failed") return failureKind(event);
  // Own keys only: a bundle may name a type `constructor` or `__proto__`.
  return Object.hasOwn(BY_TYPE, event.type) ? (BY_TYPE[event.type] ?? "other") : "other";
}

/** "37 refreshes", "1 refresh". */
export function countOf(kind: MarkKind, n: number): string {
  const style = MARK_STYLES[kind];
  return `${n.toLocaleString("en")} ${n === 1 ? style.one : style.many}`;
}
