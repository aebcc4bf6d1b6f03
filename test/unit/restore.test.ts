/**
 * Restoring a backup into a browser: what is added, updated, kept or skipped, by the refresh-token
 * lineage the histories record; under the refreshes' Web Lock; and never sending a request.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCallback } from "../../src/oauth/callback.ts";
import { fingerprint } from "../../src/oauth/fingerprint.ts";
import type { RelayClient, RelayTokenResult } from "../../src/oauth/relay-client.ts";
import type { TokenRequest } from "../../src/relay/contract.ts";
import { type BackupPayload, collectBackup } from "../../src/store/backup-payload.ts";
import { buildDiagnosticBundle } from "../../src/store/bundle.ts";
import { credentialTrail } from "../../src/store/credential-trail.ts";
import { type Db, openDb } from "../../src/store/db.ts";
import { restoreBackup } from "../../src/store/lifecycle/restore.ts";
import {
  exchangeCode,
  type LifecycleDeps,
  receiveCallback,
  refreshConnection,
  setAutoRefresh,
} from "../../src/store/lifecycle.ts";
import { getConnection, listEvents, putConnection, savePending } from "../../src/store/repo.ts";
import { descendsFrom, refreshLineage } from "../../src/store/restore-merge.ts";
import { _expectSummariesInStep } from "./_summaries.ts";

let clock = Date.UTC(2026, 10, 23, 12, 0, 0);
let dbCount = 0;

/** A relay that answers each token request with the next refresh token in line, and records them. */
function _relay() {
  const requests: TokenRequest[] = [];
  let n = 0;
  const relay: RelayClient = {
    base: "http://relay.test/relay",
    clients: async () => ({ clients: [] }),
    token: async (req): Promise<RelayTokenResult> => {
      requests.push(req);
      n += 1;
      return {
        kind: "envelope",
        envelope: {
          sent: { method: "POST", url: "http://as.test/token", headers: {}, body: "grant_type=x" },
          upstream: {
            status: 200,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              access_token: `at-${n}-${Math.random()}`,
              expires_in: 120,
              refresh_token: `rt-${n}-${Math.random().toString(36).slice(2)}`,
            }),
          },
          ms: 3,
        },
      };
    },
    revoke: async () => {
      throw new Error("no revocation here");
    },
  };
  return { relay, requests };
}

/** Named locks held one at a time, as navigator.locks does (the signal is ignored). */
function _locks() {
  const tails = new Map<string, Promise<void>>();
  const names: string[] = [];
  const locks = {
    request: async (name: string, _options: LockOptions, callback: () => Promise<unknown>) => {
      names.push(name);
      const previous = tails.get(name) ?? Promise.resolve();
      let release = () => {};
      tails.set(
        name,
        previous.then(() => new Promise<void>((resolve) => (release = resolve))),
      );
      await previous;
      try {
        return await callback();
      } finally {
        release();
      }
    },
  } as unknown as LockManager;
  return { locks, names };
}

interface _Browser {
  db: Db;
  deps: LifecycleDeps;
  requests: TokenRequest[];
}

let browsers: Db[] = [];

async function _browser(locks?: LockManager): Promise<_Browser> {
  dbCount += 1;
  const db = await openDb(`restore-${dbCount}`);
  browsers.push(db);
  const { relay, requests } = _relay();
  return { db, deps: { db, relay, now: () => clock, locks }, requests };
}

/** Authorizes and exchanges: a connection with its first refresh token. */
async function _connected(b: _Browser): Promise<string> {
  await savePending(b.db, {
    state: "s",
    codeVerifier: "v",
    clientId: "demo",
    provider: "demo",
    redirectUri: "http://127.0.0.1:5173/callback/",
    scope: "openid",
    issuer: null,
    authorizationUrl: "http://127.0.0.1:9000/auth",
    createdAt: clock,
  });
  const outcome = await receiveCallback(b.deps, parseCallback("?code=c&state=s"));
  if (outcome.kind !== "connected") throw new Error(outcome.message);
  clock += 1000;
  await exchangeCode(b.deps, outcome.connectionId);
  return outcome.connectionId;
}

async function _refresh(b: _Browser, id: string): Promise<string> {
  clock += 60_000;
  const before = (await getConnection(b.db, id))?.tokenSet?.refreshToken ?? null;
  await refreshConnection(b.deps, id, { expectedRefreshToken: before });
  const after = (await getConnection(b.db, id))?.tokenSet?.refreshToken;
  if (after == null || after === before) throw new Error("refresh did not rotate");
  return after;
}

async function _backup(b: _Browser): Promise<BackupPayload> {
  clock += 1000;
  return (await collectBackup(b.db, null, clock)).payload;
}

async function _restore(b: _Browser, payload: BackupPayload, knownClients?: string[]) {
  clock += 1000;
  return restoreBackup(b.deps, payload, knownClients === undefined ? {} : { knownClients });
}

beforeEach(() => {
  clock += 3_600_000;
});
afterEach(async () => {
  // A restore writes through putConnection: each browser's list reads what was restored.
  for (const db of browsers) await _expectSummariesInStep(db);
  browsers = [];
});

describe("restoring into a browser that lacks the connection", () => {
  it("adds it with its whole history, auto-refresh off, and sends nothing", async () => {
    const first = await _browser();
    const id = await _connected(first);
    const rt = await _refresh(first, id);
    await setAutoRefresh(first.deps, id, { autoRefresh: true, autoRefreshLeadSeconds: 30 });
    const backup = await _backup(first);
    const history = await listEvents(first.db, id);

    const second = await _browser();
    const report = await _restore(second, backup);
    expect(report.lines).toEqual([
      {
        connectionId: id,
        name: expect.stringMatching(/^demo · /),
        outcome: "added",
        reason: `not in this browser: added with ${history.length} history events; auto-refresh is off until you turn it on again.`,
        eventsAdded: history.length,
      },
    ]);
    expect(report.changed).toEqual([id]);
    const restored = await getConnection(second.db, id);
    expect(restored?.tokenSet?.refreshToken).toBe(rt);
    expect(restored?.settings.autoRefresh).toBe(false);
    const events = await listEvents(second.db, id);
    expect(events.slice(0, history.length)).toEqual(history);
    expect(events.at(-1)).toMatchObject({
      type: "restored",
      refreshTokenFingerprint: await fingerprint(rt),
      summary: expect.stringMatching(
        /^Restored from a backup made 2026-\d\d-\d\d \d\d:\d\d UTC, with \d+ history events\.$/,
      ),
    });
    expect(second.requests).toEqual([]);

    // And it refreshes from there, spending the restored refresh token.
    await _refresh(second, id);
    expect(second.requests.map((r) => [r.grant_type, "refresh_token" in r ? r.refresh_token : null])).toEqual(
      [["refresh_token", rt]],
    );
  });

  it("shows in the credential trail that the tokens came into this page from a backup file", async () => {
    const first = await _browser();
    const id = await _connected(first);
    const second = await _browser();
    await _restore(second, await _backup(first));
    const connection = await getConnection(second.db, id);
    if (connection === undefined) throw new Error("not restored");
    const bundle = await buildDiagnosticBundle(connection, await listEvents(second.db, id), {
      now: clock,
      client: null,
      appOrigin: "http://127.0.0.1:5173",
      relayBase: "/relay",
    });
    const row = credentialTrail(bundle).find((r) => r.step.startsWith("Restored"));
    expect(row?.step).toBe("Restored from an encrypted backup file into this page");
    expect(row?.seen.refresh_token).toEqual([{ host: "127.0.0.1:5173", role: "this browser" }]);
    expect(row?.seen.client_secret).toEqual([]);
  });

  it("records a request the backup's browser was still waiting for as an unknown outcome", async () => {
    const first = await _browser();
    const id = await _connected(first);
    const stored = await getConnection(first.db, id);
    if (stored === undefined) throw new Error("no connection");
    await first.db.tx("readwrite", (s) =>
      putConnection(s, { ...stored, inFlight: { grantType: "refresh_token", startedAt: clock } }, []),
    );
    const second = await _browser();
    const report = await _restore(second, await _backup(first));
    expect(report.lines[0]?.reason).toMatch(
      /a refresh was on its way when the backup was made: outcome unknown\.$/,
    );
    const restored = await getConnection(second.db, id);
    expect(restored).toMatchObject({ inFlight: null, refreshTokenStatus: "unknown" });
    expect(restored?.problem?.title).toBe("Refresh: outcome unknown");
  });

  it("says when the relay does not list the connection's client", async () => {
    const first = await _browser();
    await _connected(first);
    const report = await _restore(await _browser(), await _backup(first), ["other"]);
    expect(report.lines[0]?.reason).toMatch(
      /The relay does not list client "demo": refreshes fail until it does\.$/,
    );
  });
});

describe("restoring over a connection this browser has", () => {
  it("keeps a newer rotated refresh token, recording the backup's as a restored copy, probably spent", async () => {
    const b = await _browser();
    const id = await _connected(b);
    const old = (await getConnection(b.db, id))?.tokenSet?.refreshToken ?? "";
    const backup = await _backup(b);
    await _refresh(b, id);
    const newest = await _refresh(b, id);
    const before = await listEvents(b.db, id);

    const report = await _restore(b, backup);
    const [oldFp, newFp] = [await fingerprint(old), await fingerprint(newest)];
    expect(report.lines[0]).toMatchObject({
      outcome: "kept",
      reason: `kept the token set here: history shows the refresh token here (${newFp}) was issued in place of the backup's (${oldFp}); the backup's refresh token is in the history as a restored copy, probably spent.`,
      eventsAdded: 0,
    });
    expect((await getConnection(b.db, id))?.tokenSet?.refreshToken).toBe(newest);
    const after = await listEvents(b.db, id);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual([
      expect.objectContaining({
        type: "restored",
        refreshTokenFingerprint: oldFp,
        previousRefreshTokenFingerprint: null,
        summary: expect.stringMatching(
          new RegExp(
            `^Restored copy, probably spent: refresh token ${oldFp} from a backup made .* Not used; tokendesk keeps ${newFp} `,
          ),
        ),
      }),
    ]);
    // The same old backup again: kept, and its copy is not recorded twice.
    await _restore(b, backup);
    expect(await listEvents(b.db, id)).toHaveLength(after.length);
    expect(b.requests.filter((r) => r.grant_type === "refresh_token")).toHaveLength(2);
  });

  it("takes a newer backup's token set, merging its history without duplicates", async () => {
    const first = await _browser();
    const id = await _connected(first);
    const second = await _browser();
    await _restore(second, await _backup(first));
    await setAutoRefresh(second.deps, id, { autoRefresh: true, autoRefreshLeadSeconds: 30 });
    const old = (await getConnection(second.db, id))?.tokenSet?.refreshToken ?? "";
    const newer = await _refresh(first, id);

    const report = await _restore(second, await _backup(first));
    const [oldFp, newFp] = [await fingerprint(old), await fingerprint(newer)];
    expect(report.lines[0]).toMatchObject({
      outcome: "updated",
      reason: `took the backup's token set: history shows the backup's refresh token (${newFp}) was issued in place of the one here (${oldFp}); 2 history events added; auto-refresh is off until you turn it on again.`,
      eventsAdded: 2,
    });
    const stored = await getConnection(second.db, id);
    expect(stored?.tokenSet?.refreshToken).toBe(newer);
    expect(stored?.settings.autoRefresh).toBe(false);
    const events = await listEvents(second.db, id);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of await listEvents(first.db, id)) expect(events).toContainEqual(e);
    expect(events.at(-1)).toMatchObject({
      type: "restored",
      refreshTokenFingerprint: newFp,
      previousRefreshTokenFingerprint: oldFp,
    });
    expect(second.requests).toEqual([]);
  });

  it("decides by issue time when both copies were refreshed apart since the backup", async () => {
    const first = await _browser();
    const id = await _connected(first);
    const second = await _browser();
    await _restore(second, await _backup(first));
    const theirs = await _refresh(first, id);
    const ours = await _refresh(second, id);
    const report = await _restore(second, await _backup(first));
    expect(report.lines[0]?.outcome).toBe("kept");
    expect(report.lines[0]?.reason).toMatch(
      /^kept the token set here: no history links the two refresh tokens, and the one here was issued later \(/,
    );
    expect((await getConnection(second.db, id))?.tokenSet?.refreshToken).toBe(ours);
    const copies = (await listEvents(second.db, id)).filter((e) => e.type === "restored");
    expect(copies.at(-1)?.refreshTokenFingerprint).toBe(await fingerprint(theirs));
  });

  it("changes nothing when the backup holds what is here", async () => {
    const b = await _browser();
    const id = await _connected(b);
    const before = await getConnection(b.db, id);
    const report = await _restore(b, await _backup(b));
    expect(report.lines[0]).toMatchObject({
      outcome: "kept",
      reason: "already here with the same tokens; nothing to add.",
    });
    expect(report.changed).toEqual([]);
    expect(await getConnection(b.db, id)).toEqual(before);
  });

  it("waits for a refresh holding the connection's lock, then keeps what it got", async () => {
    const { locks, names } = _locks();
    const b = await _browser(locks);
    const id = await _connected(b);
    const backup = await _backup(b);
    // A refresh whose answer is held back: it holds the lock, with its request marked in flight.
    let answer: (r: RelayTokenResult) => void = () => {};
    const realToken = b.deps.relay.token;
    b.deps = {
      ...b.deps,
      relay: {
        ...b.deps.relay,
        token: (req) => realToken(req).then((r) => new Promise((ok) => (answer = () => ok(r)))),
      },
    };
    const refreshing = refreshConnection(b.deps, id, { expectedRefreshToken: null });
    await new Promise((r) => setTimeout(r, 20));
    expect((await getConnection(b.db, id))?.inFlight).not.toBeNull();
    const restoring = _restore(b, backup);
    await new Promise((r) => setTimeout(r, 20));
    answer({} as RelayTokenResult);
    await refreshing;
    const report = await restoring;
    const stored = await getConnection(b.db, id);
    expect(names).toEqual([`tokendesk:refresh:${id}`, `tokendesk:refresh:${id}`]);
    expect(report.lines[0]?.outcome).toBe("kept");
    expect(stored?.refreshTokenStatus).toBe("active");
    expect(stored?.problem).toBeNull();
    expect(stored?.tokenSet?.refreshToken).not.toBe(backup.entries[0]?.connection.tokenSet?.refreshToken);
  });
});

describe("refresh-token lineage", () => {
  it("follows refreshes back through several rotations, and no further", () => {
    const e = (child: string, parent: string | null) => ({
      id: child,
      connectionId: "c",
      at: 0,
      type: "refreshed" as const,
      summary: "",
      exchange: null,
      refreshTokenFingerprint: child,
      previousRefreshTokenFingerprint: parent,
    });
    const parents = refreshLineage([
      e("aaaaaaa1", null),
      e("aaaaaaa2", "aaaaaaa1"),
      e("aaaaaaa3", "aaaaaaa2"),
    ]);
    expect(descendsFrom(parents, "aaaaaaa3", "aaaaaaa1")).toBe(true);
    expect(descendsFrom(parents, "aaaaaaa1", "aaaaaaa3")).toBe(false);
    expect(descendsFrom(parents, "aaaaaaa2", "bbbbbbbb")).toBe(false);
  });
});
