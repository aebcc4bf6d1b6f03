/**
 * A connection's life as intervals and instants: the code's life, each access token from issue to
 * expiry, the refresh token's lineage with its rotations, and one mark per history line. Built once
 * per change of history, in one pass, so 10,000 lines cost a few milliseconds; drawing picks from it.
 */
import { type MarkKind, markKind, requestOf } from "./marks.ts";
import type { TimelineEvent, TimelineSource } from "./source.ts";

export interface CodeBar {
  /** The `authorized` line, when the history has it. */
  readonly event: TimelineEvent | null;
  readonly start: number;
  readonly expiresAt: number | null;
  readonly sentAt: number | null;
}

export interface AccessBar {
  /** The line that issued it (an exchange, a refresh, an import). */
  readonly event: TimelineEvent;
  /** 1 for the first access token of the history. */
  readonly n: number;
  readonly start: number;
  /** Null when the answer stated no lifetime. */
  readonly expiresAt: number | null;
  /** When a later token replaced it or it was revoked; null while it is the latest. */
  readonly endedAt: number | null;
  readonly endReason: "replaced" | "revoked" | null;
}

export interface RefreshLink {
  /** The line that issued it. */
  readonly event: TimelineEvent;
  readonly n: number;
  readonly fingerprint: string | null;
  readonly start: number;
  readonly endedAt: number | null;
  /** Rotated: replaced by the next link. Refused: the provider answered `invalid_grant`. */
  readonly endReason: "rotated" | "refused" | "revoked" | null;
  /** The line that ended it. */
  readonly endEvent: TimelineEvent | null;
  /** From a refresh whose answer never came: it may have been spent. */
  readonly unknownFrom: number | null;
  /** The expiry stated when it was issued (or last kept), if any. */
  readonly statedExpiry: number | null;
  /** When it was exported for a server. */
  readonly handedOffAt: number | null;
}

export interface Mark {
  readonly event: TimelineEvent;
  readonly kind: MarkKind;
}

export interface TimelineModel {
  readonly name: string;
  readonly code: CodeBar | null;
  readonly access: readonly AccessBar[];
  readonly links: readonly RefreshLink[];
  /** The history lane: every line but rotations, oldest first. */
  readonly marks: readonly Mark[];
  /** Rotations, drawn on the refresh token's lineage. */
  readonly rotations: readonly Mark[];
  /** The first and last instant the history shows (NaN for an empty history without a code). */
  readonly first: number;
  readonly last: number;
  /** The latest instant a bar's stated life reaches (an access token's expiry, the code's). */
  readonly reach: number;
  readonly handedOffAt: number | null;
  readonly refreshTokenStatus: TimelineSource["refreshTokenStatus"];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SECONDS_FIELD = new Map<string, RegExp>();

/** `expires_in` (or another field) of a token answer, JSON or form-encoded, in seconds; null when absent. */
function secondsIn(body: string, field: string): number | null {
  // Most bodies lack most fields: a plain search first keeps 10,000 lines cheap.
  if (!body.includes(field)) return null;
  let pattern = SECONDS_FIELD.get(field);
  if (pattern === undefined) {
    pattern = new RegExp(`"${field}"\\s*:\\s*"?(\\d+(?:\\.\\d+)?)"?|(?:^|&)${field}=(\\d+)`);
    SECONDS_FIELD.set(field, pattern);
  }
  const match = pattern.exec(body);
  const value = match === null ? Number.NaN : Number(match[1] ?? match[2]);
  return Number.isFinite(value) ? value : null;
}

function succeeded(event: TimelineEvent): boolean {
  return event.answer !== null && event.answer.status >= 200 && event.answer.status < 300;
}

/**
 * When the access token a line issued expires. What the line recorded, else its answer's
 * `expires_in` counted from the line's instant (lines stored before the field existed), else the
 * token set's when this line made it, else the summary's own words.
 */
function accessExpiry(event: TimelineEvent, source: TimelineSource): number | null {
  if (event.accessExpiresAt !== undefined) return event.accessExpiresAt;
  if (event.answer !== null && succeeded(event)) {
    const seconds = secondsIn(event.answer.body, "expires_in");
    return seconds === null ? null : event.at + seconds * 1000;
  }
  if (source.tokens?.receivedAt === event.at) return source.tokens.accessExpiresAt;
  const stated = /expires in (\d+) s/.exec(event.summary)?.[1];
  return stated === undefined ? null : event.at + Number(stated) * 1000;
}

/** `refresh_token_expires_in`, `x_refresh_token_expires_in` (QuickBooks) or `refresh_expires_in`, in one scan. */
const REFRESH_EXPIRES_IN =
  /"(?:x_)?refresh_(?:token_)?expires_in"\s*:\s*"?(\d+(?:\.\d+)?)"?|(?:^|&)(?:x_)?refresh_(?:token_)?expires_in=(\d+)/;

function refreshExpiry(event: TimelineEvent, source: TimelineSource): number | null {
  if (event.refreshExpiresAt !== undefined) return event.refreshExpiresAt;
  if (source.tokens?.refreshReceivedAt === event.at) return source.tokens.refreshExpiresAt;
  if (event.answer !== null && succeeded(event)) {
    const match = REFRESH_EXPIRES_IN.exec(event.answer.body);
    const seconds = match === null ? Number.NaN : Number(match[1] ?? match[2]);
    if (Number.isFinite(seconds)) return event.at + seconds * 1000;
  }
  return null;
}

/** Whether a line issued an access token: exchanges and refreshes do; an import did unless it was a bare refresh token. */
function issuesAccess(event: TimelineEvent, kind: MarkKind): boolean {
  if (kind === "exchanged" || kind === "refreshed") return true;
  if (kind !== "imported") return false;
  return event.accessExpiresAt !== undefined || /token response/.test(event.summary);
}

/** The picture's content from a connection's history and state. */
export function buildTimeline(source: TimelineSource): TimelineModel {
  const access: Mutable<AccessBar>[] = [];
  const links: Mutable<RefreshLink>[] = [];
  const marks: Mark[] = [];
  const rotations: Mark[] = [];
  let bar: Mutable<AccessBar> | null = null;
  let link: Mutable<RefreshLink> | null = null;
  let reach = Number.NEGATIVE_INFINITY;

  for (const event of source.events) {
    const kind = markKind(event);
    if (kind === "rotated") rotations.push({ event, kind });
    else marks.push({ event, kind });

    if (issuesAccess(event, kind)) {
      if (bar !== null && bar.endedAt === null) {
        bar.endedAt = event.at;
        bar.endReason = "replaced";
      }
      bar = {
        event,
        n: access.length + 1,
        start: event.at,
        expiresAt: accessExpiry(event, source),
        endedAt: null,
        endReason: null,
      };
      if (bar.expiresAt !== null) reach = Math.max(reach, bar.expiresAt);
      access.push(bar);
    }
    if (kind === "exchanged" || kind === "refreshed" || kind === "imported") {
      const fp = event.refreshTokenFingerprint;
      if (fp !== null && (link === null || link.fingerprint !== fp || link.endedAt !== null)) {
        if (link !== null && link.endedAt === null) {
          link.endedAt = event.at;
          link.endReason = "rotated";
          link.endEvent = event;
        }
        link = {
          event,
          n: links.length + 1,
          fingerprint: fp,
          start: event.at,
          endedAt: null,
          endReason: null,
          endEvent: null,
          unknownFrom: null,
          statedExpiry: refreshExpiry(event, source),
          handedOffAt: null,
        };
        links.push(link);
      } else if (fp !== null && link !== null) {
        // Kept by a refresh: the answer may restate its expiry, and it worked, so its state is known.
        link.statedExpiry = refreshExpiry(event, source) ?? link.statedExpiry;
        link.unknownFrom = null;
      }
    }
    const open = link !== null && link.endedAt === null ? link : null;
    switch (kind) {
      case "revoked":
        if (event.refreshTokenFingerprint === null) {
          // An access token was revoked: the latest one, which is the one a revocation here ends.
          if (bar !== null && bar.endedAt === null) {
            bar.endedAt = event.at;
            bar.endReason = "revoked";
          }
        } else if (
          open !== null &&
          (open.fingerprint === event.refreshTokenFingerprint || open.fingerprint === null)
        ) {
          open.endedAt = event.at;
          open.endReason = "revoked";
          open.endEvent = event;
        }
        break;
      case "invalid_grant":
        if (open !== null && requestOf(event) === "refresh_token") {
          open.endedAt = event.at;
          open.endReason = "refused";
          open.endEvent = event;
        }
        break;
      case "outcome_unknown":
        if (open !== null && requestOf(event) === "refresh_token") open.unknownFrom ??= event.at;
        break;
      case "exported":
        if (open !== null) open.handedOffAt ??= event.at;
        break;
      default:
        break;
    }
  }

  const code = source.code;
  const authorized = source.events.find((e) => e.type === "authorized") ?? null;
  const codeBar: CodeBar | null =
    code === null
      ? null
      : {
          event: authorized,
          start: code.receivedAt,
          expiresAt: code.expiresAt,
          sentAt: code.sentAt ?? access[0]?.start ?? null,
        };
  if (codeBar?.expiresAt != null) reach = Math.max(reach, codeBar.expiresAt);
  const instants = [
    ...(code === null ? [] : [code.receivedAt]),
    ...(source.events.length === 0 ? [] : [source.events[0]?.at ?? Number.NaN]),
  ];
  const first = instants.length === 0 ? Number.NaN : Math.min(...instants);
  const lastEvent = source.events[source.events.length - 1]?.at;
  const last = Math.max(lastEvent ?? Number.NEGATIVE_INFINITY, code?.receivedAt ?? Number.NEGATIVE_INFINITY);
  return {
    name: source.name,
    code: codeBar,
    access,
    links,
    marks,
    rotations,
    first,
    last: Number.isFinite(last) ? last : Number.NaN,
    reach: Number.isFinite(reach) ? reach : Number.NaN,
    handedOffAt: source.handedOffAt,
    refreshTokenStatus: source.refreshTokenStatus,
  };
}

/** Whether the model has anything to draw. */
export function isEmpty(model: TimelineModel): boolean {
  return model.code === null && model.marks.length === 0 && model.rotations.length === 0;
}

/**
 * The next instant after `now` at which the picture's state changes (the code or the latest access
 * token expires, the current refresh token's stated expiry passes), or Infinity. Until then a drawing
 * made at `now` stays true but for where the "now" line is.
 */
export function nextChange(model: TimelineModel, now: number): number {
  let next = Number.POSITIVE_INFINITY;
  const consider = (at: number | null) => {
    if (at !== null && at > now && at < next) next = at;
  };
  if (model.code !== null && model.code.sentAt === null) consider(model.code.expiresAt);
  // Only tokens still current can change look; those are at the end.
  for (let i = model.access.length - 1; i >= 0; i -= 1) {
    const bar = model.access[i];
    if (bar === undefined || bar.endedAt !== null) break;
    consider(bar.expiresAt);
  }
  const link = model.links[model.links.length - 1];
  if (link !== undefined && link.endedAt === null) consider(link.statedExpiry);
  return next;
}
