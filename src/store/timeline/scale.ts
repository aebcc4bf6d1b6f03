/**
 * Time on the picture's axis: the range each zoom shows, instants to pixels, and axis ticks labelled
 * in local time (UTC beside them for hover and focus). Locale and time zone can be fixed, for tests;
 * by default they are the browser's, the same as the history list's.
 */
import type { TimelineModel } from "./model.ts";

export interface Domain {
  readonly from: number;
  readonly to: number;
}

/** The last hour, the last day, the whole history, or a range picked by opening a group of marks. */
export type Zoom =
  | { readonly kind: "hour" }
  | { readonly kind: "day" }
  | { readonly kind: "all" }
  | { readonly kind: "range"; readonly from: number; readonly to: number };

export interface TimeFormat {
  readonly locale?: string | undefined;
  readonly timeZone?: string | undefined;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** No zoom shows less than this: closer marks are listed together instead. */
export const MIN_SPAN_MS = 2 * SECOND;

/** The range a zoom shows at `now`. Ranges that end at now leave a little room after it. */
export function domainOf(zoom: Zoom, model: TimelineModel, now: number): Domain {
  switch (zoom.kind) {
    case "hour":
      return { from: now - HOUR, to: now + HOUR / 12 };
    case "day":
      return { from: now - DAY, to: now + DAY / 12 };
    case "range":
      return { from: zoom.from, to: Math.max(zoom.to, zoom.from + MIN_SPAN_MS) };
    case "all": {
      const first = Number.isFinite(model.first) ? model.first : now;
      // The latest stated expiry counts only when it is near: a refresh token's 60 days would
      // squeeze a morning's history into a sliver; it is drawn as a note at the edge instead.
      const end = Math.max(now, Number.isFinite(model.last) ? model.last : now);
      const reach =
        Number.isFinite(model.reach) && model.reach - end < (end - first) * 0.5 ? model.reach : end;
      const to = Math.max(end, reach);
      // A walk of a few seconds fills the width; bars that go on past it say so at the edge.
      const span = Math.max(to - first, 10 * SECOND);
      // Room after now, so the drawing is remade only when now reaches the edge: every 5 s for a
      // walk of seconds, less often the longer the history.
      return { from: first - span * 0.04, to: first + span + Math.max(span * 0.2, 5 * SECOND) };
    }
  }
}

/** Horizontal position of an instant, between `left` and `right` pixels. */
export function xOf(domain: Domain, left: number, right: number, at: number): number {
  return left + ((at - domain.from) / (domain.to - domain.from)) * (right - left);
}

/** The instant at a horizontal position (for zooming into what lies under a group). */
export function atOf(domain: Domain, left: number, right: number, x: number): number {
  return domain.from + ((x - left) / (right - left)) * (domain.to - domain.from);
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(fmt: TimeFormat, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${fmt.locale ?? ""}|${fmt.timeZone ?? ""}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(fmt.locale, {
      ...options,
      ...(fmt.timeZone ? { timeZone: fmt.timeZone } : {}),
    });
    formats.set(key, f);
  }
  return f;
}

/** An instant as the history list writes it (date and time, local), so marks and lines read alike. */
export function formatWhen(at: number, fmt: TimeFormat = {}): string {
  return fmt.locale === undefined && fmt.timeZone === undefined
    ? new Date(at).toLocaleString()
    : new Date(at).toLocaleString(fmt.locale, fmt.timeZone ? { timeZone: fmt.timeZone } : undefined);
}

/** An instant in UTC, `2026-11-23 12:00:05 UTC`. */
export function formatUtc(at: number): string {
  return new Date(at)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** A time of day, `14:02` or `14:02:05`. */
export function formatClock(at: number, fmt: TimeFormat = {}, seconds = true): string {
  return formatter(fmt, {
    hour: "2-digit",
    minute: "2-digit",
    ...(seconds ? { second: "2-digit" } : {}),
    hourCycle: "h23",
  }).format(at);
}

/** A day, `23 Nov`. */
export function formatDay(at: number, fmt: TimeFormat = {}): string {
  return formatter(fmt, { day: "numeric", month: "short" }).format(at);
}

/** The local time zone's offset from UTC at `at`, in ms (east positive). */
export function offsetAt(at: number, fmt: TimeFormat = {}): number {
  if (fmt.timeZone === undefined) return -new Date(at).getTimezoneOffset() * MINUTE;
  const parts = formatter(
    { timeZone: fmt.timeZone, locale: "en-US" },
    {
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    },
  ).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return local - Math.floor(at / SECOND) * SECOND;
}

const STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
  365 * DAY,
];

export interface Tick {
  readonly at: number;
  readonly x: number;
  /** Local time: `14:00`, `14:00:30`, or the day at a local midnight. */
  readonly label: string;
  /** The same grain in UTC, shown while the axis has focus or the pointer. */
  readonly utcLabel: string;
  /** The full instant in UTC, for the tooltip. */
  readonly utc: string;
}

/** Ticks for an axis `width` px wide, at round local times, one every 90 px or more. */
export function ticksFor(domain: Domain, left: number, right: number, fmt: TimeFormat = {}): Tick[] {
  const span = domain.to - domain.from;
  const most = Math.max(2, Math.floor((right - left) / 90));
  const step = STEPS.find((s) => span / s <= most) ?? STEPS[STEPS.length - 1] ?? DAY;
  const offset = offsetAt(domain.from, fmt);
  const ticks: Tick[] = [];
  for (let at = Math.ceil((domain.from + offset) / step) * step - offset; at <= domain.to; at += step) {
    const midnight = (at + offsetAt(at, fmt)) % DAY === 0;
    const label = step >= DAY || midnight ? formatDay(at, fmt) : formatClock(at, fmt, step < MINUTE);
    const utc = { locale: fmt.locale, timeZone: "UTC" };
    const utcLabel = step >= DAY || at % DAY === 0 ? formatDay(at, utc) : formatClock(at, utc, step < MINUTE);
    ticks.push({ at, x: xOf(domain, left, right, at), label, utcLabel, utc: formatUtc(at) });
    if (ticks.length > 40) break;
  }
  return ticks;
}
