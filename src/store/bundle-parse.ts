/**
 * Reading a diagnostic bundle someone else made: checked field by field, so a hand-edited or hostile
 * file is refused with a reason instead of breaking the page. Everything in it is later shown as text.
 */
import { BUNDLE_FORMAT } from "../oauth/inspect.ts";
import { BUNDLE_VERSION, type DiagnosticBundle } from "./bundle.ts";

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isNum(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isNumOrNull(value: unknown): boolean {
  return value === null || isNum(value);
}

/** An optional instant: absent (older bundles), null (none stated) or a number. */
function isAbsentNumOrNull(value: unknown): boolean {
  return value === undefined || isNumOrNull(value);
}

function isHeaders(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((h) => isObject(h) && typeof h.name === "string" && typeof h.value === "string")
  );
}

function isRequest(value: unknown): boolean {
  if (value === null) return true;
  if (!isObject(value) || typeof value.method !== "string" || typeof value.url !== "string") return false;
  const post = value.postData;
  return (
    isHeaders(value.headers) &&
    (post === null || (isObject(post) && typeof post.text === "string" && typeof post.mimeType === "string"))
  );
}

function isResponse(value: unknown): boolean {
  if (value === null) return true;
  if (!isObject(value) || !isNum(value.status) || !isHeaders(value.headers)) return false;
  const content = value.content;
  return isObject(content) && typeof content.text === "string" && typeof content.mimeType === "string";
}

/**
 * Checks a parsed file is a bundle this version can show, field by field, so a hand-edited or
 * hostile file is refused with a reason instead of breaking the page. Everything in it is later
 * shown as text only.
 */
export function parseDiagnosticBundle(
  value: unknown,
):
  | { readonly ok: true; readonly bundle: DiagnosticBundle }
  | { readonly ok: false; readonly problem: string } {
  const fail = (problem: string) => ({ ok: false, problem }) as const;
  if (!isObject(value) || value.format !== BUNDLE_FORMAT)
    return fail("This is not a tokendesk diagnostic bundle.");
  if (value.version !== BUNDLE_VERSION) {
    return fail(
      `This bundle is version ${String(value.version)}; this tokendesk reads version ${BUNDLE_VERSION}.`,
    );
  }
  const c = value.connection;
  if (
    !isObject(c) ||
    typeof c.provider !== "string" ||
    typeof c.clientId !== "string" ||
    typeof c.name !== "string" ||
    typeof c.scopeRequested !== "string" ||
    !isNum(c.createdAt) ||
    !isNumOrNull(c.handedOffAt) ||
    !["active", "dead", "unknown"].includes(String(c.refreshTokenStatus)) ||
    !Array.isArray(c.recentRefreshes) ||
    !c.recentRefreshes.every(isNum)
  ) {
    return fail('Its "connection" is missing or malformed.');
  }
  const a = c.authorization;
  if (
    a !== null &&
    !(
      isObject(a) &&
      typeof a.redirectUri === "string" &&
      isNum(a.receivedAt) &&
      isNumOrNull(a.expiresAt) &&
      isNumOrNull(a.exchangeStartedAt)
    )
  ) {
    return fail('Its "connection.authorization" is malformed.');
  }
  const t = c.tokenSet;
  if (
    t !== null &&
    !(isObject(t) && isNum(t.receivedAt) && isNumOrNull(t.accessExpiresAt) && isNumOrNull(t.refreshExpiresAt))
  ) {
    return fail('Its "connection.tokenSet" is malformed.');
  }
  const log = value.log;
  if (!isObject(log) || !Array.isArray(log.entries)) return fail('It has no "log.entries" list.');
  for (const [i, e] of log.entries.entries()) {
    if (
      !isObject(e) ||
      typeof e.startedDateTime !== "string" ||
      Number.isNaN(Date.parse(e.startedDateTime)) ||
      !isNum(e.time) ||
      !isObject(e.event) ||
      typeof e.event.type !== "string" ||
      typeof e.event.summary !== "string" ||
      !isAbsentNumOrNull(e.event.accessExpiresAt) ||
      !isAbsentNumOrNull(e.event.refreshExpiresAt) ||
      !isRequest(e.request) ||
      !isResponse(e.response)
    ) {
      return fail(`Its log entry ${i + 1} is malformed.`);
    }
  }
  const last = value.lastExchange;
  if (
    last !== null &&
    !(isObject(last) && isNum(last.at) && isRequest(last.request) && isResponse(last.response))
  ) {
    return fail('Its "lastExchange" is malformed.');
  }
  const client = value.client;
  if (
    client !== null &&
    !(isObject(client) && typeof client.id === "string" && Array.isArray(client.redirect_uris))
  ) {
    return fail('Its "client" is malformed.');
  }
  return { ok: true, bundle: value as unknown as DiagnosticBundle };
}
