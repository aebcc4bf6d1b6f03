// The demo server's protected resource (`/api/`), the demo client's API base URL for "Try the API":
// `GET profile` answers whose token it is, `GET`/`POST notes` keep a list per user. Node only, mounted
// by demo-server.ts on oidc-provider's Koa app; never import this from browser code.
import type { IncomingMessage } from "node:http";

/** One request that reached the demo's protected resource (`/api/`). */
export interface ApiRequestRecord {
  at: number;
  method: string;
  /** The path, without the query. */
  path: string;
  status: number;
}

/** The parts of oidc-provider's Koa context the API reads and writes. */
export interface ApiContext {
  readonly path: string;
  readonly method: string;
  status: number;
  body: unknown;
  type: string;
  readonly req: IncomingMessage;
  get(field: string): string;
  set(field: string, value: string): void;
}

/** oidc-provider's access token store: expired, revoked and unknown tokens come back undefined. */
export interface AccessTokens {
  find(
    value: string,
  ): Promise<
    { accountId?: string; clientId?: string; scope?: string; iat?: number; exp?: number } | undefined
  >;
}

/** A note the demo API keeps for a user. */
export interface DemoNote {
  readonly id: number;
  readonly text: string;
  readonly created_at: string;
}

const NOTES_PER_USER = 50;
const NOTE_MAX_LENGTH = 500;

/**
 * The protected resource: a Bearer token (RFC 6750 §2.1) that this server issued and that has not
 * expired, with the `demo:read` scope; errors as RFC 6750 §3 describes them, in the header and as JSON.
 */
export async function serveApi(
  accessTokens: AccessTokens,
  ctx: ApiContext,
  notes: Map<string, DemoNote[]>,
  base: string,
): Promise<void> {
  const json = (status: number, body: unknown) => {
    ctx.status = status;
    ctx.type = "application/json";
    ctx.body = body;
  };
  const challenge = (status: number, error: string | null, description: string) => {
    const params = error === null ? "" : `, error="${error}", error_description="${description}"`;
    ctx.set("WWW-Authenticate", `Bearer realm="demo"${params}`);
    json(
      status,
      error === null
        ? { error: "invalid_request", error_description: description }
        : { error, error_description: description },
    );
  };
  const match = /^Bearer ([!-~]+)$/.exec(ctx.get("authorization"));
  if (match?.[1] === undefined) {
    challenge(401, null, "Send the access token as Authorization: Bearer <token>.");
    return;
  }
  const token = await accessTokens.find(match[1]);
  if (token?.accountId === undefined) {
    challenge(401, "invalid_token", "The access token expired, was revoked, or was not issued here.");
    return;
  }
  if (!(token.scope ?? "").split(" ").includes("demo:read")) {
    challenge(403, "insufficient_scope", "This resource needs the demo:read scope.");
    return;
  }
  const route = ctx.path.slice(base.length);
  const allow = (methods: string) => {
    ctx.set("Allow", methods);
    json(405, { error: "method_not_allowed", error_description: `Use ${methods}.` });
  };
  if (route === "profile") {
    if (ctx.method !== "GET" && ctx.method !== "HEAD") return allow("GET, HEAD");
    json(200, {
      sub: token.accountId,
      client_id: token.clientId ?? null,
      scope: token.scope ?? "",
      issued_at: token.iat === undefined ? null : new Date(token.iat * 1000).toISOString(),
      expires_at: token.exp === undefined ? null : new Date(token.exp * 1000).toISOString(),
    });
    return;
  }
  if (route === "notes") {
    const mine = notes.get(token.accountId) ?? [];
    if (ctx.method === "GET" || ctx.method === "HEAD") return json(200, { notes: mine });
    if (ctx.method !== "POST") return allow("GET, HEAD, POST");
    const text = await readText(ctx.req, 8192);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? "");
    } catch {
      parsed = undefined;
    }
    const noteText = isRecord(parsed) ? asString(parsed.text) : undefined;
    if (noteText === undefined || noteText === "" || noteText.length > NOTE_MAX_LENGTH) {
      json(400, {
        error: "invalid_request",
        error_description: `Send a JSON object {"text": "…"} with 1 to ${NOTE_MAX_LENGTH} characters.`,
      });
      return;
    }
    const note: DemoNote = {
      id: (mine.at(-1)?.id ?? 0) + 1,
      text: noteText,
      created_at: new Date().toISOString(),
    };
    notes.set(token.accountId, [...mine, note].slice(-NOTES_PER_USER));
    json(201, { note });
    return;
  }
  json(404, { error: "not_found", error_description: "The demo API has /api/profile and /api/notes." });
}

/** A request body as text, or null when it is larger than `limit` bytes. */
async function readText(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
