/**
 * The shapes of each lane for one zoom: the code's bar, the access tokens' bars, the refresh token's
 * lineage with its rotations, and the history's marks, each named in the history's words.
 */
import {
  breakdown,
  clusterIntervals,
  clusterPoints,
  type Geometry,
  groupLabel,
  historyWords,
  lowerBound,
  MIN_BAR,
  saysAlready,
  zoomFor,
} from "./grouping.ts";
import { MARK_STYLES, type MarkKind } from "./marks.ts";
import type { AccessBar, Mark, RefreshLink, TimelineModel } from "./model.ts";
import { type Domain, formatWhen } from "./scale.ts";

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

export const BAR_H = 14;
export const EVENTS_H = 30;
export const MARK_R = 5;
const CHAR_W = 6.2;

/** Tokens too close to tell apart at this zoom, drawn as one box with their count; zooming in parts them. */
function tokenGroup(
  item: Pick<Item, "key" | "lane" | "at" | "label" | "ref" | "zoomTo">,
  group: { readonly x0: number; readonly x1: number; readonly y: number; readonly count: number },
): Item {
  const { x0, x1, y, count } = group;
  return {
    ...item,
    x: x0,
    box: { x: x0 - 2, y: y - 2, w: x1 - x0 + 4, h: BAR_H + 4 },
    draw: { kind: "group", x0, x1, y, h: BAR_H, count, failure: false },
  };
}

/**
 * One token's bar on its lane (an access token, or a link of the refresh-token lineage), boxed a
 * little wider than drawn so focus shows around it; never a group, so nothing to zoom to.
 */
function tokenBar(
  item: Pick<Item, "key" | "lane" | "at" | "label" | "ref">,
  bar: Omit<Extract<Draw, { kind: "bar" }>, "kind" | "h">,
): Item {
  return {
    ...item,
    x: bar.x0,
    zoomTo: null,
    box: { x: bar.x0 - 2, y: bar.y - 2, w: bar.x1 - bar.x0 + 4, h: BAR_H + 4 },
    draw: { kind: "bar", ...bar, h: BAR_H },
  };
}

export function codeItems(model: TimelineModel, g: Geometry, bandY: number): Item[] {
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

export function accessItems(model: TimelineModel, g: Geometry, bandY: number): Item[] {
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
      return tokenGroup(
        {
          key: `ag:${first.event.ref}`,
          lane: "access",
          at: first.start,
          label: groupLabel(
            g,
            `${members.length.toLocaleString("en")} access tokens issued`,
            first.start,
            lastBar.start,
            zoomTo,
          ),
          ref: first.event.ref,
          zoomTo,
        },
        { x0, x1, y: bandY, count: members.length },
      );
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
    return tokenBar(
      {
        key: `a:${bar.event.ref}`,
        lane: "access",
        at: bar.start,
        label: `Access token ${bar.n} of ${total}, issued ${formatWhen(bar.start, g.fmt)}; ${accessState(bar, g)}. From the history: ${historyWords(bar.event, g.fmt)}`,
        ref: bar.event.ref,
      },
      {
        x0,
        x1,
        y: bandY,
        look: current ? "current" : "past",
        tail,
        cap,
        open: bodyEnd(bar) > g.domain.to,
        text: x1 - x0 >= 18 ? String(bar.n) : null,
      },
    );
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

export function refreshItems(
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
      items.push(
        tokenGroup(
          {
            key: `lg:${first.event.ref}`,
            lane: "refresh",
            at: first.start,
            label: groupLabel(
              g,
              `${members.length.toLocaleString("en")} refresh tokens, each replacing the one before,`,
              first.start,
              lastLink.start,
              zoomTo,
            ),
            ref: first.event.ref,
            zoomTo,
          },
          { x0, x1, y: bandY, count: members.length },
        ),
      );
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
    items.push(
      tokenBar(
        {
          key: `l:${link.event.ref}`,
          lane: "refresh",
          at: link.start,
          label: `Refresh token ${link.fingerprint ?? "without a fingerprint"}, ${link.n} of ${total} in its lineage, issued ${formatWhen(link.start, g.fmt)}; ${linkState(link, g, model.refreshTokenStatus)}${handed}. From the history: ${historyWords(link.event, g.fmt)}`,
          ref: link.event.ref,
        },
        {
          x0,
          x1,
          y: bandY,
          look: current ? "current" : "past",
          tail,
          cap,
          open: bodyEnd(link) > g.domain.to,
          text: link.fingerprint !== null && x1 - x0 >= 64 ? link.fingerprint : null,
        },
      ),
    );
  }
  // Rotations where links are drawn apart; where links are grouped, the group already counts them.
  const rotations = visibleMarks(model.rotations, g).filter((m) => {
    const x = g.x(m.event.at);
    return !grouped.some(([a, b]) => x >= a - 1 && x <= b + 1);
  });
  items.push(...markItems(rotations, g, "refresh", bandY + BAR_H / 2, false));
  return items.sort((a, b) => a.x - b.x);
}

export function visibleMarks(marks: readonly Mark[], g: Geometry): readonly Mark[] {
  const from = lowerBound(marks, g.domain.from, (m) => m.event.at);
  const to = lowerBound(marks, g.domain.to + 1, (m) => m.event.at);
  return marks.slice(from, to);
}

export function markItems(
  marks: readonly Mark[],
  g: Geometry,
  lane: LaneId,
  cy: number,
  tags: boolean,
): Item[] {
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
