/**
 * Connection summaries: what the list reads instead of whole connections (issue 14). Written with
 * every connection, built for older databases by the schema 3 migration, read without touching a
 * token set, an exchange or a history line, and carried across backups made before and after them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { decodePayload, encodePayload, PAYLOAD_KIND } from "../../src/store/backup-payload.ts";
import { type Db, openDb, prefixRange, req, SCHEMA_VERSION, StorageError } from "../../src/store/db.ts";
import { restoreBackup } from "../../src/store/lifecycle/restore.ts";
import { listSummaries, readSummaries } from "../../src/store/list.ts";
import type { Connection, ConnectionEvent } from "../../src/store/records.ts";
import { deleteConnection, putConnection, rememberAccount, renameConnection } from "../../src/store/repo.ts";
import { type ConnectionStatus, statusOf } from "../../src/store/status.ts";
import { connectionStatus, summarize } from "../../src/store/summary.ts";
import { _expectSummariesInStep } from "./_summaries.ts";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
let dbCount = 0;
const opened: Db[] = [];

async function _db(): Promise<Db> {
  dbCount += 1;
  const db = await openDb(`summaries-${dbCount}`);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) await _expectSummariesInStep(db);
});

function _connection(id: string, overrides: Partial<Connection> = {}): Connection {
  return {
    id,
    name: `Connection ${id}`,
    clientId: "demo",
    provider: "demo",
    scopeRequested: "openid",
    createdAt: NOW - 60_000,
    updatedAt: NOW,
    revision: 4,
    authorization: {
      code: `code-${id}-SECRET`,
      codeVerifier: "verifier-SECRET",
      redirectUri: "http://127.0.0.1:5173/callback/",
      receivedAt: NOW - 60_000,
      expiresAt: NOW + 240_000,
      iss: null,
      extra: {},
      exchangeStartedAt: NOW - 59_000,
    },
    tokenSet: {
      accessToken: `at-${id}-SECRET`,
      tokenType: "Bearer",
      scope: "openid",
      refreshToken: `rt-${id}-SECRET`,
      idToken: null,
      receivedAt: NOW - 50_000,
      accessExpiresAt: NOW + 3_550_000,
      refreshExpiresAt: null,
      refreshExpirySource: "none",
      refreshReceivedAt: NOW - 50_000,
      raw: { access_token: `at-${id}-SECRET` },
    },
    refreshTokenStatus: "active",
    lastExchange: {
      at: NOW - 50_000,
      grantType: "authorization_code",
      envelope: {
        sent: { method: "POST", url: "http://as.test/token", headers: {}, body: "code=SECRET" },
        upstream: { status: 200, headers: {}, body: '{"access_token":"SECRET"}' },
        ms: 12,
      },
      sent: null,
      relayError: null,
    },
    problem: null,
    settings: { autoRefresh: false, autoRefreshLeadSeconds: 30 },
    handedOffAt: null,
    inFlight: null,
    recentRefreshes: [],
    retryAfterUntil: null,
    ...overrides,
  };
}

function _event(connectionId: string, n: number): ConnectionEvent {
  return {
    id: `0000000${n}-${connectionId}`,
    connectionId,
    at: NOW - 50_000 + n,
    type: "refreshed",
    summary: "Refresh: 200.",
    exchange: null,
    refreshTokenFingerprint: "0a1b2c3d",
    previousRefreshTokenFingerprint: null,
  };
}

async function _put(db: Db, entries: Array<[Connection, ConnectionEvent[]]>) {
  await db.tx("readwrite", (store) => {
    for (const [c, events] of entries) putConnection(store, c, events);
  });
}

describe("a connection's summary", () => {
  it("holds what the list shows, and no token, code, exchange or history", () => {
    const c = _connection("a", { account: { name: "alice@example.com", at: NOW } });
    const summary = summarize(c);
    expect(summary).toMatchObject({
      id: "a",
      name: "Connection a",
      clientId: "demo",
      provider: "demo",
      account: "alice@example.com",
      refreshTokenStatus: "active",
      autoRefresh: false,
      exchangeStarted: true,
      tokens: {
        receivedAt: NOW - 50_000,
        accessExpiresAt: NOW + 3_550_000,
        refreshExpiresAt: null,
        hasAccessToken: true,
        hasRefreshToken: true,
      },
    });
    expect(JSON.stringify(summary)).not.toContain("SECRET");
  });

  const cases: Array<[string, Partial<Connection>, ConnectionStatus]> = [
    ["tokens with time left", {}, "valid"],
    [
      "a code not yet exchanged",
      { tokenSet: null, authorization: { ..._auth(), exchangeStartedAt: null } },
      "awaiting-exchange",
    ],
    ["a code whose exchange failed", { tokenSet: null }, "failed"],
    ["a refresh whose outcome is unknown", { refreshTokenStatus: "unknown" }, "unknown"],
    ["a refresh token the provider refused", { refreshTokenStatus: "dead" }, "dead"],
    ["a refresh token handed off", { handedOffAt: NOW - 1000 }, "handed-off"],
    ["no access token", { tokenSet: { ..._tokens(), accessToken: null } }, "expired"],
    ["an access token past its expiry", { tokenSet: { ..._tokens(), accessExpiresAt: NOW - 1 } }, "expired"],
    [
      "both tokens past their expiry",
      { tokenSet: { ..._tokens(), accessExpiresAt: NOW - 1, refreshExpiresAt: NOW - 1 } },
      "dead",
    ],
    [
      "an access token in its last fifth",
      { tokenSet: { ..._tokens(), accessExpiresAt: NOW + 5_000 } },
      "expiring",
    ],
  ];
  it.each(cases)("gives the status of the whole connection: %s", (_, overrides, expected) => {
    const c = _connection("a", overrides);
    expect(statusOf(summarize(c), NOW)).toBe(expected);
    expect(connectionStatus(c, NOW)).toBe(expected);
  });
});

function _auth() {
  const auth = _connection("x").authorization;
  if (auth === null) throw new Error("fixture has an authorization");
  return auth;
}

function _tokens() {
  const tokens = _connection("x").tokenSet;
  if (tokens === null) throw new Error("fixture has tokens");
  return tokens;
}

describe("listing connections", () => {
  it("reads summaries only: no whole connection, token set or history line", async () => {
    const db = await _db();
    await _put(db, [
      [_connection("a", { createdAt: NOW - 2000 }), [_event("a", 1), _event("a", 2)]],
      [_connection("b", { createdAt: NOW - 1000 }), [_event("b", 1)]],
    ]);
    const touched: unknown[] = [];
    const proto = IDBObjectStore.prototype;
    const originals = {
      get: proto.get,
      getAll: proto.getAll,
      getAllKeys: proto.getAllKeys,
      openCursor: proto.openCursor,
    };
    for (const name of Object.keys(originals) as Array<keyof typeof originals>) {
      const original = originals[name] as (this: IDBObjectStore, ...args: unknown[]) => IDBRequest;
      (proto as unknown as Record<string, unknown>)[name] = function (
        this: IDBObjectStore,
        ...args: unknown[]
      ) {
        const query = args[0];
        touched.push(query instanceof IDBKeyRange ? [query.lower, query.upper] : query);
        return original.apply(this, args);
      };
    }
    let listed: Awaited<ReturnType<typeof listSummaries>>;
    let some: Awaited<ReturnType<typeof readSummaries>>;
    try {
      listed = await listSummaries(db);
      some = await readSummaries(db, ["a", "gone"]);
    } finally {
      Object.assign(proto, originals);
    }
    expect(listed.map((s) => s.id)).toEqual(["b", "a"]);
    expect(some.map((s) => s?.id)).toEqual(["a", undefined]);
    expect(touched.length).toBeGreaterThan(0);
    // Every key or range read begins with "summary".
    for (const query of touched) expect(JSON.stringify(query)).toMatch(/^\[?\["summary"/);
  });

  it("follows every write: rename, the account a probe found, and forgetting", async () => {
    const db = await _db();
    await _put(db, [[_connection("a"), [_event("a", 1)]]]);
    const before = (await readSummaries(db, ["a"]))[0];
    await renameConnection(db, "a", "Books, production", NOW + 1);
    await rememberAccount(db, "a", "bob@example.com", NOW + 2);
    const after = (await readSummaries(db, ["a"]))[0];
    expect(after).toMatchObject({ name: "Books, production", account: "bob@example.com", revision: 6 });
    expect(after?.stamp).not.toBe(before?.stamp);
    await _expectSummariesInStep(db);
    await deleteConnection(db, "a");
    expect(await listSummaries(db)).toEqual([]);
  });
});

describe("the schema 3 migration", () => {
  it("gives every connection of a schema 2 database its summary, leaving tokens and history as they were", async () => {
    const db = await _db();
    const a = _connection("a", { createdAt: NOW - 2000 });
    const b = _connection("b", {
      createdAt: NOW - 1000,
      tokenSet: null,
      account: { name: "carol", at: NOW },
    });
    const history = [_event("a", 1), _event("a", 2), _event("b", 1)];
    // As tokendesk wrote it before summaries: connections and events only, schema 2.
    await db.tx("readwrite", (store) => {
      store.clear();
      store.put(2, ["meta", "schema"]);
      for (const c of [a, b]) store.put(c, ["connection", c.id]);
      for (const e of history) store.put(e, ["event", e.connectionId, e.at, e.id]);
    });
    expect(await listSummaries(db)).toEqual([]);

    const upgraded = await openDb(`summaries-${dbCount}`);
    expect(await upgraded.tx("readonly", (store) => req(store.get(["meta", "schema"])))).toBe(SCHEMA_VERSION);
    expect((await listSummaries(upgraded)).map((s) => [s.id, s.account, s.tokens === null])).toEqual([
      ["b", "carol", true],
      ["a", null, false],
    ]);
    const [connections, events] = await upgraded.tx("readonly", (store) =>
      Promise.all([req(store.getAll(prefixRange("connection"))), req(store.getAll(prefixRange("event")))]),
    );
    expect(connections).toEqual([a, b]);
    expect(events).toEqual(history);
  });

  it("refuses a database a newer tokendesk wrote, and changes nothing", async () => {
    const db = await _db();
    await _put(db, [[_connection("a"), []]]);
    await db.tx("readwrite", (store) => {
      store.put(SCHEMA_VERSION + 1, ["meta", "schema"]);
    });
    const error = await openDb(`summaries-${dbCount}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe("newer_schema");
    expect(await db.tx("readonly", (store) => req(store.get(["meta", "schema"])))).toBe(SCHEMA_VERSION + 1);
    await db.tx("readwrite", (store) => {
      store.put(SCHEMA_VERSION, ["meta", "schema"]);
    });
  });
});

describe("backups across the summaries", () => {
  it("restores a file made before them (records schema 2) into this store: the list shows each connection", async () => {
    // What tokendesk wrote before summaries existed: the payload has no summary and says schema 2.
    const bytes = encodePayload({
      kind: PAYLOAD_KIND,
      schema: 2,
      createdAt: NOW,
      entries: [
        { connection: _connection("a", { createdAt: NOW - 2000 }), events: [_event("a", 1)] },
        { connection: _connection("b", { createdAt: NOW - 1000 }), events: [] },
      ],
    });
    const payload = decodePayload(bytes);
    const db = await _db();
    const report = await restoreBackup({ db, now: () => NOW }, payload);
    expect(report.changed).toEqual(["a", "b"]);
    expect((await listSummaries(db)).map((s) => [s.id, s.name])).toEqual([
      ["b", "Connection b"],
      ["a", "Connection a"],
    ]);
  });
});
