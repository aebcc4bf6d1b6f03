/**
 * The timeline's derivation without a DOM: which bars, chains and marks a history becomes, how a
 * zoom and a width lay them out (and group them when they would overlap), and the summary in words.
 */
import { describe, expect, it } from "vitest";
import { buildDiagnosticBundle, serializeBundle } from "../../src/store/bundle.ts";
import { parseDiagnosticBundle } from "../../src/store/bundle-parse.ts";
import { newConnection } from "../../src/store/lifecycle/shared.ts";
import type { Connection, ConnectionEvent } from "../../src/store/records.ts";
import { itemNear, layoutTimeline, neighbour } from "../../src/store/timeline/layout.ts";
import { markKind } from "../../src/store/timeline/marks.ts";
import { buildTimeline, nextChange } from "../../src/store/timeline/model.ts";
import { checkPicture, pictureFileName } from "../../src/store/timeline/picture.ts";
import { domainOf, type TimeFormat, ticksFor } from "../../src/store/timeline/scale.ts";
import type { TimelineEvent, TimelineSource } from "../../src/store/timeline/source.ts";
import { sourceFromBundle, sourceFromConnection } from "../../src/store/timeline/source.ts";
import { describeTimeline } from "../../src/store/timeline/summary.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const S = 1000;
const MIN = 60 * S;
const UTC: TimeFormat = { locale: "en-GB", timeZone: "UTC" };

let seq = 0;
function _event(
  at: number,
  type: string,
  summary: string,
  extra: Partial<TimelineEvent> = {},
): TimelineEvent {
  seq += 1;
  return {
    ref: `e${seq}`,
    at,
    type,
    summary,
    refreshTokenFingerprint: null,
    previousRefreshTokenFingerprint: null,
    answer: null,
    sentBody: null,
    ...extra,
  };
}

function _answer(status: number, body: object) {
  return { status, contentType: "application/json", body: JSON.stringify(body) };
}

/** Exchange, a refresh, a 429, another refresh, a hand-off and an invalid_grant, as settle.ts writes them. */
function _history(): TimelineEvent[] {
  seq = 0;
  const refresh = "grant_type=refresh_token&refresh_token=%5Brefresh_token%20aaaa0001%5D";
  return [
    _event(T0, "authorized", "Authorized at http://127.0.0.1:9000; code received."),
    _event(T0 + 5 * S, "exchanged", "Exchange: 200, new access token (expires in 120 s).", {
      refreshTokenFingerprint: "aaaa0001",
      accessExpiresAt: T0 + 125 * S,
      refreshExpiresAt: T0 + 5 * S + 86_400 * S,
      answer: _answer(200, { access_token: "[access_token 11110001]", expires_in: 120 }),
      sentBody: "grant_type=authorization_code&code=%5Bcode%20cccc0001%5D",
    }),
    _event(T0 + 65 * S, "refreshed", "Refresh: 200, new access token (expires in 120 s).", {
      refreshTokenFingerprint: "aaaa0002",
      previousRefreshTokenFingerprint: "aaaa0001",
      accessExpiresAt: T0 + 185 * S,
      answer: _answer(200, { expires_in: 120 }),
      sentBody: refresh,
    }),
    _event(
      T0 + 65 * S,
      "rotated",
      "Refresh token rotated: aaaa0001 replaced by aaaa0002; the old one is spent.",
      {
        refreshTokenFingerprint: "aaaa0002",
        previousRefreshTokenFingerprint: "aaaa0001",
      },
    ),
    _event(T0 + 125 * S, "failed", "Refresh failed: 429. Too many refreshes.", {
      answer: _answer(429, { error: "rate_limited" }),
      sentBody: refresh,
    }),
    _event(T0 + 245 * S, "refreshed", "Refresh: 200, new access token (expires in 120 s).", {
      refreshTokenFingerprint: "aaaa0003",
      previousRefreshTokenFingerprint: "aaaa0002",
      accessExpiresAt: T0 + 365 * S,
      answer: _answer(200, { expires_in: 120 }),
      sentBody: refresh,
    }),
    _event(
      T0 + 245 * S,
      "rotated",
      "Refresh token rotated: aaaa0002 replaced by aaaa0003; the old one is spent.",
      {
        refreshTokenFingerprint: "aaaa0003",
        previousRefreshTokenFingerprint: "aaaa0002",
      },
    ),
    _event(T0 + 305 * S, "exported", "Exported for a server (refresh token aaaa0003); auto-refresh off.", {
      refreshTokenFingerprint: "aaaa0003",
    }),
    _event(T0 + 3905 * S, "failed", "Refresh failed: 400. The refresh token was refused.", {
      answer: _answer(400, { error: "invalid_grant" }),
      sentBody: refresh,
    }),
  ];
}

function _source(events: TimelineEvent[], overrides: Partial<TimelineSource> = {}): TimelineSource {
  return {
    name: "demo · 2026-11-23 12:00",
    provider: "demo",
    clientId: "demo",
    events,
    code: { receivedAt: T0, expiresAt: T0 + 300 * S, sentAt: T0 + 4 * S },
    tokens: {
      receivedAt: T0 + 245 * S,
      hasAccessToken: true,
      accessExpiresAt: T0 + 365 * S,
      hasRefreshToken: true,
      refreshReceivedAt: T0 + 245 * S,
      refreshExpiresAt: T0 + 245 * S + 86_400 * S,
    },
    handedOffAt: T0 + 305 * S,
    refreshTokenStatus: "dead",
    ...overrides,
  };
}

describe("the mark a history line becomes", () => {
  it("tells failures apart by the answer, and draws unknown types as generic marks", () => {
    const [, , , , rateLimited, , , , refused] = _history();
    expect(markKind(rateLimited as TimelineEvent)).toBe("rate_limited");
    expect(markKind(refused as TimelineEvent)).toBe("invalid_grant");
    expect(markKind(_event(0, "failed", "Refresh: outcome unknown (upstream_timeout)."))).toBe(
      "outcome_unknown",
    );
    expect(markKind(_event(0, "failed", "Refresh refused by the relay: rate_limited."))).toBe("rate_limited");
    expect(markKind(_event(0, "failed", "Exchange refused by the relay: invalid_request."))).toBe("refused");
    expect(markKind(_event(0, "introspected", "Introspection: active."))).toBe("introspected");
    expect(markKind(_event(0, "api", "API call GET /me: 200 in 80 ms."))).toBe("api");
    expect(markKind(_event(0, "webhook", "Delivered."))).toBe("other");
    // A hostile bundle's type must not reach the object's prototype.
    expect(markKind(_event(0, "constructor", "x"))).toBe("other");
    expect(markKind(_event(0, "__proto__", "x"))).toBe("other");
  });
});

describe("the model of a history", () => {
  it("has one access bar per exchange or refresh, each replaced by the next, and a chain that ends refused", () => {
    const model = buildTimeline(_source(_history()));
    expect(model.access.map((b) => [b.n, b.start - T0, (b.expiresAt ?? 0) - T0, b.endReason])).toEqual([
      [1, 5 * S, 125 * S, "replaced"],
      [2, 65 * S, 185 * S, "replaced"],
      [3, 245 * S, 365 * S, null],
    ]);
    expect(model.links.map((l) => [l.fingerprint, l.start - T0, l.endReason, l.handedOffAt])).toEqual([
      ["aaaa0001", 5 * S, "rotated", null],
      ["aaaa0002", 65 * S, "rotated", null],
      ["aaaa0003", 245 * S, "refused", T0 + 305 * S],
    ]);
    expect(model.links[2]?.statedExpiry).toBe(T0 + 245 * S + 86_400 * S);
    expect(model.rotations).toHaveLength(2);
    expect(model.marks.map((m) => m.kind)).toEqual([
      "authorized",
      "exchanged",
      "refreshed",
      "rate_limited",
      "refreshed",
      "exported",
      "invalid_grant",
    ]);
    expect(model.code).toMatchObject({ start: T0, expiresAt: T0 + 300 * S, sentAt: T0 + 4 * S });
  });

  it("reads an old event's access expiry from its answer's expires_in, or its summary", () => {
    const [authorized, exchanged] = _history();
    const old = { ...(exchanged as TimelineEvent), accessExpiresAt: undefined };
    expect(buildTimeline(_source([authorized as TimelineEvent, old])).access[0]?.expiresAt).toBe(
      T0 + 125 * S,
    );
    const noBody = { ...old, answer: null, summary: "Exchange: 200, new access token (expires in 90 s)." };
    expect(buildTimeline(_source([noBody], { tokens: null })).access[0]?.expiresAt).toBe(T0 + 95 * S);
    const noLifetime = { ...old, answer: _answer(200, { token_type: "Bearer" }) };
    expect(buildTimeline(_source([noLifetime])).access[0]?.expiresAt).toBeNull();
  });

  it("ends an access bar at its revocation, and a chain at the refresh token's", () => {
    seq = 100;
    const model = buildTimeline(
      _source(
        [
          _event(T0, "exchanged", "Exchange: 200.", {
            refreshTokenFingerprint: "bbbb0001",
            accessExpiresAt: T0 + 3600 * S,
          }),
          _event(T0 + MIN, "revoked", "Revoked the access token 12345678.", {}),
          _event(T0 + 2 * MIN, "revoked", "Revoked the refresh token bbbb0001.", {
            refreshTokenFingerprint: "bbbb0001",
          }),
        ],
        { code: null, handedOffAt: null },
      ),
    );
    expect(model.access[0]).toMatchObject({ endedAt: T0 + MIN, endReason: "revoked" });
    expect(model.links[0]).toMatchObject({ endedAt: T0 + 2 * MIN, endReason: "revoked" });
  });

  it("changes state next when the latest access token expires", () => {
    const model = buildTimeline(_source(_history()));
    expect(nextChange(model, T0 + 300 * S)).toBe(T0 + 365 * S);
    expect(nextChange(model, T0 + 400 * S)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("the summary", () => {
  it("says what the picture shows, with the invalid_grant put after the hand-off", () => {
    const model = buildTimeline(_source(_history()));
    expect(describeTimeline(model, T0 + 4000 * S, UTC)).toBe(
      "3 access tokens, 2 refreshes, 2 rotations. Code received 12:00:00, sent for exchange 12:00:04. 429 rate limited at 12:02:05. invalid_grant at 13:05:05 after the hand-off at 12:05:05 (most likely a refresh elsewhere spent the refresh token). Now: access token 3 expired 12:06:05; refresh token aaaa0003 refused since 13:05:05.",
    );
  });
});

describe("the layout", () => {
  const width = 800;

  it("draws bars and marks with the history's words, and a hand-off guide", () => {
    const model = buildTimeline(_source(_history()));
    const now = T0 + 4000 * S;
    const layout = layoutTimeline({
      model,
      domain: domainOf({ kind: "all" }, model, now),
      width,
      now,
      fmt: UTC,
    });
    const lane = (id: string) => layout.lanes.find((l) => l.id === id)?.items ?? [];
    expect(layout.lanes.map((l) => l.title)).toEqual([
      "Authorization code",
      "Access tokens",
      "Refresh token lineage",
      "History",
    ]);
    expect(lane("access").map((i) => i.label)).toEqual([
      "Access token 1 of 3, issued 23/11/2026, 12:00:05; replaced 23/11/2026, 12:01:05, stated expiry 23/11/2026, 12:02:05. From the history: 23/11/2026, 12:00:05 exchanged Exchange: 200, new access token (expires in 120 s).",
      "Access token 2 of 3, issued 23/11/2026, 12:01:05; replaced 23/11/2026, 12:04:05. From the history: 23/11/2026, 12:01:05 refreshed Refresh: 200, new access token (expires in 120 s).",
      "Access token 3 of 3, issued 23/11/2026, 12:04:05; expired 23/11/2026, 12:06:05. From the history: 23/11/2026, 12:04:05 refreshed Refresh: 200, new access token (expires in 120 s).",
    ]);
    // The first two are close together at this zoom (an hour on 800 px), so they are grouped.
    const history = lane("events");
    expect(history.map((i) => i.draw.kind)).toContain("mark");
    const invalid = history.find((i) => i.label.includes("invalid_grant") || i.label.includes("refused"));
    // Its visible tag is not in the history's words, so its name begins with it.
    expect(invalid?.label).toBe(
      "invalid_grant: 23/11/2026, 13:05:05 failed Refresh failed: 400. The refresh token was refused.",
    );
    expect(invalid?.draw).toMatchObject({ kind: "mark", mark: "invalid_grant", tag: "invalid_grant" });
    expect(layout.guides).toEqual([{ x: expect.any(Number), label: "handed off" }]);
    const chain = lane("refresh");
    expect(chain.find((i) => i.key.startsWith("l:"))?.label).toContain("Refresh token aaaa0001, 1 of 3");
    expect(
      chain.some((i) => i.label.includes("aaaa0003, 3 of 3") && i.label.includes("refused by the provider")),
    ).toBe(true);
  });

  it("groups the code and its exchange 5 s apart in the first minutes, and zooming in parts them", () => {
    const model = buildTimeline(_source(_history()));
    const now = T0 + 4000 * S;
    const layout = layoutTimeline({
      model,
      domain: domainOf({ kind: "range", from: T0 - 10 * S, to: T0 + 320 * S }, model, now),
      width,
      now,
      fmt: UTC,
    });
    const history = layout.lanes.find((l) => l.id === "events")?.items ?? [];
    const kinds = (items: typeof history) =>
      items.map((i) =>
        i.draw.kind === "mark"
          ? i.draw.mark
          : `${i.draw.kind} of ${i.draw.kind === "group" ? i.draw.count : 0}`,
      );
    expect(kinds(history)).toEqual(["group of 2", "refreshed", "rate_limited", "refreshed", "exported"]);
    expect(history[0]?.label).toBe(
      "2 history lines (1 code received, 1 code exchange) from 23/11/2026, 12:00:00 to 23/11/2026, 12:00:05. Enter zooms in.",
    );
    expect(history[2]?.draw).toMatchObject({ tag: "429" });
    const zoomed = layoutTimeline({
      model,
      domain: history[0]?.zoomTo ?? layout.domain,
      width,
      now,
      fmt: UTC,
    });
    expect(kinds(zoomed.lanes.find((l) => l.id === "events")?.items ?? [])).toEqual([
      "authorized",
      "exchanged",
    ]);
  });

  it("labels the axis by zoom: minutes for the last hour, hours for the last day", () => {
    const model = buildTimeline(_source(_history()));
    const now = T0 + 4000 * S;
    const hour = ticksFor(domainOf({ kind: "hour" }, model, now), 8, 792, UTC).map((t) => t.label);
    const day = ticksFor(domainOf({ kind: "day" }, model, now), 8, 792, UTC).map((t) => t.label);
    expect(hour).toEqual(["12:10", "12:20", "12:30", "12:40", "12:50", "13:00", "13:10"]);
    // The day is 26 h wide (room after now): 6-hourly ticks, the local midnight named by its date.
    expect(day).toEqual(["18:00", "23 Nov", "06:00", "12:00"]);
    expect(
      ticksFor(domainOf({ kind: "hour" }, model, now), 8, 792, {
        locale: "en-GB",
        timeZone: "Asia/Kolkata",
      })[0],
    ).toMatchObject({
      label: "17:40",
      utcLabel: "12:10",
    });
  });

  it("groups 10,000 lines into a bounded number of shapes that open by zooming in", () => {
    seq = 1000;
    const events: TimelineEvent[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const at = T0 + i * MIN;
      events.push(
        _event(at, "refreshed", "Refresh: 200, new access token (expires in 3600 s).", {
          refreshTokenFingerprint: `f${String(i).padStart(7, "0")}`,
          answer: _answer(200, { expires_in: 3600 }),
        }),
        _event(at, "rotated", "Refresh token rotated.", {
          refreshTokenFingerprint: `f${String(i).padStart(7, "0")}`,
        }),
      );
    }
    events.splice(
      10_001,
      0,
      _event(T0 + 5000 * MIN + 30 * S, "failed", "Refresh failed: 429.", { answer: _answer(429, {}) }),
    );
    const now = T0 + 10_000 * MIN;
    const model = buildTimeline(
      _source(events, { code: null, handedOffAt: null, refreshTokenStatus: "active" }),
    );
    const layout = layoutTimeline({
      model,
      domain: domainOf({ kind: "all" }, model, now),
      width,
      now,
      fmt: UTC,
    });
    expect(layout.itemCount).toBeLessThan(200);
    const history = layout.lanes.find((l) => l.id === "events")?.items ?? [];
    const groups = history.filter((i) => i.draw.kind === "group");
    expect(groups.length).toBeGreaterThan(10);
    expect(groups.reduce((n, i) => n + (i.draw.kind === "group" ? i.draw.count : 0), 0)).toBe(10_001);
    const withFailure = groups.find((i) => i.draw.kind === "group" && i.draw.failure);
    expect(withFailure?.label).toMatch(
      /^\d+ history lines \(\d+ refreshes, 1 429 rate limited\) from .* Enter zooms in\.$/,
    );
    // Zooming into a group again and again shows fewer lines per shape, until they are apart.
    let group = groups[0];
    const sizes: number[] = [];
    for (let step = 0; step < 6 && group?.zoomTo; step += 1) {
      const zoomed = layoutTimeline({ model, domain: group.zoomTo, width, now, fmt: UTC });
      const lane = zoomed.lanes.find((l) => l.id === "events")?.items ?? [];
      expect(zoomed.itemCount).toBeLessThan(200);
      sizes.push(Math.max(...lane.map((i) => (i.draw.kind === "group" ? i.draw.count : 1))));
      group = lane.find((i) => i.draw.kind === "group");
    }
    expect(sizes[sizes.length - 1]).toBe(1);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });

  it("cannot zoom apart lines of the same instant, and says Enter opens the first", () => {
    seq = 50_000;
    const events = [0, 1, 2].map((i) => _event(T0, "settings", `Auto-refresh ${i % 2 ? "on" : "off"}.`));
    const model = buildTimeline(_source(events, { code: null, tokens: null, handedOffAt: null }));
    const layout = layoutTimeline({
      model,
      domain: domainOf({ kind: "all" }, model, T0),
      width,
      now: T0,
      fmt: UTC,
    });
    const [group] = layout.lanes.find((l) => l.id === "events")?.items ?? [];
    expect(group?.zoomTo).toBeNull();
    expect(group?.label).toBe(
      "3 history lines (3 settings changes) at 23/11/2026, 12:00:00. Enter opens the first in the history.",
    );
    expect(group?.ref).toBe(events[0]?.ref);
  });

  it("moves focus left, right, and between lanes to the nearest item", () => {
    const model = buildTimeline(_source(_history()));
    const now = T0 + 400 * S;
    const layout = layoutTimeline({
      model,
      domain: domainOf({ kind: "range", from: T0 - 10 * S, to: T0 + 320 * S }, model, now),
      width,
      now,
      fmt: UTC,
    });
    const first = itemNear(layout, null, null, null);
    expect(first?.key).toBe("code");
    const down = neighbour(layout, "code", "down");
    expect(down?.lane).toBe("access");
    expect(neighbour(layout, down?.key ?? "", "next")?.label).toContain("Access token 2 of 3");
    expect(neighbour(layout, "code", "up")).toBeNull();
    const last = neighbour(layout, down?.key ?? "", "last");
    expect(last?.label).toContain("Access token 3 of 3");
  });
});

describe("a type this version does not know", () => {
  it("is drawn as a generic mark named with its history line", () => {
    seq = 60_000;
    const hook = _event(T0 + 30 * S, "webhook", "Delivered to /hooks/1: 200 (180 ms).");
    const model = buildTimeline(_source([hook], { code: null, tokens: null, handedOffAt: null }));
    const layout = layoutTimeline({
      model,
      domain: domainOf({ kind: "all" }, model, T0 + MIN),
      width: 800,
      now: T0 + MIN,
      fmt: UTC,
    });
    const [mark] = layout.lanes.find((l) => l.id === "events")?.items ?? [];
    expect(mark?.draw).toMatchObject({ kind: "mark", mark: "other", tag: null });
    expect(mark?.label).toBe("23/11/2026, 12:00:30 webhook Delivered to /hooks/1: 200 (180 ms).");
    expect(mark?.ref).toBe(hook.ref);
    expect(layout.legend.map((e) => e.words)).toContain("other event");
  });
});

describe("the same picture from a diagnostic bundle", () => {
  it("comes out of a bundle as out of the stored records, and out of an older bundle without the expiry fields", async () => {
    const at = T0;
    const id = "bundle-timeline";
    const body = (access: string, refresh: string) =>
      JSON.stringify({ access_token: access, token_type: "Bearer", expires_in: 120, refresh_token: refresh });
    const exchange = (access: string, refresh: string, grant: string) => ({
      sent: {
        method: "POST",
        url: "http://127.0.0.1:9000/token",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `grant_type=${grant}`,
      },
      upstream: { status: 200, headers: { "content-type": "application/json" }, body: body(access, refresh) },
      ms: 20,
    });
    const stored: ConnectionEvent[] = [
      {
        id: "1",
        connectionId: id,
        at,
        type: "authorized",
        summary: "Authorized; code received.",
        exchange: null,
        refreshTokenFingerprint: null,
        previousRefreshTokenFingerprint: null,
      },
      {
        id: "2",
        connectionId: id,
        at: at + 5 * S,
        type: "exchanged",
        summary: "Exchange: 200, new access token (expires in 120 s).",
        exchange: exchange("[access_token 00000001]", "[refresh_token 0000000a]", "authorization_code"),
        refreshTokenFingerprint: "0000000a",
        previousRefreshTokenFingerprint: null,
        accessExpiresAt: at + 125 * S,
        refreshExpiresAt: null,
      },
      {
        id: "3",
        connectionId: id,
        at: at + 65 * S,
        type: "refreshed",
        summary: "Refresh: 200, new access token (expires in 120 s).",
        exchange: exchange("[access_token 00000002]", "[refresh_token 0000000b]", "refresh_token"),
        refreshTokenFingerprint: "0000000b",
        previousRefreshTokenFingerprint: "0000000a",
        accessExpiresAt: at + 185 * S,
        refreshExpiresAt: null,
      },
    ];
    const connection: Connection = {
      ...newConnection(id, at, { clientId: "demo", provider: "demo" }),
      authorization: {
        code: "code-1234567890",
        codeVerifier: "verifier-1234567890",
        redirectUri: "http://127.0.0.1:5173/callback/",
        receivedAt: at,
        expiresAt: at + 300 * S,
        iss: null,
        extra: {},
        exchangeStartedAt: at + 4 * S,
      },
      tokenSet: {
        accessToken: "at-2-secret",
        tokenType: "Bearer",
        scope: null,
        refreshToken: "rt-b-secret",
        idToken: null,
        receivedAt: at + 65 * S,
        accessExpiresAt: at + 185 * S,
        refreshExpiresAt: null,
        refreshExpirySource: "none",
        refreshReceivedAt: at + 65 * S,
        raw: {},
      },
    };
    const bundle = await buildDiagnosticBundle(connection, stored, {
      now: at + 200 * S,
      client: null,
      appOrigin: null,
      relayBase: null,
    });
    const fromRecords = buildTimeline(sourceFromConnection(connection, stored, (e) => `history-${e.id}`));
    const shape = (m: ReturnType<typeof buildTimeline>) => ({
      code: m.code && { ...m.code, event: m.code.event?.type },
      access: m.access.map((b) => [b.start, b.expiresAt, b.endedAt, b.endReason]),
      links: m.links.map((l) => [l.fingerprint, l.start, l.endedAt, l.endReason]),
      marks: m.marks.map((k) => [k.event.at, k.kind, k.event.summary]),
    });
    const parsed = parseDiagnosticBundle(JSON.parse(serializeBundle(bundle)));
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(shape(buildTimeline(sourceFromBundle(parsed.bundle, (i) => `bundle-entry-${i + 1}`)))).toEqual(
      shape(fromRecords),
    );
    // A bundle made before events recorded their expiries: the answers' expires_in gives the same bars.
    const older = JSON.parse(serializeBundle(bundle));
    for (const entry of older.log.entries) {
      delete entry.event.accessExpiresAt;
      delete entry.event.refreshExpiresAt;
    }
    const olderParsed = parseDiagnosticBundle(older);
    if (!olderParsed.ok) throw new Error(olderParsed.problem);
    expect(shape(buildTimeline(sourceFromBundle(olderParsed.bundle, String)))).toEqual(shape(fromRecords));
    // A malformed expiry is refused with the entry named.
    older.log.entries[1].event.accessExpiresAt = "soon";
    expect(parseDiagnosticBundle(older)).toEqual({ ok: false, problem: "Its log entry 2 is malformed." });
  });
});

describe("a saved picture", () => {
  it("is refused when it would hold a credential of the connection, in any form, or a JWT", () => {
    const secrets: Array<readonly [string, string]> = [["refresh_token", "rt-<&>-0123456789"]];
    expect(checkPicture("<svg><desc>fingerprint 1a2b3c4d</desc></svg>", secrets)).toContain("1a2b3c4d");
    for (const leak of [
      "rt-<&>-0123456789",
      "rt-&lt;&amp;&gt;-0123456789",
      encodeURIComponent("rt-<&>-0123456789"),
    ]) {
      expect(() => checkPicture(`<svg><text>${leak}</text></svg>`, secrets)).toThrow(
        "The picture would show the connection's refresh_token; nothing was saved.",
      );
    }
    expect(() => checkPicture("<svg>eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln</svg>", [])).toThrow(
      "The picture would show a JWT; nothing was saved.",
    );
    expect(pictureFileName("demo", "my client/1", T0, "svg")).toBe(
      "tokendesk-timeline-demo-my-client-1-2026-11-23.svg",
    );
  });
});
