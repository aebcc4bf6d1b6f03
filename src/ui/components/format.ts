/** Formatting for people: durations and instants. Pure, so tests can pin them. */

/** `4:59`, `1:05:09`, `3 d 04:05:09` (seconds keep moving), and years once past a year. */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(total / 86_400);
  if (days >= 365) return `${(days / 365.25).toFixed(1)} years`;
  if (days >= 1) {
    const rest = total % 86_400;
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${days} d ${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  }
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/**
 * What `Date.prototype.toLocaleString()` formats with (ECMA-402: numeric date and time), made once:
 * each `toLocaleString` call builds it anew, and a list of 1,000 connections spent more script
 * time there than anywhere else (npm run bench).
 */
let localFormat: Intl.DateTimeFormat | undefined;
function local(d: Date): string {
  // The formatter throws on an invalid date, where toLocaleString says so.
  if (Number.isNaN(d.getTime())) return d.toLocaleString();
  localFormat ??= new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  return localFormat.format(d);
}

/** An instant as local time and UTC, for a title or tooltip. */
export function formatInstant(at: number): string {
  const d = new Date(at);
  return `${local(d)} (${d
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC")})`;
}

/** A short local time for lists. */
export function formatTime(at: number): string {
  return local(new Date(at));
}

/** The band a countdown is in; colour, wording and screen-reader announcements change only between bands. */
export type CountdownBand = "ok" | "soon" | "expired";

/**
 * `soon` once less than a fifth of the lifetime is left, but never earlier than 5 minutes before
 * nor later than 30 seconds before; without a known lifetime, the last minute.
 */
export function countdownBand(left: number, lifetime: number | null): CountdownBand {
  if (left <= 0) return "expired";
  const threshold = lifetime === null ? 60_000 : Math.min(300_000, Math.max(30_000, lifetime * 0.2));
  return left < threshold ? "soon" : "ok";
}

/** The host (and port) of an endpoint, to name where a request goes; null when there is no valid URL. */
export function formatHost(url: string | null | undefined): string | null {
  if (url == null) return null;
  // Not URL.parse: Safari before 18 lacks it.
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
