/**
 * The backup file: sealed with a passphrase by WebCrypto (Node's, the same API as the browser's), and
 * every way a file can be wrong named before anything is stored.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  BACKUP_MAGIC,
  BackupError,
  type BackupErrorCode,
  openBackup,
  PBKDF2_ITERATIONS,
  readBackupHeader,
  sealBackup,
} from "../../src/store/backup.ts";
import {
  BACKUP_SCHEMA,
  type BackupPayload,
  collectBackup,
  decodePayload,
  encodePayload,
  PAYLOAD_KIND,
  readBackup,
  UNSENT_CODE_REASON,
  writeBackup,
} from "../../src/store/backup-payload.ts";
import { openDb } from "../../src/store/db.ts";
import type { Connection, ConnectionEvent, ReceivedCode } from "../../src/store/records.ts";
import { putConnection } from "../../src/store/repo.ts";

const PASSPHRASE = "correct horse battery staple";
// Repetitive JSON (history) beside random text (tokens), as a real payload is.
const PLAIN = new TextEncoder().encode(
  JSON.stringify({
    history: JSON.stringify({ type: "refreshed", summary: "Refresh: 200" }).repeat(500),
    token: Buffer.from(crypto.getRandomValues(new Uint8Array(1500))).toString("hex"),
  }),
);
let sealed: Uint8Array<ArrayBuffer>;

async function _refused(promise: Promise<unknown> | (() => unknown)): Promise<BackupError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof BackupError) return error;
    throw error;
  }
  throw new Error("expected a BackupError");
}

function _lines(file: Uint8Array): { magic: string; header: Record<string, unknown>; bodyStart: number } {
  const text = new TextDecoder().decode(file.subarray(0, 600));
  const first = text.indexOf("\n");
  const second = text.indexOf("\n", first + 1);
  return {
    magic: text.slice(0, first + 1),
    header: JSON.parse(text.slice(first + 1, second)) as Record<string, unknown>,
    bodyStart: new TextEncoder().encode(text.slice(0, second + 1)).length,
  };
}

/** The file with its header line replaced (JSON-valid, so only the tag check can catch it). */
function _withHeader(file: Uint8Array, change: (h: Record<string, unknown>) => void): Uint8Array {
  const { header, bodyStart } = _lines(file);
  change(header);
  const head = new TextEncoder().encode(`${BACKUP_MAGIC}${JSON.stringify(header)}\n`);
  const out = new Uint8Array(head.length + file.length - bodyStart);
  out.set(head);
  out.set(file.subarray(bodyStart), head.length);
  return out;
}

beforeAll(async () => {
  sealed = await sealBackup(PLAIN, PASSPHRASE);
});

describe("the backup file format", () => {
  it("starts with a magic line and a JSON header naming PBKDF2-SHA-256 ×600,000 and AES-256-GCM", () => {
    const { magic, header, bodyStart } = _lines(sealed);
    expect(magic).toBe("tokendesk-backup\n");
    expect(header).toMatchObject({
      version: 1,
      kdf: { name: "PBKDF2", hash: "SHA-256", iterations: 600_000 },
      cipher: { name: "AES-GCM", length: 256 },
      compression: "gzip",
    });
    const kdf = header.kdf as { salt: string };
    const cipher = header.cipher as { iv: string };
    expect(Buffer.from(kdf.salt, "base64url")).toHaveLength(16);
    expect(Buffer.from(cipher.iv, "base64url")).toHaveLength(12);
    expect(header.length).toBe(sealed.length - bodyStart);
    // Compressed: repetitive JSON shrinks, so the file is far smaller than what it holds.
    expect(sealed.length).toBeLessThan(PLAIN.length / 4);
  });

  it("opens with the passphrase to exactly what was sealed", async () => {
    expect(await openBackup(sealed, PASSPHRASE)).toEqual(PLAIN);
  });

  it("uses a fresh salt and IV for every file", async () => {
    const again = await sealBackup(PLAIN, PASSPHRASE);
    const a = _lines(sealed).header;
    const b = _lines(again).header;
    expect((a.kdf as { salt: string }).salt).not.toBe((b.kdf as { salt: string }).salt);
    expect((a.cipher as { iv: string }).iv).not.toBe((b.cipher as { iv: string }).iv);
  });

  it("opens with the same passphrase typed in another Unicode normal form", async () => {
    const file = await sealBackup(PLAIN, "pass\u00e9phrase Zoë 2026");
    expect(await openBackup(file, "passe\u0301phrase Zoe\u0308 2026")).toEqual(PLAIN);
  });

  it("reports its stages, so the page can show that it is working", async () => {
    const stages: string[] = [];
    await openBackup(sealed, PASSPHRASE, { onStage: (s) => stages.push(s) });
    expect(stages).toEqual(["deriving", "decrypting"]);
  });

  it("never writes fewer than 600,000 iterations", async () => {
    expect(PBKDF2_ITERATIONS).toBe(600_000);
    await expect(sealBackup(PLAIN, PASSPHRASE, { iterations: 1000 })).rejects.toThrow(RangeError);
  });
});

describe("refusing a file, in words", () => {
  const cases: Array<[string, () => Uint8Array, BackupErrorCode, RegExp]> = [
    [
      "a file that is not a backup",
      () => new TextEncoder().encode('{"access_token":"x"}'),
      "not_backup",
      /^This is not a tokendesk backup: it does not start with "tokendesk-backup"\. Choose the \.tokendesk file/,
    ],
    ["an empty file", () => new Uint8Array(), "not_backup", /not a tokendesk backup/],
    ["a file cut inside the magic line", () => sealed.slice(0, 9), "truncated", /^This file is cut short/],
    [
      "a file cut inside the header",
      () => sealed.slice(0, 60),
      "truncated",
      /cut short: it ends inside its header/,
    ],
    [
      "a file cut inside the ciphertext",
      () => sealed.slice(0, sealed.length - 100),
      "truncated",
      /^This file is cut short: it holds [\d,]+ of the [\d,]+ encrypted bytes its header announces/,
    ],
    [
      "a file with bytes appended",
      () => new Uint8Array([...sealed, 1, 2, 3]),
      "damaged",
      /has 3 bytes more than its header announces/,
    ],
    [
      "a file from a newer tokendesk",
      () => _withHeader(sealed, (h) => Object.assign(h, { version: 2, somethingNew: true })),
      "newer_version",
      /^This backup was made by a newer tokendesk \(backup format version 2; this one reads version 1\)/,
    ],
    [
      "a header asking for too few iterations",
      () => _withHeader(sealed, (h) => Object.assign(h, { kdf: { ...(h.kdf as object), iterations: 1000 } })),
      "damaged",
      /header is damaged \(PBKDF2 iteration count 1000 is outside 600,000 to 10,000,000\)/,
    ],
    [
      "a header naming another cipher",
      () =>
        _withHeader(sealed, (h) =>
          Object.assign(h, { cipher: { ...(h.cipher as object), name: "AES-CBC" } }),
        ),
      "damaged",
      /header is damaged \(cipher is not AES-256-GCM\)/,
    ],
  ];
  for (const [name, file, code, message] of cases) {
    it(`refuses ${name}`, async () => {
      const error = await _refused(openBackup(file(), PASSPHRASE));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/Nothing stored was changed\.$/);
    });
  }

  it("refuses a wrong passphrase, saying honestly that it could also be a changed file", async () => {
    const error = await _refused(openBackup(sealed, "correct horse battery stapler"));
    expect(error.code).toBe("wrong_passphrase_or_changed");
    expect(error.message).toBe(
      "Wrong passphrase, or the file was changed after it was made: the encryption (AES-GCM) cannot tell these apart. Check the passphrase (capitals and spaces count) and use an untouched copy of the file. Nothing stored was changed.",
    );
  });

  it("refuses a file with one ciphertext bit flipped", async () => {
    const tampered = sealed.slice();
    const at = tampered.length - 40;
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    expect((await _refused(openBackup(tampered, PASSPHRASE))).code).toBe("wrong_passphrase_or_changed");
  });

  it("refuses a header changed within what a reader accepts: the header is authenticated too", async () => {
    const tampered = _withHeader(sealed, (h) =>
      Object.assign(h, { kdf: { ...(h.kdf as object), iterations: 600_001 } }),
    );
    expect(readBackupHeader(tampered).header.kdf.iterations).toBe(600_001);
    expect((await _refused(openBackup(tampered, PASSPHRASE))).code).toBe("wrong_passphrase_or_changed");
  });

  it("asks for a passphrase rather than trying an empty one", async () => {
    expect((await _refused(openBackup(sealed, ""))).code).toBe("no_passphrase");
    expect((await _refused(sealBackup(PLAIN, ""))).code).toBe("no_passphrase");
  });
});

// ---- What is inside.

let dbCount = 0;
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

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
      code: `code-${id}`,
      codeVerifier: "verifier",
      redirectUri: "http://127.0.0.1:5173/callback/",
      receivedAt: NOW - 60_000,
      expiresAt: NOW + 240_000,
      iss: "http://127.0.0.1:9000",
      extra: { realmId: "123" },
      exchangeStartedAt: NOW - 59_000,
    },
    tokenSet: {
      accessToken: `at-${id}`,
      tokenType: "Bearer",
      scope: "openid",
      refreshToken: `rt-${id}`,
      idToken: null,
      receivedAt: NOW - 50_000,
      accessExpiresAt: NOW + 70_000,
      refreshExpiresAt: null,
      refreshExpirySource: "none",
      refreshReceivedAt: NOW - 50_000,
      raw: { access_token: `at-${id}`, nested: { ok: true } },
    },
    refreshTokenStatus: "active",
    lastExchange: {
      at: NOW - 50_000,
      grantType: "authorization_code",
      envelope: {
        sent: {
          method: "POST",
          url: "http://as.test/token",
          headers: { authorization: "Basic [redacted]" },
          body: "x",
        },
        upstream: { status: 200, headers: { "content-type": "application/json" }, body: "{}" },
        ms: 12,
      },
      sent: null,
      relayError: null,
    },
    problem: null,
    settings: { autoRefresh: true, autoRefreshLeadSeconds: 30 },
    handedOffAt: null,
    inFlight: null,
    recentRefreshes: [NOW - 50_000],
    retryAfterUntil: null,
    account: { name: "alice", at: NOW - 40_000 },
    ...overrides,
  };
}

function _event(connectionId: string, n: number, extra: Partial<ConnectionEvent> = {}): ConnectionEvent {
  return {
    id: `0000000${n}-${connectionId}`,
    connectionId,
    at: NOW - 50_000 + n,
    type: "exchanged",
    summary: "Exchange: 200.",
    exchange: null,
    refreshTokenFingerprint: "0a1b2c3d",
    previousRefreshTokenFingerprint: null,
    ...extra,
  };
}

async function _seeded(connections: Array<[Connection, ConnectionEvent[]]>) {
  dbCount += 1;
  const db = await openDb(`backup-${dbCount}`);
  await db.tx("readwrite", (store) => {
    for (const [c, events] of connections) putConnection(store, c, events);
  });
  return db;
}

describe("what a backup holds", () => {
  it("holds every connection with its history, and leaves out a code that was never exchanged", async () => {
    const waiting = _connection("waiting", {
      tokenSet: null,
      lastExchange: null,
      authorization: { ...(_connection("w").authorization as ReceivedCode), exchangeStartedAt: null },
    });
    const db = await _seeded([
      [_connection("a"), [_event("a", 1), _event("a", 2)]],
      [_connection("b"), [_event("b", 1)]],
      [waiting, [_event("waiting", 1, { type: "authorized", refreshTokenFingerprint: null })]],
    ]);
    const { payload, leftOut } = await collectBackup(db, null, NOW);
    expect(payload.kind).toBe(PAYLOAD_KIND);
    // The shapes of connections and events, unchanged since schema 2: tokendesk before the summary
    // records (store schema 3) reads these files, and this one reads theirs.
    expect(payload.schema).toBe(2);
    expect(BACKUP_SCHEMA).toBe(2);
    expect(payload.entries.map((e) => [e.connection.id, e.events.length])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(leftOut).toEqual([{ id: "waiting", name: "Connection waiting", reason: UNSENT_CODE_REASON }]);
    const one = await collectBackup(db, ["b"], NOW);
    expect(one.payload.entries.map((e) => e.connection.id)).toEqual(["b"]);
  });

  it("reads back exactly what it wrote, through the file", async () => {
    const a = _connection("a");
    const db = await _seeded([[a, [_event("a", 1), _event("a", 2, { type: "refreshed" })]]]);
    const written = await writeBackup(db, null, PASSPHRASE, { now: NOW });
    expect(written).toMatchObject({ connections: 1, events: 2, leftOut: [] });
    const payload = await readBackup(written.bytes, PASSPHRASE);
    expect(payload.createdAt).toBe(NOW);
    expect(payload.entries[0]?.connection).toEqual(a);
    expect(payload.entries[0]?.events).toEqual([_event("a", 1), _event("a", 2, { type: "refreshed" })]);
  });

  it("keeps what OpenID Connect needs: the nonce sent, the ID token's issue time and its check", async () => {
    const a = _connection("a");
    const openid: Connection = {
      ...a,
      authorization: a.authorization === null ? null : { ...a.authorization, nonce: "n-0123456789abcdef" },
      tokenSet:
        a.tokenSet === null
          ? null
          : { ...a.tokenSet, idToken: "eyJ.id.token", idTokenReceivedAt: NOW - 50_000 },
      idTokenCheck: {
        receivedAt: NOW - 50_000,
        grantType: "authorization_code",
        original: null,
        checkedAt: NOW - 49_000,
        verdict: null,
      },
    };
    const db = await _seeded([[openid, [_event("a", 1)]]]);
    const written = await writeBackup(db, null, PASSPHRASE, { now: NOW });
    expect((await readBackup(written.bytes, PASSPHRASE)).entries[0]?.connection).toEqual(openid);
  });

  const good = (): BackupPayload => ({
    kind: PAYLOAD_KIND,
    schema: BACKUP_SCHEMA,
    createdAt: NOW,
    entries: [{ connection: _connection("a"), events: [_event("a", 1)] }],
  });
  type _Entry = {
    connection: Record<string, unknown> & { tokenSet: Record<string, unknown> };
    event: Record<string, unknown>;
  };
  /** The good payload as JSON, changed by `change` (given the first connection and its first event). */
  const mangled = (change: (p: Record<string, unknown> & { entries: unknown[] }, first: _Entry) => void) => {
    const p = JSON.parse(JSON.stringify(good()));
    change(p, { connection: p.entries[0].connection, event: p.entries[0].events[0] });
    return new TextEncoder().encode(JSON.stringify(p));
  };
  const contents: Array<[string, () => Uint8Array, RegExp]> = [
    ["text that is not JSON", () => new TextEncoder().encode("not json"), /its contents are not JSON/],
    [
      "another kind of payload",
      () => mangled((p) => Object.assign(p, { kind: "x" })),
      /do not say "tokendesk-connections"/,
    ],
    [
      "a token set whose instant is text",
      () =>
        mangled((_, first) => {
          first.connection.tokenSet.receivedAt = "yesterday";
        }),
      /connection 1\.tokenSet\.receivedAt is not a number/,
    ],
    [
      "an event of another connection",
      () => mangled((_, first) => Object.assign(first.event, { connectionId: "b" })),
      /connection 1, event 1\.connectionId names another connection/,
    ],
    [
      "an event type tokendesk does not write",
      () => mangled((_, first) => Object.assign(first.event, { type: "hacked" })),
      /connection 1, event 1\.type is not one of authorized, imported/,
    ],
    [
      "a fingerprint that is not one",
      () => mangled((_, first) => Object.assign(first.event, { refreshTokenFingerprint: "<b>x</b>" })),
      /refreshTokenFingerprint is not a fingerprint/,
    ],
    [
      "the same connection twice",
      () => mangled((p) => p.entries.push(p.entries[0])),
      /connection 2 appears twice/,
    ],
  ];
  for (const [name, bytes, message] of contents) {
    it(`refuses contents with ${name}`, async () => {
      const error = await _refused(() => decodePayload(bytes()));
      expect(error.code).toBe("damaged");
      expect(error.message).toMatch(/^The backup decrypted, but /);
      expect(error.message).toMatch(message);
    });
  }

  it("names a payload of a newer records schema as a newer tokendesk's", async () => {
    const error = await _refused(() => decodePayload(mangled((p) => Object.assign(p, { schema: 99 }))));
    expect(error.code).toBe("newer_version");
    expect(error.message).toMatch(
      /made by a newer tokendesk \(its records are schema 99; this one knows 2\)/,
    );
  });

  it("keeps no field it does not know", async () => {
    const bytes = mangled((_, first) => Object.assign(first.connection, { planted: "<script>" }));
    expect(JSON.stringify(decodePayload(bytes))).not.toContain("planted");
  });

  it("round-trips through encode and decode", () => {
    expect(decodePayload(encodePayload(good()))).toEqual(good());
  });
});
