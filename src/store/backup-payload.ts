/**
 * What a backup file holds once opened: connections as stored, each with its history. Collected in
 * one read transaction (a consistent snapshot), and checked field by field when read back, so a file
 * that decrypts but was not written by tokendesk is refused before anything is stored.
 */
import type { IdTokenVerdict, OriginalIdentity } from "../oauth/id-token.ts";
import type { TokenSet } from "../oauth/token-set.ts";
import type { Envelope, SentRequest } from "../relay/contract.ts";
import { BackupError, type BackupStage, openBackup, sealBackup } from "./backup.ts";
import type { Db } from "./db.ts";
import type {
  Connection,
  ConnectionEvent,
  EventType,
  IdTokenCheck,
  LastExchange,
  Problem,
  ReceivedCode,
} from "./records.ts";
import { readConnection } from "./repo.ts";
import { readAllConnections, readAllEvents, readEvents } from "./repo-bulk.ts";

/**
 * The version of the records a backup carries: connections and their history, as stored. The store's
 * schema 3 (db.ts) added summary records, which a backup leaves out (a restore writes them anew
 * through putConnection), so files stay at 2 and move both ways between tokendesk before and after
 * that change. Raise it with any change to the shapes of connections or events.
 */
export const BACKUP_SCHEMA = 2;

/** Names the payload inside the encryption: a file of another kind that decrypts is still refused. */
export const PAYLOAD_KIND = "tokendesk-connections";

export interface BackupEntry {
  readonly connection: Connection;
  /** Oldest first. */
  readonly events: readonly ConnectionEvent[];
}

export interface BackupPayload {
  readonly kind: typeof PAYLOAD_KIND;
  /** The records' schema ({@link BACKUP_SCHEMA}) they were written in. */
  readonly schema: number;
  readonly createdAt: number;
  readonly entries: readonly BackupEntry[];
}

/** A connection a backup leaves out, and why. */
export interface LeftOut {
  readonly id: string;
  readonly name: string;
  readonly reason: string;
}

/**
 * A code that was never sent works once and lives minutes: a copy in a file could be exchanged in
 * two browsers, and a replayed code makes some providers revoke the tokens of the first exchange.
 */
export const UNSENT_CODE_REASON =
  "its code is not exchanged yet: a code works once and lives minutes, and a second exchange of a copy can make the provider revoke the tokens. Exchange it, then back up.";

function awaitingExchange(c: Connection): boolean {
  return c.tokenSet === null && c.authorization !== null && c.authorization.exchangeStartedAt === null;
}

/**
 * Reads the connections named by `ids` (all when null) and their history in one transaction. Pending
 * authorizations stay out: they belong to this browser's session and die within an hour.
 */
export async function collectBackup(
  db: Db,
  ids: readonly string[] | null,
  now: number,
): Promise<{ payload: BackupPayload; leftOut: LeftOut[] }> {
  const [connections, events] = await db.tx("readonly", async (store) => {
    if (ids === null) return Promise.all([readAllConnections(store), readAllEvents(store)]);
    const found: Connection[] = [];
    const history: ConnectionEvent[] = [];
    for (const id of ids) {
      const [c, e] = await Promise.all([readConnection(store, id), readEvents(store, id)]);
      if (c !== undefined) found.push(c);
      history.push(...e);
    }
    return [found, history] as const;
  });
  const byConnection = new Map<string, ConnectionEvent[]>();
  for (const e of events) {
    const list = byConnection.get(e.connectionId);
    if (list === undefined) byConnection.set(e.connectionId, [e]);
    else list.push(e);
  }
  const entries: BackupEntry[] = [];
  const leftOut: LeftOut[] = [];
  for (const connection of [...connections].sort((a, b) => a.createdAt - b.createdAt)) {
    if (awaitingExchange(connection)) {
      leftOut.push({ id: connection.id, name: connection.name, reason: UNSENT_CODE_REASON });
      continue;
    }
    entries.push({ connection, events: byConnection.get(connection.id) ?? [] });
  }
  return { payload: { kind: PAYLOAD_KIND, schema: BACKUP_SCHEMA, createdAt: now, entries }, leftOut };
}

export function encodePayload(payload: BackupPayload): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(payload));
}

// ---- Reading back: every field checked, and copied into a fresh object so nothing unknown is stored.

const UNCHANGED = "Nothing stored was changed.";

function invalid(path: string, what: string): never {
  throw new BackupError(
    `The backup decrypted, but ${path} ${what}: it was not written by this tokendesk. ${UNCHANGED}`,
    "damaged",
  );
}

type Obj = Readonly<Record<string, unknown>>;

function obj(value: unknown, path: string): Obj {
  if (value === null || typeof value !== "object" || Array.isArray(value)) invalid(path, "is not an object");
  return value as Obj;
}

function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  return typeof v === "string" ? v : invalid(`${path}.${key}`, "is not text");
}

function strOrNull(o: Obj, key: string, path: string): string | null {
  return o[key] === null ? null : str(o, key, path);
}

function num(o: Obj, key: string, path: string): number {
  const v = o[key];
  return typeof v === "number" && Number.isFinite(v) ? v : invalid(`${path}.${key}`, "is not a number");
}

function numOrNull(o: Obj, key: string, path: string): number | null {
  return o[key] === null ? null : num(o, key, path);
}

function bool(o: Obj, key: string, path: string): boolean {
  const v = o[key];
  return typeof v === "boolean" ? v : invalid(`${path}.${key}`, "is not true or false");
}

function oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[]): T {
  const v = o[key];
  return values.includes(v as T) ? (v as T) : invalid(`${path}.${key}`, `is not one of ${values.join(", ")}`);
}

function texts(o: Obj, key: string, path: string): Record<string, string> {
  const v = obj(o[key], `${path}.${key}`);
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) out[k] = str(v, k, `${path}.${key}`);
  return out;
}

function nullable<T>(o: Obj, key: string, path: string, read: (value: Obj, path: string) => T): T | null {
  return o[key] === null || o[key] === undefined
    ? null
    : read(obj(o[key], `${path}.${key}`), `${path}.${key}`);
}

function sent(o: Obj, path: string): SentRequest {
  return {
    method: str(o, "method", path),
    url: str(o, "url", path),
    headers: texts(o, "headers", path),
    body: str(o, "body", path),
  };
}

function envelope(o: Obj, path: string): Envelope {
  const up = obj(o.upstream, `${path}.upstream`);
  return {
    sent: sent(obj(o.sent, `${path}.sent`), `${path}.sent`),
    upstream: {
      status: num(up, "status", `${path}.upstream`),
      headers: texts(up, "headers", `${path}.upstream`),
      body: str(up, "body", `${path}.upstream`),
    },
    ms: num(o, "ms", path),
  };
}

const GRANTS = ["authorization_code", "refresh_token"] as const;

function code(o: Obj, path: string): ReceivedCode {
  return {
    code: str(o, "code", path),
    codeVerifier: str(o, "codeVerifier", path),
    redirectUri: str(o, "redirectUri", path),
    receivedAt: num(o, "receivedAt", path),
    expiresAt: numOrNull(o, "expiresAt", path),
    iss: strOrNull(o, "iss", path),
    extra: texts(o, "extra", path),
    exchangeStartedAt: numOrNull(o, "exchangeStartedAt", path),
    // The nonce the first ID token answered, which a refreshed one must repeat (OIDC Core §12.2).
    ...(o.nonce === undefined ? {} : { nonce: strOrNull(o, "nonce", path) }),
  };
}

function tokenSet(o: Obj, path: string): TokenSet {
  return {
    accessToken: strOrNull(o, "accessToken", path),
    tokenType: str(o, "tokenType", path),
    scope: strOrNull(o, "scope", path),
    refreshToken: strOrNull(o, "refreshToken", path),
    idToken: strOrNull(o, "idToken", path),
    receivedAt: num(o, "receivedAt", path),
    accessExpiresAt: numOrNull(o, "accessExpiresAt", path),
    refreshExpiresAt: numOrNull(o, "refreshExpiresAt", path),
    refreshExpirySource: oneOf(o, "refreshExpirySource", path, ["response", "recipe", "previous", "none"]),
    refreshReceivedAt: numOrNull(o, "refreshReceivedAt", path),
    raw: obj(o.raw, `${path}.raw`),
    ...(o.idTokenReceivedAt === undefined
      ? {}
      : { idTokenReceivedAt: numOrNull(o, "idTokenReceivedAt", path) }),
  };
}

function lastExchange(o: Obj, path: string): LastExchange {
  return {
    at: num(o, "at", path),
    grantType: oneOf(o, "grantType", path, GRANTS),
    envelope: nullable(o, "envelope", path, envelope),
    sent: nullable(o, "sent", path, sent),
    relayError: nullable(o, "relayError", path, (e, p) => ({
      status: numOrNull(e, "status", p),
      error: str(e, "error", p),
      description: str(e, "description", p),
    })),
  };
}

function problem(o: Obj, path: string): Problem {
  return {
    at: num(o, "at", path),
    kind: oneOf(o, "kind", path, ["oauth_error", "unusable", "refused", "outcome_unknown", "code_reused"]),
    title: str(o, "title", path),
    detail: str(o, "detail", path),
    next: str(o, "next", path),
  };
}

function connection(o: Obj, path: string): Connection {
  const settings = obj(o.settings, `${path}.settings`);
  const recent = o.recentRefreshes;
  if (!Array.isArray(recent) || !recent.every((t) => typeof t === "number" && Number.isFinite(t)))
    invalid(`${path}.recentRefreshes`, "is not a list of instants");
  const id = str(o, "id", path);
  if (id === "") invalid(`${path}.id`, "is empty");
  const account = nullable(o, "account", path, (a, p) => ({ name: str(a, "name", p), at: num(a, "at", p) }));
  const idTokenCheck = nullable(o, "idTokenCheck", path, idTokenCheckOf);
  return {
    id,
    name: str(o, "name", path),
    clientId: str(o, "clientId", path),
    provider: str(o, "provider", path),
    scopeRequested: str(o, "scopeRequested", path),
    createdAt: num(o, "createdAt", path),
    updatedAt: num(o, "updatedAt", path),
    revision: num(o, "revision", path),
    authorization: nullable(o, "authorization", path, code),
    tokenSet: nullable(o, "tokenSet", path, tokenSet),
    refreshTokenStatus: oneOf(o, "refreshTokenStatus", path, ["active", "dead", "unknown"]),
    lastExchange: nullable(o, "lastExchange", path, lastExchange),
    problem: nullable(o, "problem", path, problem),
    settings: {
      autoRefresh: bool(settings, "autoRefresh", `${path}.settings`),
      autoRefreshLeadSeconds: num(settings, "autoRefreshLeadSeconds", `${path}.settings`),
    },
    handedOffAt: numOrNull(o, "handedOffAt", path),
    inFlight: nullable(o, "inFlight", path, (f, p) => ({
      grantType: oneOf(f, "grantType", p, GRANTS),
      startedAt: num(f, "startedAt", p),
    })),
    recentRefreshes: recent as number[],
    retryAfterUntil: numOrNull(o, "retryAfterUntil", path),
    ...(account === null ? {} : { account }),
    ...(idTokenCheck === null ? {} : { idTokenCheck }),
  };
}

/**
 * The ID token's check as the backup holds it. Only its frame is checked: the verdict is what this
 * page wrote and shows as text, and the file is authenticated (AES-GCM) against any other writer.
 */
function idTokenCheckOf(o: Obj, path: string): IdTokenCheck {
  return {
    receivedAt: num(o, "receivedAt", path),
    grantType: oneOf(o, "grantType", path, GRANTS),
    original: nullable(o, "original", path, (v) => v as unknown as OriginalIdentity),
    checkedAt: numOrNull(o, "checkedAt", path),
    verdict: nullable(o, "verdict", path, (v) => v as unknown as IdTokenVerdict),
  };
}

const EVENT_TYPES = [
  "authorized",
  "imported",
  "exchanged",
  "refreshed",
  "rotated",
  "failed",
  "exported",
  "settings",
  "revoked",
  "introspected",
  "restored",
  "api",
] as const satisfies readonly EventType[];
// Fails to compile when records.ts gains an event type this list lacks.
const everyEventType: Exclude<EventType, (typeof EVENT_TYPES)[number]> extends never ? true : false = true;
void everyEventType;

function fingerprintOrNull(o: Obj, key: string, path: string): string | null {
  const v = strOrNull(o, key, path);
  if (v !== null && !/^[0-9a-f]{8}$/.test(v)) invalid(`${path}.${key}`, "is not a fingerprint");
  return v;
}

function historyEvent(o: Obj, path: string, connectionId: string): ConnectionEvent {
  if (o.connectionId !== connectionId) invalid(`${path}.connectionId`, "names another connection");
  const id = str(o, "id", path);
  if (id === "") invalid(`${path}.id`, "is empty");
  return {
    id,
    connectionId,
    at: num(o, "at", path),
    type: oneOf(o, "type", path, EVENT_TYPES),
    summary: str(o, "summary", path),
    exchange: nullable(o, "exchange", path, envelope),
    refreshTokenFingerprint: fingerprintOrNull(o, "refreshTokenFingerprint", path),
    previousRefreshTokenFingerprint: fingerprintOrNull(o, "previousRefreshTokenFingerprint", path),
  };
}

/** Parses and checks an opened backup's bytes. Throws {@link BackupError}; stores nothing. */
export function decodePayload(bytes: Uint8Array): BackupPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    invalid("its contents", "are not JSON");
  }
  const root = obj(parsed, "its contents");
  if (root.kind !== PAYLOAD_KIND) invalid("its contents", `do not say "${PAYLOAD_KIND}"`);
  const schema = num(root, "schema", "the file");
  if (schema > BACKUP_SCHEMA) {
    throw new BackupError(
      `This backup was made by a newer tokendesk (its records are schema ${schema}; this one knows ${BACKUP_SCHEMA}). Open it with that newer tokendesk, or update this one. ${UNCHANGED}`,
      "newer_version",
    );
  }
  if (schema !== BACKUP_SCHEMA) invalid("the file's schema", `is ${schema}, which no backup ever had`);
  const list = root.entries;
  if (!Array.isArray(list)) invalid("its entries", "are not a list");
  const seen = new Set<string>();
  const entries = list.map((value, i): BackupEntry => {
    const entry = obj(value, `connection ${i + 1}`);
    const c = connection(obj(entry.connection, `connection ${i + 1}`), `connection ${i + 1}`);
    if (seen.has(c.id)) invalid(`connection ${i + 1}`, "appears twice");
    seen.add(c.id);
    const history = entry.events;
    if (!Array.isArray(history)) invalid(`connection ${i + 1}'s history`, "is not a list");
    const events = history.map((e, n) =>
      historyEvent(
        obj(e, `connection ${i + 1}, event ${n + 1}`),
        `connection ${i + 1}, event ${n + 1}`,
        c.id,
      ),
    );
    return { connection: c, events };
  });
  return { kind: PAYLOAD_KIND, schema, createdAt: num(root, "createdAt", "the file"), entries };
}

export interface WrittenBackup {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly connections: number;
  readonly events: number;
  readonly leftOut: readonly LeftOut[];
  readonly createdAt: number;
}

/** Collects the connections (all when `ids` is null) and seals them with the passphrase. */
export async function writeBackup(
  db: Db,
  ids: readonly string[] | null,
  passphrase: string,
  options: { readonly now: number; readonly onStage?: (stage: BackupStage | "reading") => void },
): Promise<WrittenBackup> {
  options.onStage?.("reading");
  const { payload, leftOut } = await collectBackup(db, ids, options.now);
  const bytes = await sealBackup(encodePayload(payload), passphrase, {
    ...(options.onStage === undefined ? {} : { onStage: options.onStage }),
  });
  return {
    bytes,
    connections: payload.entries.length,
    events: payload.entries.reduce((n, e) => n + e.events.length, 0),
    leftOut,
    createdAt: payload.createdAt,
  };
}

/** Opens and checks a backup file; nothing is stored. Throws {@link BackupError}. */
export async function readBackup(
  file: Uint8Array,
  passphrase: string,
  options: { readonly onStage?: (stage: BackupStage) => void } = {},
): Promise<BackupPayload> {
  return decodePayload(await openBackup(file, passphrase, options));
}
