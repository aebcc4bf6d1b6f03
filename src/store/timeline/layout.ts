/**
 * Where everything goes for one zoom and width: lanes, bars, marks, the axis and the legend. Marks and
 * bars that would overlap at this zoom become one group ("37 refreshes") that opens by zooming in, so
 * however long the history, the picture holds at most a few hundred shapes and focus stops.
 */
import type { Geometry } from "./grouping.ts";
import {
  accessItems,
  BAR_H,
  codeItems,
  EVENTS_H,
  type Item,
  type LaneId,
  MARK_R,
  markItems,
  refreshItems,
  visibleMarks,
} from "./items.ts";
import { MARK_STYLES, type MarkKind } from "./marks.ts";
import type { TimelineModel } from "./model.ts";
import { type Domain, type Tick, type TimeFormat, ticksFor, xOf } from "./scale.ts";

export { historyWords } from "./grouping.ts";
export type { BarLook, Box, Draw, Item, LaneId } from "./items.ts";

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
const CHAR_W = 6.2;

const LANE_TITLES: Readonly<Record<LaneId, string>> = {
  code: "Authorization code",
  access: "Access tokens",
  refresh: "Refresh token lineage",
  events: "History",
};

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
