/**
 * Which marks and bars share a shape at a zoom, and the words for a shape that stands for several:
 * points closer than a few pixels, or intervals too narrow to see, become one group that opens by
 * zooming in. Pure geometry on pixel positions, so a 10,000-line history costs one pass.
 */
import { countOf, type MarkKind } from "./marks.ts";
import type { Mark } from "./model.ts";
import { type Domain, formatWhen, MIN_SPAN_MS, type TimeFormat } from "./scale.ts";
import type { TimelineEvent } from "./source.ts";

/** Marks closer than this share a group. */
export const MIN_GAP = 14;
/** A group spans at most this much, so a dense stretch becomes several groups, each its own range. */
export const MAX_SPAN = 28;
/** Narrower bars are grouped. */
export const MIN_BAR = 6;

/** Instants to pixels for one zoom and width, and the drawing's "now". */
export interface Geometry {
  readonly left: number;
  readonly right: number;
  readonly domain: Domain;
  readonly fmt: TimeFormat;
  readonly now: number;
  x(at: number): number;
  clamp(x: number): number;
}

/** A history line as the list shows it: instant, type, summary. */
export function historyWords(event: TimelineEvent, fmt: TimeFormat = {}): string {
  return `${formatWhen(event.at, fmt)} ${event.type} ${event.summary}`;
}

/** Index of the first element whose instant is at or after `at` (elements sorted by instant). */
export function lowerBound<T>(list: readonly T[], at: number, instant: (t: T) => number): number {
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
/** A range to zoom into that shows `from`–`to` apart, or null when no zoom could separate them. */
export function zoomFor(g: Geometry, from: number, to: number): Domain | null {
  const span = to - from;
  if (span <= 0 || (span / MIN_SPAN_MS) * (g.right - g.left) < MIN_GAP) return null;
  const pad = Math.max(span * 0.15, MIN_SPAN_MS / 2);
  return { from: from - pad, to: to + pad };
}

export function groupLabel(g: Geometry, what: string, from: number, to: number, zoom: Domain | null): string {
  const when =
    from === to
      ? `at ${formatWhen(from, g.fmt)}`
      : `from ${formatWhen(from, g.fmt)} to ${formatWhen(to, g.fmt)}`;
  return `${what} ${when}. ${zoom === null ? "Enter opens the first in the history." : "Enter zooms in."}`;
}

export function breakdown(marks: readonly Mark[]): string {
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
export function saysAlready(name: string, tag: string): boolean {
  return spoken(name).includes(spoken(tag));
}

/** Points into groups: a new group where the gap to the last point or the group's span grows too wide. */
export function clusterPoints<T>(points: readonly T[], xOfPoint: (t: T) => number): T[][] {
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
export function clusterIntervals<T>(list: readonly T[], span: (t: T) => readonly [number, number]): T[][] {
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
