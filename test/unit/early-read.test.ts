/**
 * The connections list's first read, started by the page's entry before the app renders
 * (src/store/early-read.ts): it hands the app the list as the app would read it, unless another tab
 * changed a connection while it was under way, when the app must read again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "../../src/store/db.ts";
import { startEarlyRead } from "../../src/store/early-read.ts";
import { listSummaries } from "../../src/store/list.ts";
import type { Connection } from "../../src/store/records.ts";
import { putConnection } from "../../src/store/repo.ts";
import { CHANNEL_NAME, type ChangeMessage } from "../../src/store/worker-protocol.ts";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
let dbCount = 0;
const channels: BroadcastChannel[] = [];

afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
});

function _connection(id: string, createdAt: number): Connection {
  return {
    id,
    name: `Connection ${id}`,
    clientId: "demo",
    provider: "demo",
    scopeRequested: "openid",
    createdAt,
    updatedAt: createdAt,
    revision: 1,
    authorization: null,
    tokenSet: null,
    refreshTokenStatus: "unknown",
    lastExchange: null,
    problem: null,
    settings: { autoRefresh: false, autoRefreshLeadSeconds: 30 },
    handedOffAt: null,
    inFlight: null,
    recentRefreshes: [],
    retryAfterUntil: null,
  };
}

/** A database holding connections a, b and c, made in that order. */
async function _seeded(): Promise<{ name: string; db: Db }> {
  dbCount += 1;
  const name = `early-read-${dbCount}`;
  const db = await openDb(name);
  await db.tx("readwrite", (store) => {
    for (const [i, id] of ["a", "b", "c"].entries())
      putConnection(store, _connection(id, NOW + i * 1000), []);
  });
  return { name, db };
}

/** Another tab's word on the channel, once it has reached the listeners opened before this one. */
async function _anotherTabSays(message: ChangeMessage): Promise<void> {
  const tab = new BroadcastChannel(CHANNEL_NAME);
  const witness = new BroadcastChannel(CHANNEL_NAME);
  channels.push(tab, witness);
  // Channels receive in the order they were made: the early read's, made before, has it first.
  const heard = new Promise<void>((done) => {
    witness.onmessage = () => done();
  });
  tab.postMessage(message);
  await heard;
}

describe("the list's early read", () => {
  it("hands over every summary, newest first, as the app would read it, and the open store", async () => {
    const { name, db } = await _seeded();
    const early = startEarlyRead(name);
    if (early === null) throw new Error("no early read where IndexedDB exists");
    const summaries = await early.take();
    expect(summaries?.map((s) => s.id)).toEqual(["c", "b", "a"]);
    expect(summaries).toEqual(await listSummaries(db));
    expect(await listSummaries(await early.db)).toEqual(summaries);
  });

  it("hands over nothing when another tab changed a connection meanwhile, so the app reads again", async () => {
    const { name } = await _seeded();
    const early = startEarlyRead(name);
    if (early === null) throw new Error("no early read where IndexedDB exists");
    await _anotherTabSays({ type: "connection-changed", id: "b" });
    expect(await early.take()).toBeNull();
  });

  it("stops listening once taken: a later change is the app's to hear", async () => {
    const { name } = await _seeded();
    const early = startEarlyRead(name);
    if (early === null) throw new Error("no early read where IndexedDB exists");
    expect(await early.take()).toHaveLength(3);
    await _anotherTabSays({ type: "connections-changed" });
    // Taken again (the app never does), it would still have heard nothing.
    expect(await early.take()).toHaveLength(3);
  });
});
