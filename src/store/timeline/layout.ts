/**
 * Where everything goes for one zoom and width: lanes, bars, marks, the axis and the legend. Marks and
 * bars that would overlap at this zoom become one group ("37 refreshes") that opens by zooming in, so
 * however long the history, the picture holds at most a few hundred shapes and focus stops.
 */
import { countOf, MARK_STYLES, type MarkKind } from "./marks.ts";
import type { AccessBar, Mark, RefreshLink, TimelineModel } from "./model.ts";
import { type Domain, formatWhen, MIN_SPAN_MS, type Tick, type TimeFormat, ticksFor, xOf } from "./scale.ts";
import type { TimelineEvent } from "./source.ts";

export type LaneId = "code" | "access" | "refresh" | "events";

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type BarLook = "current" | "past";

export type Draw =
  | {
      readonly kind: "mark";
      readonly cx: number;
      readonly cy: number;
      readonly mark: MarkKind;
      readonly tag: string | null;
    }
  | {
      readonly kind: "group";
      readonly x0: number;
      readonly x1: number;
      readonly y: number;
      readonly h: number;
      readonly count: number;
      readonly failure: boolean;
    }
  | {
      readonly kind: "bar";
      readonly x0: number;
      readonly x1: number;
      readonly y: number;
      readonly h: number;
      readonly look: BarLook;
      /** After the body: dotted while a replaced token could still work, or while the state is unknown. */
      readonly tail: {
        readonly x0: number;
        readonly x1: number;
        readonly look: "replaced" | "unknown";
      } | null;
      /** How it ended, drawn at `x`: refused (a cross), revoked (a slash), unknown (a question mark), expired (a bar). */
      readonly cap: {
        readonly x: number;
        readonly kind: "refused" | "revoked" | "unknown" | "expired";
      } | null;
      /** It goes on past the right edge. */
      readonly open: boolean;
      readonly text: string | null;
    };

export interface Item {
  /** Stable across re-layouts while the same thing is drawn, so focus can stay on it. */
  readonly key: string;
  readonly lane: LaneId;
  readonly at: number;
  /** Where it sits, for moving between items left to right. */
  readonly x: number;
  /** What it is, in the history's words: its accessible name. */
  readonly label: string;
  /** The history entry it stands for. */
  readonly ref: string | null;
  /** For a group that can be told apart by zooming in. */
  readonly zoomTo: Domain | null;
  readonly box: Box;
  readonly draw: Draw;
}

export interface Lane {
  readonly id: LaneId;
  readonly title: string;
  readonly titleY: number;
  readonly bandY: number;
  readonly bandH: number;
  readonly items: readonly Item[];
}

export type LegendEntry =
  | {
      readonly type: "mark";
      readonly kind: MarkKind;
      readonly words: string;
      readonly x: number;
      readonly y: number;
    }
  | {
      readonly type: "bar";
      readonly look: "current" | "past" | "replaced" | "group";
      readonly words: string;
      readonly x: number;
      readonly y: number;
    };

export interface TimelineLayout {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly domain: Domain;
  readonly lanes: readonly Lane[];
  readonly ticks: readonly Tick[];
  readonly axisY: number;
  /** Vertical extent of the "now" line and other guides. */
  readonly plotTop: number;
  readonly plotBottom: number;
  /** The hand-off, across every lane. */
  readonly guides: readonly { readonly x: number; readonly label: string }[];
  /** What lies beyond the right edge, written at it. */
  readonly notes: readonly { readonly x: number; readonly y: number; readonly text: string }[];
  readonly legend: readonly LegendEntry[];
  /** Shapes drawn (marks, bars, groups): bounded by the width, whatever the history's length. */
  readonly itemCount: number;
}

export interface LayoutInput {
  readonly model: TimelineModel;
  readonly domain: Domain;
  readonly width: number;
  /** The instant the drawing is true for (expired or not). */
  readonly now: number;
  readonly fmt?: TimeFormat;
}

const PAD = 8;
const TOP = 18;
const TITLE_H = 14;
const LANE_GAP = 8;
const BAR_H = 14;
const EVENTS_H = 30;
const MARK_R = 5;
/** Marks closer than this share a group. */
const MIN_GAP = 14;
/** A group spans at most this much, so a dense stretch becomes several groups, each its own range. */
const MAX_SPAN = 28;
/** Narrower bars are grouped. */
const MIN_BAR = 6;
const CHAR_W = 6.2;

const LANE_TITLES: Readonly<Record<LaneId, string>> = {
  code: "Authorization code",
  access: "Access tokens",
  refresh: "Refresh token lineage",
  events: "History",
};

/** A history line as the list shows it: instant, type, summary. */
export function historyWords(event: TimelineEvent, fmt: TimeFormat = {}): string {
  return `${formatWhen(event.at, fmt)} ${event.type} ${event.summary}`;
}

/** Index of the first element whose instant is at or after `at` (elements sorted by instant). */
function lowerBound<T>(list: readonly T[], at: number, instant: (t: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const item = list[mid];
    if (item !== undefined && instant(item) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Geometry {
  readonly left: number;
  readonly right: number;
  readonly domain: Domain;
  readonly fmt: TimeFormat;
  readonly now: number;
  x(at: number): number;
  clamp(x: number): number;
}

/** A range to zoom into that shows `from`–`to` apart, or null when no zoom could separate them. */
function zoomFor(g: Geometry, from: number, to: number): Domain | null {
  const span = to - from;
  if (span <= 0 || (span / MIN_SPAN_MS) * (g.right - g.left) < MIN_GAP) return null;
  const pad = Math.max(span * 0.15, MIN_SPAN_MS / 2);
  return { from: from - pad, to: to + pad };
}

function groupLabel(g: Geometry, what: string, from: number, to: number, zoom: Domain | null): string {
  const when =
    from === to
      ? `at ${formatWhen(from, g.fmt)}`
      : `from ${formatWhen(from, g.fmt)} to ${formatWhen(to, g.fmt)}`;
  return `${what} ${when}. ${zoom === null ? "Enter opens the first in the history." : "Enter zooms in."}`;
}

function breakdown(marks: readonly Mark[]): string {
  const counts = new Map<MarkKind, number>();
  for (const m of marks) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => countOf(kind, n))
    .join(", ");
}

/** The words of a text as a listener compares them: lower case, no punctuation, no asides in parentheses. */
function spoken(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/\([^)]*\)/g, " ")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()} `;
}

/**
 * Whether a mark's name already says its visible tag. When it does not, the name begins with the tag,
 * so that what is seen is what is heard (and what a voice user says to reach it).
 */
function saysAlready(name: string, tag: string): boolean {
  return spoken(name).includes(spoken(tag));
}

/** Points into groups: a new group where the gap to the last point or the group's span grows too wide. */
function clusterPoints<T>(points: readonly T[], xOfPoint: (t: T) => number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let firstX = Number.NEGATIVE_INFINITY;
  let lastX = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    const x = xOfPoint(p);
    if (group.length > 0 && x - lastX < MIN_GAP && x - firstX < MAX_SPAN) {
      group.push(p);
    } else {
      if (group.length > 0) groups.push(group);
      group = [p];
      firstX = x;
    }
    lastX = x;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Intervals into groups: wide ones alone, narrow or crowded ones together, no group over MAX_SPAN. */
function clusterIntervals<T>(list: readonly T[], span: (t: T) => readonly [number, number]): T[][] {
  const groups: T[][] = [];
  let wideAlone = false;
  let firstX = Number.NEGATIVE_INFINITY;
  for (const t of list) {
    const [x0, x1] = span(t);
    const wide = x1 - x0 >= MIN_BAR;
    const last = groups[groups.length - 1];
    if (wide && (last === undefined || x0 - firstX >= 3)) {
      groups.push([t]);
      wideAlone = true;
      firstX = x0;
    } else if (last !== undefined && !wideAlone && x0 - firstX < MAX_SPAN) {
      last.push(t);
    } else {
      groups.push([t]);
      wideAlone = false;
      firstX = x0;
    }
  }
  return groups;
}

function codeItems(model: TimelineModel, g: Geometry, bandY: number): Item[] {
  const code = model.code;
  if (code === null) return [];
  const end = code.sentAt ?? code.expiresAt;
  if (code.start > g.domain.to || (end !== null && end < g.domain.from)) return [];
  const expired = code.sentAt === null && code.expiresAt !== null && code.expiresAt <= g.now;
  const x0 = g.clamp(g.x(code.start));
  const bodyEnd = end ?? g.domain.to;
  const x1 = Math.max(x0 + 3, g.clamp(g.x(bodyEnd)));
  const state =
    code.sentAt !== null
      ? `sent for exchange ${formatWhen(code.sentAt, g.fmt)}`
      : code.expiresAt === null
        ? "no expiry stated"
        : expired
          ? `expired unused ${formatWhen(code.expiresAt, g.fmt)}`
          : `valid until ${formatWhen(code.expiresAt, g.fmt)}`;
  const words = code.event === null ? "" : ` From the history: ${historyWords(code.event, g.fmt)}`;
  return [
    {
      key: "code",
      lane: "code",
      at: code.start,
      x: x0,
      label: `Authorization code received ${formatWhen(code.start, g.fmt)}; ${state}.${words}`,
      ref: code.event?.ref ?? null,
      zoomTo: null,
      box: { x: x0 - 2, y: bandY - 2, w: x1 - x0 + 4, h: BAR_H + 4 },
      draw: {
        kind: "bar",
        x0,
        x1,
        y: bandY,
        h: BAR_H,
        look: code.sentAt === null && !expired ? "current" : "past",
        tail: null,
        cap: expired && code.expiresAt !== null ? { x: x1, kind: "expired" } : null,
        open: end === null || bodyEnd > g.domain.to,
        text: x1 - x0 >= 40 ? "code" : null,
      },
    },
  ];
}

function accessState(bar: AccessBar, g: Geometry): string {
  const when = (at: number) => formatWhen(at, g.fmt);
  if (bar.endReason === "revoked" && bar.endedAt !== null) return `revoked ${when(bar.endedAt)}`;
  if (bar.endReason === "replaced" && bar.endedAt !== null) {
    const stated =
      bar.expiresAt !== null && bar.expiresAt > bar.endedAt ? `, stated expiry ${when(bar.expiresAt)}` : "";
    return `replaced ${when(bar.endedAt)}${stated}`;
  }
  if (bar.expiresAt === null) return "no expiry stated";
  return bar.expiresAt <= g.now ? `expired ${when(bar.expiresAt)}` : `valid until ${when(bar.expiresAt)}`;
}

function accessItems(model: TimelineModel, g: Geometry, bandY: number): Item[] {
  const bars = model.access;
  const total = bars.length;
  // Bars run one after another, so only the few before the first that starts in range can reach into it.
  let start = lowerBound(bars, g.domain.from, (b) => b.start);
  for (let back = 0; back < 3 && start > 0; back += 1) start -= 1;
  const visible: AccessBar[] = [];
  for (let i = start; i < bars.length; i += 1) {
    const bar = bars[i];
    if (bar === undefined || bar.start > g.domain.to) break;
    const reach = Math.max(
      bar.endedAt ?? Number.POSITIVE_INFINITY,
      bar.expiresAt ?? bar.endedAt ?? Number.POSITIVE_INFINITY,
    );
    if (reach >= g.domain.from) visible.push(bar);
  }
  const bodyEnd = (bar: AccessBar) =>
    bar.endedAt !== null
      ? Math.min(bar.endedAt, bar.expiresAt ?? bar.endedAt)
      : (bar.expiresAt ?? Number.POSITIVE_INFINITY);
  const span = (bar: AccessBar): readonly [number, number] => {
    const x0 = g.clamp(g.x(bar.start));
    const end = bodyEnd(bar);
    return [x0, Number.isFinite(end) ? g.clamp(g.x(end)) : g.right];
  };
  return clusterIntervals(visible, span).map((members): Item => {
    const first = members[0] as AccessBar;
    const lastBar = members[members.length - 1] as AccessBar;
    if (members.length > 1) {
      const x0 = span(first)[0];
      const x1 = Math.max(x0 + MIN_BAR, ...members.map((b) => span(b)[1]));
      const zoomTo = zoomFor(g, first.start, lastBar.start);
      return {
        key: `ag:${first.event.ref}`,
        lane: "access",
        at: first.start,
        x: x0,
        label: groupLabel(
          g,
          `${members.length.toLocaleString("en")} access tokens issued`,
          first.start,
          lastBar.start,
          zoomTo,
        ),
        ref: first.event.ref,
        zoomTo,
        box: { x: x0 - 2, y: bandY - 2, w: x1 - x0 + 4, h: BAR_H + 4 },
        draw: { kind: "group", x0, x1, y: bandY, h: BAR_H, count: members.length, failure: false },
      };
    }
    const bar = first;
    const [x0, rawX1] = span(bar);
    const x1 = Math.max(x0 + 2, rawX1);
    const current = bar.endedAt === null && (bar.expiresAt === null || bar.expiresAt > g.now);
    const tail =
      bar.endReason === "replaced" &&
      bar.endedAt !== null &&
      bar.expiresAt !== null &&
      bar.expiresAt > bar.endedAt
        ? { x0: x1, x1: g.clamp(g.x(bar.expiresAt)), look: "replaced" as const }
        : null;
    const cap =
      bar.endReason === "revoked"
        ? { x: x1, kind: "revoked" as const }
        : bar.endedAt === null && bar.expiresAt !== null && bar.expiresAt <= g.now
          ? { x: x1, kind: "expired" as const }
          : null;
    return {
      key: `a:${bar.event.ref}`,
      lane: "access",
      at: bar.start,
      x: x0,
      label: `Access token ${bar.n} of ${total}, issued ${formatWhen(bar.start, g.fmt)}; ${accessState(bar, g)}. From the history: ${historyWords(bar.event, g.fmt)}`,
      ref: bar.event.ref,
      zoomTo: null,
      box: { x: x0 - 2, y: bandY - 2, w: x1 - x0 + 4, h: BAR_H + 4 },
      draw: {
        kind: "bar",
        x0,
        x1,
        y: bandY,
        h: BAR_H,
        look: current ? "current" : "past",
        tail,
        cap,
        open: bodyEnd(bar) > g.domain.to,
        text: x1 - x0 >= 18 ? String(bar.n) : null,
      },
    };
  });
}

function linkState(link: RefreshLink, g: Geometry, status: TimelineModel["refreshTokenStatus"]): string {
  const when = (at: number) => formatWhen(at, g.fmt);
  if (link.endedAt !== null) {
    const how =
      link.endReason === "rotated"
        ? "replaced by rotation"
        : link.endReason === "refused"
          ? "refused by the provider (invalid_grant)"
          : "revoked";
    return `${how} ${when(link.endedAt)}`;
  }
  if (link.unknownFrom !== null) return `state unknown since ${when(link.unknownFrom)}`;
  if (status === "dead") return "dead";
  if (link.statedExpiry === null) return "in use, no expiry stated";
  return link.statedExpiry > g.now
    ? `in use, stated expiry ${when(link.statedExpiry)}`
    : `stated expiry passed ${when(link.statedExpiry)}`;
}

function refreshItems(
  model: TimelineModel,
  g: Geometry,
  bandY: number,
  notes: { x: number; y: number; text: string }[],
): Item[] {
  const links = model.links;
  const total = links.length;
  let start = lowerBound(links, g.domain.from, (l) => l.start);
  if (start > 0) start -= 1;
  const visible: RefreshLink[] = [];
  for (let i = start; i < links.length; i += 1) {
    const link = links[i];
    if (link === undefined || link.start > g.domain.to) break;
    if ((link.endedAt ?? Number.POSITIVE_INFINITY) >= g.domain.from) visible.push(link);
  }
  const bodyEnd = (link: RefreshLink) =>
    link.endedAt ?? link.unknownFrom ?? link.statedExpiry ?? Number.POSITIVE_INFINITY;
  const span = (link: RefreshLink): readonly [number, number] => {
    const end = bodyEnd(link);
    return [g.clamp(g.x(link.start)), Number.isFinite(end) ? g.clamp(g.x(end)) : g.right];
  };
  const items: Item[] = [];
  const grouped: Array<readonly [number, number]> = [];
  for (const members of clusterIntervals(visible, span)) {
    const first = members[0] as RefreshLink;
    const lastLink = members[members.length - 1] as RefreshLink;
    if (members.length > 1) {
      const x0 = span(first)[0];
      const x1 = Math.max(x0 + MIN_BAR, ...members.map((l) => span(l)[1]));
      grouped.push([x0, x1]);
      const zoomTo = zoomFor(g, first.start, lastLink.start);
      items.push({
        key: `lg:${first.event.ref}`,
        lane: "refresh",
        at: first.start,
        x: x0,
        label: groupLabel(
          g,
          `${members.length.toLocaleString("en")} refresh tokens, each replacing the one before,`,
          first.start,
          lastLink.start,
          zoomTo,
        ),
        ref: first.event.ref,
        zoomTo,
        box: { x: x0 - 2, y: bandY - 2, w: x1 - x0 + 4, h: BAR_H + 4 },
        draw: { kind: "group", x0, x1, y: bandY, h: BAR_H, count: members.length, failure: false },
      });
      continue;
    }
    const link = first;
    const [x0, rawX1] = span(link);
    const x1 = Math.max(x0 + 2, rawX1);
    const current =
      link.endedAt === null && link.unknownFrom === null && model.refreshTokenStatus === "active";
    const cap =
      link.endReason === "refused"
        ? { x: x1, kind: "refused" as const }
        : link.endReason === "revoked"
          ? { x: x1, kind: "revoked" as const }
          : link.unknownFrom !== null
            ? { x: x1, kind: "unknown" as const }
            : link.endedAt === null && link.statedExpiry !== null && link.statedExpiry <= g.domain.to
              ? { x: x1, kind: "expired" as const }
              : null;
    const tail =
      link.unknownFrom !== null && link.endedAt === null
        ? {
            x0: x1,
            x1: link.statedExpiry === null ? g.right : g.clamp(g.x(link.statedExpiry)),
            look: "unknown" as const,
          }
        : null;
    if (link.endedAt === null && link.statedExpiry !== null && link.statedExpiry > g.domain.to) {
      notes.push({ x: g.right, y: bandY - 3, text: `expires ${formatWhen(link.statedExpiry, g.fmt)} →` });
    }
    const handed = link.handedOffAt === null ? "" : `; handed off ${formatWhen(link.handedOffAt, g.fmt)}`;
    items.push({
      key: `l:${link.event.ref}`,
      lane: "refresh",
      at: link.start,
      x: x0,
      label: `Refresh token ${link.fingerprint ?? "without a fingerprint"}, ${link.n} of ${total} in its lineage, issued ${formatWhen(link.start, g.fmt)}; ${linkState(link, g, model.refreshTokenStatus)}${handed}. From the history: ${historyWords(link.event, g.fmt)}`,
      ref: link.event.ref,
      zoomTo: null,
      box: { x: x0 - 2, y: bandY - 2, w: x1 - x0 + 4, h: BAR_H + 4 },
      draw: {
        kind: "bar",
        x0,
        x1,
        y: bandY,
        h: BAR_H,
        look: current ? "current" : "past",
        tail,
        cap,
        open: bodyEnd(link) > g.domain.to,
        text: link.fingerprint !== null && x1 - x0 >= 64 ? link.fingerprint : null,
      },
    });
  }
  // Rotations where links are drawn apart; where links are grouped, the group already counts them.
  const rotations = visibleMarks(model.rotations, g).filter((m) => {
    const x = g.x(m.event.at);
    return !grouped.some(([a, b]) => x >= a - 1 && x <= b + 1);
  });
  items.push(...markItems(rotations, g, "refresh", bandY + BAR_H / 2, false));
  return items.sort((a, b) => a.x - b.x);
}

function visibleMarks(marks: readonly Mark[], g: Geometry): readonly Mark[] {
  const from = lowerBound(marks, g.domain.from, (m) => m.event.at);
  const to = lowerBound(marks, g.domain.to + 1, (m) => m.event.at);
  return marks.slice(from, to);
}

function markItems(marks: readonly Mark[], g: Geometry, lane: LaneId, cy: number, tags: boolean): Item[] {
  const groups = clusterPoints(marks, (m) => g.x(m.event.at));
  return groups.map((members, i): Item => {
    const first = members[0] as Mark;
    const last = members[members.length - 1] as Mark;
    const x = g.x(first.event.at);
    if (members.length === 1) {
      const style = MARK_STYLES[first.kind];
      let tag: string | null = null;
      if (tags && style.tag !== null) {
        const half = (style.tag.length * CHAR_W) / 2 + 4;
        const prev = groups[i - 1];
        const next = groups[i + 1];
        const prevX =
          prev === undefined ? Number.NEGATIVE_INFINITY : g.x((prev[prev.length - 1] as Mark).event.at);
        const nextX = next === undefined ? Number.POSITIVE_INFINITY : g.x((next[0] as Mark).event.at);
        if (x - prevX > half * 2 && nextX - x > half * 2) tag = style.tag;
      }
      const words = historyWords(first.event, g.fmt);
      return {
        key: `m:${first.event.ref}`,
        lane,
        at: first.event.at,
        x,
        label: tag === null || saysAlready(words, tag) ? words : `${tag}: ${words}`,
        ref: first.event.ref,
        zoomTo: null,
        box: { x: x - MARK_R - 3, y: cy - MARK_R - 4, w: 2 * MARK_R + 6, h: 2 * MARK_R + 8 },
        draw: { kind: "mark", cx: x, cy, mark: first.kind, tag },
      };
    }
    const x1 = Math.max(g.x(last.event.at), x);
    const zoomTo = zoomFor(g, first.event.at, last.event.at);
    const what = `${members.length.toLocaleString("en")} history lines (${breakdown(members)})`;
    const gx0 = x - MARK_R - 2;
    const gx1 = x1 + MARK_R + 2;
    return {
      key: `c:${lane}:${first.event.ref}`,
      lane,
      at: first.event.at,
      x,
      label: groupLabel(g, what, first.event.at, last.event.at, zoomTo),
      ref: first.event.ref,
      zoomTo,
      box: { x: gx0 - 2, y: cy - MARK_R - 5, w: gx1 - gx0 + 4, h: 2 * MARK_R + 10 },
      draw: {
        kind: "group",
        x0: gx0,
        x1: gx1,
        y: cy - MARK_R - 1,
        h: 2 * MARK_R + 2,
        count: members.length,
        failure: members.some((m) => MARK_STYLES[m.kind].failure),
      },
    };
  });
}

const BAR_WORDS: Readonly<Record<"current" | "past" | "replaced" | "group", string>> = {
  current: "valid now",
  past: "expired, replaced or spent",
  replaced: "replaced, until its stated expiry",
  group: "several together: Enter zooms in",
};

function legendFor(model: TimelineModel, lanes: readonly Lane[], g: Geometry, top: number) {
  const entries: LegendEntry[] = [];
  const drawn = lanes.flatMap((l) => l.items.map((i) => i.draw));
  const looks: Array<"current" | "past" | "replaced" | "group"> = [];
  if (drawn.some((d) => d.kind === "bar" && d.look === "current")) looks.push("current");
  if (drawn.some((d) => d.kind === "bar" && d.look === "past")) looks.push("past");
  if (drawn.some((d) => d.kind === "bar" && d.tail?.look === "replaced")) looks.push("replaced");
  if (drawn.some((d) => d.kind === "group")) looks.push("group");
  const kinds = new Set<MarkKind>([...model.marks, ...model.rotations].map((m) => m.kind));
  const marks = (Object.keys(MARK_STYLES) as MarkKind[]).filter((k) => kinds.has(k));
  let x = g.left;
  let y = top;
  const place = (words: string) => {
    const w = 18 + words.length * CHAR_W + 12;
    if (x + w > g.right && x > g.left) {
      x = g.left;
      y += 16;
    }
    const at = { x, y };
    x += w;
    return at;
  };
  for (const look of looks)
    entries.push({ type: "bar", look, words: BAR_WORDS[look], ...place(BAR_WORDS[look]) });
  for (const kind of marks) {
    const words = MARK_STYLES[kind].one;
    entries.push({ type: "mark", kind, words, ...place(words) });
  }
  return { entries, bottom: entries.length === 0 ? top : y + 16 };
}

/** Lays out the picture of `model` for one zoom (`domain`), `width` pixels wide, as true at `now`. */
export function layoutTimeline(input: LayoutInput): TimelineLayout {
  const { model, domain, now } = input;
  const fmt = input.fmt ?? {};
  const width = Math.max(240, Math.round(input.width));
  const left = PAD;
  const right = width - PAD;
  const g: Geometry = {
    left,
    right,
    domain,
    fmt,
    now,
    // Tenths of a pixel: finer is invisible and only makes the saved file longer.
    x: (at) => Math.round(xOf(domain, left, right, at) * 10) / 10,
    clamp: (x) => Math.max(left - 1, Math.min(right + 1, x)),
  };
  const notes: { x: number; y: number; text: string }[] = [];
  const lanes: Lane[] = [];
  let y = TOP;
  const lane = (id: LaneId, bandH: number, items: (bandY: number) => Item[]) => {
    const bandY = y + TITLE_H;
    lanes.push({ id, title: LANE_TITLES[id], titleY: y + 10, bandY, bandH, items: items(bandY) });
    y = bandY + bandH + LANE_GAP;
  };
  if (model.code !== null) lane("code", BAR_H, (bandY) => codeItems(model, g, bandY));
  if (model.access.length > 0) lane("access", BAR_H, (bandY) => accessItems(model, g, bandY));
  if (model.links.length > 0) lane("refresh", BAR_H, (bandY) => refreshItems(model, g, bandY, notes));
  lane("events", EVENTS_H, (bandY) =>
    markItems(visibleMarks(model.marks, g), g, "events", bandY + EVENTS_H - MARK_R - 4, true),
  );
  const plotBottom = y - LANE_GAP + 2;
  const axisY = plotBottom + 2;
  const guides =
    model.handedOffAt !== null && model.handedOffAt >= domain.from && model.handedOffAt <= domain.to
      ? [{ x: g.x(model.handedOffAt), label: "handed off" }]
      : [];
  const legend = legendFor(model, lanes, g, axisY + 34);
  return {
    width,
    height: legend.bottom + 4,
    left,
    right,
    domain,
    lanes,
    ticks: ticksFor(domain, left, right, fmt),
    axisY,
    plotTop: TOP - 4,
    plotBottom,
    guides,
    notes,
    legend: legend.entries,
    itemCount: lanes.reduce((n, l) => n + l.items.length, 0),
  };
}

export type Move = "next" | "prev" | "up" | "down" | "first" | "last";

/** The item to move focus to from `key`, or null when there is none that way. */
export function neighbour(layout: TimelineLayout, key: string, move: Move): Item | null {
  const lanes = layout.lanes.filter((l) => l.items.length > 0);
  const li = lanes.findIndex((l) => l.items.some((i) => i.key === key));
  const lane = lanes[li];
  if (lane === undefined) return lanes[0]?.items[0] ?? null;
  const ii = lane.items.findIndex((i) => i.key === key);
  const item = lane.items[ii];
  switch (move) {
    case "next":
      return lane.items[ii + 1] ?? null;
    case "prev":
      return lane.items[ii - 1] ?? null;
    case "first":
      return lane.items[0] ?? null;
    case "last":
      return lane.items[lane.items.length - 1] ?? null;
    case "up":
    case "down": {
      const other = lanes[li + (move === "down" ? 1 : -1)];
      if (other === undefined || item === undefined) return null;
      return nearest(other.items, item.x);
    }
  }
}

function nearest(items: readonly Item[], x: number): Item | null {
  let best: Item | null = null;
  for (const i of items) if (best === null || Math.abs(i.x - x) < Math.abs(best.x - x)) best = i;
  return best;
}

/** The item with `key`; else the one nearest `at` in `lane` (what focus lands on after a re-layout); else the first. */
export function itemNear(
  layout: TimelineLayout,
  key: string | null,
  lane: LaneId | null,
  at: number | null,
): Item | null {
  const all = layout.lanes.flatMap((l) => l.items);
  const same = key === null ? undefined : all.find((i) => i.key === key);
  if (same !== undefined) return same;
  const inLane = layout.lanes.find((l) => l.id === lane)?.items ?? [];
  if (at !== null && inLane.length > 0) {
    let best: Item | null = null;
    for (const i of inLane) if (best === null || Math.abs(i.at - at) < Math.abs(best.at - at)) best = i;
    return best;
  }
  return all[0] ?? null;
}
