/**
 * The diagnostic bundle: a connection's history as one redacted JSON file (HAR-like entries: request,
 * response, timings), for a customer to attach to a ticket and a support user to open read-only.
 * Every token, code, verifier and secret is replaced by `[field fingerprint]`, so the bundle says which
 * token was which and can be used for nothing. The support desk also diagnoses a live connection from
 * its bundle, so no view of a diagnosis ever holds a usable credential.
 */
import { fingerprint } from "../oauth/fingerprint.ts";
import { BUNDLE_FORMAT } from "../oauth/inspect.ts";
import { readJwt } from "../oauth/jwt.ts";
import { parseBody } from "../oauth/token-set.ts";
import type { Envelope, PublicClient, SentRequest, UpstreamResponse } from "../relay/contract.ts";
import type { Connection, ConnectionEvent, EventType, RefreshTokenStatus } from "./records.ts";
import { redactEnvelope } from "./redact.ts";

export const BUNDLE_VERSION = 1;

/** A header as HAR writes it. */
export interface BundleHeader {
  readonly name: string;
  readonly value: string;
}

export interface BundleRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly BundleHeader[];
  readonly postData: { readonly mimeType: string; readonly text: string } | null;
}

export interface BundleResponse {
  readonly status: number;
  readonly headers: readonly BundleHeader[];
  readonly content: { readonly mimeType: string; readonly text: string };
}

/** One line of history, with its HTTP exchange when it had one. */
export interface BundleEntry {
  /** HAR's start time (ISO 8601); for an answered request, when the answer was stored. */
  readonly startedDateTime: string;
  /** Round trip in ms (HAR `time`), 0 without an exchange. */
  readonly time: number;
  readonly event: {
    readonly type: EventType;
    readonly summary: string;
    readonly refreshTokenFingerprint: string | null;
    readonly previousRefreshTokenFingerprint: string | null;
    /**
     * The expiries of the tokens the event issued, as ConnectionEvent has them; absent in bundles of
     * events stored before they were recorded (readers fall back to the response's `expires_in`).
     */
    readonly accessExpiresAt?: number | null;
    readonly refreshExpiresAt?: number | null;
  };
  readonly request: BundleRequest | null;
  readonly response: BundleResponse | null;
}

/** What the connection was when the bundle was made; instants in ms since the epoch. */
export interface BundleConnection {
  readonly name: string;
  readonly provider: string;
  readonly clientId: string;
  readonly scopeRequested: string;
  readonly createdAt: number;
  readonly handedOffAt: number | null;
  readonly refreshTokenStatus: RefreshTokenStatus;
  readonly problem: Connection["problem"];
  readonly authorization: {
    readonly code: string;
    readonly redirectUri: string;
    readonly receivedAt: number;
    readonly expiresAt: number | null;
    readonly exchangeStartedAt: number | null;
    readonly iss: string | null;
  } | null;
  readonly tokenSet: {
    readonly accessToken: string | null;
    readonly refreshToken: string | null;
    readonly idToken: string | null;
    readonly tokenType: string;
    readonly scope: string | null;
    readonly receivedAt: number;
    readonly accessExpiresAt: number | null;
    readonly refreshExpiresAt: number | null;
    readonly refreshReceivedAt: number | null;
  } | null;
  readonly recentRefreshes: readonly number[];
  readonly retryAfterUntil: number | null;
}

/** The last request in full detail, including one whose answer never came (no envelope). */
export interface BundleLastExchange {
  readonly at: number;
  readonly grantType: "authorization_code" | "refresh_token";
  readonly request: BundleRequest | null;
  readonly response: BundleResponse | null;
  readonly time: number;
  readonly relayError: {
    readonly status: number | null;
    readonly error: string;
    readonly description: string;
  } | null;
}

export interface DiagnosticBundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: typeof BUNDLE_VERSION;
  readonly createdAt: string;
  readonly note: string;
  /** The page's origin (the redirect URI's host) and the relay's base, for "where did my credentials go". */
  readonly appOrigin: string | null;
  readonly relayBase: string | null;
  /** The relay client's public facts (never a secret), when the relay listed it. */
  readonly client: PublicClient | null;
  readonly connection: BundleConnection;
  readonly lastExchange: BundleLastExchange | null;
  readonly log: { readonly entries: readonly BundleEntry[] };
}

const NOTE =
  "Made by tokendesk. Every token, code, verifier and secret is replaced by [field fingerprint] (the first 8 hex digits of its SHA-256): the bundle tells tokens apart but holds none.";

/** Body fields whose values are credentials, wherever they appear. */
const SECRET_FIELDS = [
  "code",
  "code_verifier",
  "access_token",
  "refresh_token",
  "id_token",
  // Revocation and introspection bodies name their token `token` (RFC 7009 §2.1, RFC 7662 §2.1).
  "token",
  "client_secret",
  "client_assertion",
  "assertion",
  "password",
];

/** Headers whose values are credentials. */
const SECRET_HEADERS = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

const MARKER = /^\[[a-z_]+ [0-9a-f]{8}\]$|^\[redacted\]$/;

async function marker(field: string, value: string): Promise<string> {
  return `[${field} ${await fingerprint(value)}]`;
}

function headerList(headers: Readonly<Record<string, string>>): BundleHeader[] {
  return Object.entries(headers).map(([name, value]) => ({ name, value }));
}

function request(sent: SentRequest): BundleRequest {
  const type = sent.headers["content-type"] ?? sent.headers["Content-Type"] ?? "";
  return {
    method: sent.method,
    url: sent.url,
    headers: headerList(sent.headers),
    postData: sent.body === "" ? null : { mimeType: type, text: sent.body },
  };
}

function response(upstream: UpstreamResponse): BundleResponse {
  return {
    status: upstream.status,
    headers: headerList(upstream.headers),
    content: { mimeType: upstream.headers["content-type"] ?? "", text: upstream.body },
  };
}

/** The HAR request of an entry as the relay's `sent` shape again. */
export function sentOf(req: BundleRequest): SentRequest {
  return {
    method: req.method,
    url: req.url,
    headers: Object.fromEntries(req.headers.map((h) => [h.name, h.value])),
    body: req.postData?.text ?? "",
  };
}

/** The HAR response of an entry as the relay's `upstream` shape again. */
export function upstreamOf(res: BundleResponse): UpstreamResponse {
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers.map((h) => [h.name, h.value])),
    body: res.content.text,
  };
}

/** Every credential value the connection holds or held in full, with the field it came from. */
export function knownSecrets(connection: Connection): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const add = (field: string, value: string | null | undefined) => {
    if (typeof value === "string" && value.length >= 4 && !MARKER.test(value)) found.push([field, value]);
  };
  add("code", connection.authorization?.code);
  add("code_verifier", connection.authorization?.codeVerifier);
  const tokens = connection.tokenSet;
  add("access_token", tokens?.accessToken);
  add("refresh_token", tokens?.refreshToken);
  add("id_token", tokens?.idToken);
  for (const field of SECRET_FIELDS) {
    const raw = tokens?.raw[field];
    if (typeof raw === "string") add(field, raw);
  }
  const last = connection.lastExchange;
  for (const part of [last?.envelope?.sent.body, last?.envelope?.upstream.body, last?.sent?.body]) {
    if (part === undefined) continue;
    const parsed = parseBody(part, "application/x-www-form-urlencoded");
    for (const field of SECRET_FIELDS) {
      const value = parsed?.[field];
      if (typeof value === "string") add(field, value);
    }
  }
  return found;
}

/** The forms a value takes inside JSON text: as is, JSON-escaped, percent-encoded, form-encoded. */
function forms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const percent = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  return [...new Set([value, json, percent, form, JSON.stringify(percent).slice(1, -1)])];
}

/** JWTs anywhere in a text: a token the connection never held whole (an id_token in a body) still goes. */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

async function redactHeaders(headers: readonly BundleHeader[]): Promise<BundleHeader[]> {
  return Promise.all(
    headers.map(async (h): Promise<BundleHeader> => {
      const name = h.name.toLowerCase();
      if (!SECRET_HEADERS.includes(name) || h.value === "" || MARKER.test(h.value)) return h;
      // `Bearer x`, `Basic x`: keep the scheme, which says how the client authenticated.
      const match = /^([A-Za-z][A-Za-z0-9-]*) +(\S.*)$/s.exec(h.value);
      if (name.endsWith("authorization") && match !== null) {
        const [, scheme = "", rest = ""] = match;
        return MARKER.test(rest) ? h : { ...h, value: `${scheme} ${await marker(name, rest)}` };
      }
      return { ...h, value: await marker(name, h.value) };
    }),
  );
}

async function redactBody(text: string): Promise<string> {
  if (text === "") return text;
  const parsed =
    parseBody(text, "application/json") ??
    (text.includes("=") ? parseBody(text, "application/x-www-form-urlencoded") : null);
  let out = text;
  for (const field of SECRET_FIELDS) {
    const value = parsed?.[field];
    if (typeof value === "string" && value !== "" && !MARKER.test(value)) {
      const m = await marker(field, value);
      for (const form of forms(value)) out = out.split(form).join(m);
    }
  }
  return out;
}

/**
 * Redacts what field names and header names say is a credential: a body field `code`,
 * `refresh_token`… becomes `[field fingerprint]`; a credential header keeps only its scheme.
 */
async function redactRequest(req: BundleRequest): Promise<BundleRequest> {
  return {
    ...req,
    headers: await redactHeaders(req.headers),
    postData: req.postData === null ? null : { ...req.postData, text: await redactBody(req.postData.text) },
  };
}

async function redactResponse(res: BundleResponse): Promise<BundleResponse> {
  return {
    ...res,
    headers: await redactHeaders(res.headers),
    content: { ...res.content, text: await redactBody(res.content.text) },
  };
}

async function entryOf(event: ConnectionEvent): Promise<BundleEntry> {
  const exchange = event.exchange;
  return {
    startedDateTime: new Date(event.at).toISOString(),
    time: exchange?.ms ?? 0,
    event: {
      type: event.type,
      summary: event.summary,
      refreshTokenFingerprint: event.refreshTokenFingerprint,
      previousRefreshTokenFingerprint: event.previousRefreshTokenFingerprint,
      ...(event.accessExpiresAt === undefined ? {} : { accessExpiresAt: event.accessExpiresAt }),
      ...(event.refreshExpiresAt === undefined ? {} : { refreshExpiresAt: event.refreshExpiresAt }),
    },
    request: exchange === null ? null : await redactRequest(request(exchange.sent)),
    response: exchange === null ? null : await redactResponse(response(exchange.upstream)),
  };
}

async function orNull(value: string | null | undefined, field: string): Promise<string | null> {
  return value === null || value === undefined ? null : marker(field, value);
}

export interface BundleOptions {
  readonly now: number;
  readonly client: PublicClient | null;
  readonly appOrigin: string | null;
  readonly relayBase: string | null;
}

/**
 * Builds the bundle of a connection and its history. Redacts three ways, because a missed token is
 * the one failure that matters: by field and header name in every message, by every credential value
 * the connection holds (in all the encodings it may appear in), and any JWT anywhere; then checks
 * that none of the values it knows survived, and throws rather than hand out a bundle that leaks.
 */
export async function buildDiagnosticBundle(
  connection: Connection,
  events: readonly ConnectionEvent[],
  options: BundleOptions,
): Promise<DiagnosticBundle> {
  const auth = connection.authorization;
  const tokens = connection.tokenSet;
  const last = connection.lastExchange;
  const lastEnvelope: Envelope | null = last?.envelope ? await redactEnvelope(last.envelope) : null;
  const lastSent = lastEnvelope?.sent ?? last?.sent ?? null;
  const draft: DiagnosticBundle = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: new Date(options.now).toISOString(),
    note: NOTE,
    appOrigin: options.appOrigin,
    relayBase: options.relayBase,
    client: options.client,
    connection: {
      name: connection.name,
      provider: connection.provider,
      clientId: connection.clientId,
      scopeRequested: connection.scopeRequested,
      createdAt: connection.createdAt,
      handedOffAt: connection.handedOffAt,
      refreshTokenStatus: connection.refreshTokenStatus,
      problem: connection.problem,
      authorization:
        auth === null
          ? null
          : {
              code: await marker("code", auth.code),
              redirectUri: auth.redirectUri,
              receivedAt: auth.receivedAt,
              expiresAt: auth.expiresAt,
              exchangeStartedAt: auth.exchangeStartedAt,
              iss: auth.iss,
            },
      tokenSet:
        tokens === null
          ? null
          : {
              accessToken: await orNull(tokens.accessToken, "access_token"),
              refreshToken: await orNull(tokens.refreshToken, "refresh_token"),
              idToken: await orNull(tokens.idToken, "id_token"),
              tokenType: tokens.tokenType,
              scope: tokens.scope,
              receivedAt: tokens.receivedAt,
              accessExpiresAt: tokens.accessExpiresAt,
              refreshExpiresAt: tokens.refreshExpiresAt,
              refreshReceivedAt: tokens.refreshReceivedAt,
            },
      recentRefreshes: connection.recentRefreshes,
      retryAfterUntil: connection.retryAfterUntil,
    },
    lastExchange:
      last === null
        ? null
        : {
            at: last.at,
            grantType: last.grantType,
            request: lastSent === null ? null : await redactRequest(request(lastSent)),
            response: lastEnvelope === null ? null : await redactResponse(response(lastEnvelope.upstream)),
            time: lastEnvelope?.ms ?? 0,
            relayError: last.relayError,
          },
    log: { entries: await Promise.all(events.map(entryOf)) },
  };

  let text = JSON.stringify(draft);
  const secrets = knownSecrets(connection).sort((a, b) => b[1].length - a[1].length);
  for (const [field, value] of secrets) {
    const m = await marker(field, value);
    for (const form of forms(value)) text = text.split(form).join(m);
  }
  const jwts = [...new Set(text.match(JWT_PATTERN) ?? [])].filter((t) => readJwt(t).kind === "jwt");
  for (const jwt of jwts) text = text.split(jwt).join(await marker("jwt", jwt));
  const leaked = secrets.find(([, value]) => text.includes(value));
  if (leaked !== undefined) {
    throw new Error(`The bundle still holds the connection's ${leaked[0]}; nothing was exported.`);
  }
  return JSON.parse(text) as DiagnosticBundle;
}

/** The bundle as a file's text. */
export function serializeBundle(bundle: DiagnosticBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

/** A file name for the bundle: provider, client and date, nothing secret. */
export function bundleFileName(bundle: DiagnosticBundle): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40);
  return `tokendesk-${safe(bundle.connection.provider)}-${safe(bundle.connection.clientId)}-${bundle.createdAt.slice(0, 10)}.json`;
}
