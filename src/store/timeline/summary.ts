/**
 * The picture in words: what a support user would say looking at it ("3 access tokens, 2 rotations,
 * invalid_grant at 14:02 after the hand-off"). It is the picture's accessible description and the
 * saved file's <desc>, so it names instants and fingerprints only.
 */
import { countOf, MARK_STYLES, type MarkKind, requestOf } from "./marks.ts";
import type { Mark, RefreshLink, TimelineModel } from "./model.ts";
import { formatClock, formatDay, type TimeFormat } from "./scale.ts";

const DAY = 86_400_000;

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

/** The link a line happened on: the last one issued at or before it. */
function linkAt(links: readonly RefreshLink[], at: number): RefreshLink | null {
  let found: RefreshLink | null = null;
  for (const link of links) {
    if (link.start > at) break;
    found = link;
  }
  return found;
}

/** Describes the whole history and where things stand at `now`. */
export function describeTimeline(model: TimelineModel, now: number, fmt: TimeFormat = {}): string {
  if (model.code === null && model.marks.length === 0 && model.rotations.length === 0) {
    return "Nothing has happened on this connection yet.";
  }
  const when = (at: number) =>
    Math.abs(now - at) < DAY / 2
      ? formatClock(at, fmt)
      : `${formatDay(at, fmt)} ${formatClock(at, fmt, false)}`;
  const sentences: string[] = [];

  const counts = [plural(model.access.length, "access token", "access tokens")];
  let refreshes = 0;
  for (const m of model.marks) if (m.kind === "refreshed") refreshes += 1;
  if (refreshes > 0) counts.push(countOf("refreshed", refreshes));
  if (model.rotations.length > 0) counts.push(countOf("rotated", model.rotations.length));
  sentences.push(counts.join(", "));

  const code = model.code;
  if (code !== null) {
    sentences.push(
      code.sentAt !== null
        ? `Code received ${when(code.start)}, sent for exchange ${when(code.sentAt)}`
        : code.expiresAt !== null && code.expiresAt <= now
          ? `Code received ${when(code.start)}, expired unused ${when(code.expiresAt)}`
          : `Code received ${when(code.start)}, not exchanged yet`,
    );
  }

  let handOffSaid = false;
  const failures = new Map<MarkKind, Mark[]>();
  for (const m of model.marks) {
    if (!MARK_STYLES[m.kind].failure) continue;
    const list = failures.get(m.kind);
    if (list === undefined) failures.set(m.kind, [m]);
    else list.push(m);
  }
  for (const [kind, marks] of failures) {
    const name = MARK_STYLES[kind].one;
    if (marks.length > 3) {
      const first = marks[0]?.event.at ?? now;
      const last = marks[marks.length - 1]?.event.at ?? now;
      sentences.push(
        `${marks.length.toLocaleString("en")} × ${name}, first ${when(first)}, last ${when(last)}`,
      );
      continue;
    }
    for (const m of marks) {
      let why = "";
      const link = linkAt(model.links, m.event.at);
      if (kind === "invalid_grant" && requestOf(m.event) === "refresh_token" && link !== null) {
        if (link.handedOffAt !== null) {
          why = ` after the hand-off at ${when(link.handedOffAt)} (most likely a refresh elsewhere spent the refresh token)`;
          handOffSaid = true;
        } else if (link.unknownFrom !== null) {
          why = ` after a refresh whose outcome was unknown at ${when(link.unknownFrom)}`;
        }
      }
      sentences.push(`${name} at ${when(m.event.at)}${why}`);
    }
  }
  if (model.handedOffAt !== null && !handOffSaid)
    sentences.push(`Handed off to a server at ${when(model.handedOffAt)}`);
  for (const m of model.marks) {
    if (m.kind !== "revoked") continue;
    sentences.push(
      `${m.event.refreshTokenFingerprint === null ? "Access token" : `Refresh token ${m.event.refreshTokenFingerprint}`} revoked at ${when(m.event.at)}`,
    );
  }

  const bar = model.access[model.access.length - 1];
  const access =
    bar === undefined || bar.endedAt !== null
      ? "no access token"
      : bar.expiresAt === null
        ? `access token ${bar.n}, no expiry stated`
        : bar.expiresAt > now
          ? `access token ${bar.n} valid until ${when(bar.expiresAt)}`
          : `access token ${bar.n} expired ${when(bar.expiresAt)}`;
  const link = model.links[model.links.length - 1];
  const fp = link?.fingerprint ?? "";
  const refresh =
    link === undefined
      ? "no refresh token"
      : link.endReason === "refused"
        ? `refresh token ${fp} refused since ${when(link.endedAt ?? now)}`
        : link.endReason === "revoked"
          ? `refresh token ${fp} revoked`
          : link.endReason === "rotated" || model.refreshTokenStatus === "dead"
            ? "no working refresh token"
            : link.unknownFrom !== null || model.refreshTokenStatus === "unknown"
              ? `refresh token ${fp} in an unknown state`
              : link.statedExpiry === null
                ? `refresh token ${fp} in use, no expiry stated`
                : link.statedExpiry > now
                  ? `refresh token ${fp} in use until ${when(link.statedExpiry)}`
                  : `refresh token ${fp} past its stated expiry`;
  sentences.push(`Now: ${access}; ${refresh}`);
  return `${sentences.join(". ")}.`;
}
