/**
 * What `POST {base}/api` may send, apart from the orchestration so it can be reviewed and tested
 * alone: which URLs (only under one of the client's API base URLs), which methods, which request
 * headers and how large a body. The relay holds no credential for this route (the caller's own access
 * token goes in `Authorization`), so what it guards against is being an open proxy: a request that
 * reaches another host, another part of the API host than the configured base, or that smuggles
 * headers. Pure data and functions: no I/O, Web APIs only.
 *
 * URL rule, in order (each failure names its rule):
 * 1. `syntax`: a string of at most {@link API_URL_MAX_LENGTH} characters that starts `http://` or
 *    `https://` followed by a host. Schemeless, `https:host` and `https:///host` forms are refused,
 *    although WHATWG URL parsing would repair them, so what is checked is what the caller wrote.
 * 2. `scheme`: http or https (then the base's own scheme decides, in `origin`).
 * 3. `control`: no space, no control character (CR, LF, NUL, tab…) and nothing outside ASCII,
 *    raw or (in the path) percent-encoded: a parser that strips them and a server that does not
 *    would disagree about the URL.
 * 4. `backslash`: no `\` anywhere: WHATWG parsers read it as `/` in http(s) URLs, others do not.
 * 5. `fragment`: no `#`: a fragment is never sent, so a URL with one is not what would be called.
 * 6. `userinfo`: no `user:password@` before the host.
 * 7. `origin`: after WHATWG parsing (host lower-cased and IDNA-mapped, a default port dropped, IPv4
 *    shorthands expanded), the same scheme, host and port as one of the client's API base URLs.
 * 8. The path, as parsed (dot segments `.`, `..`, `%2e`, `.%2E`… already resolved):
 *    `encoded-slash` no `%2F` or `%5C`: servers that decode them before routing would see other
 *    segments than the relay checked, so they are refused outright rather than decoded;
 *    `double-encoding` no `%25`: a server decoding twice would see a second round of escapes;
 *    `bad-percent` every `%` starts a two-hex-digit escape;
 *    `dot-segment` no segment that is `.` or `..` once decoded and cut at `;` (Tomcat and Jetty
 *    read `..;x` as `..`);
 *    `empty-segment` no `//` inside the path (servers disagree on whether it is `/`);
 *    `path` inside the base's path: equal to it, or below it at a `/` boundary (a base
 *    `/v2/` or `/v2` allows `/v2` and `/v2/…`, never `/v2-admin`), compared byte for byte.
 * 9. `token`: the access token nowhere in the URL (RFC 6750 §2.3 discourages it: URLs are logged);
 *    the relay sends it in `Authorization`.
 * The URL sent upstream is the parsed URL's serialisation: exactly what was checked.
 */

/** Methods the API route sends (RFC 9110 §9.3). CONNECT, TRACE and OPTIONS are never relayed. */
export const API_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** Methods that only read (RFC 9110 §9.2.1 "safe"): a failure after sending leaves nothing unknown. */
export const READ_ONLY_METHODS: readonly ApiMethod[] = ["GET", "HEAD"];

/** Largest request body the relay sends upstream, in bytes of UTF-8. */
export const API_BODY_MAX_BYTES = 64 * 1024;
/** Largest upstream answer body the relay reads; the rest is cut off and the envelope says so. */
export const API_RESPONSE_MAX_BYTES = 1024 * 1024;
/**
 * Largest `POST {base}/api` request the relay reads: a body of {@link API_BODY_MAX_BYTES} whose JSON
 * string doubles in size (every character escaped as `\"`, `\\` or `\n`), plus room for the other
 * fields. A body of control characters escaped as `\u0000` can exceed it: such a request is refused
 * as too large, like any other over the bound.
 */
export const API_REQUEST_MAX_BYTES = 2 * API_BODY_MAX_BYTES + 16 * 1024;
export const API_URL_MAX_LENGTH = 8192;
export const API_MAX_HEADERS = 32;
export const API_HEADER_VALUE_MAX_LENGTH = 4096;
/** At most this many API base URLs per client. */
export const API_MAX_BASE_URLS = 16;

/**
 * Request headers every API call may carry: content negotiation, conditional requests, `Prefer`
 * (RFC 7240) and `Idempotency-Key`. An allow-list, not a deny-list, because this route forwards to a
 * host with the caller's token: anything not named here is refused with the list. A recipe adds its
 * API's own (Xero-Tenant-Id…).
 */
export const API_REQUEST_HEADERS = [
  "accept",
  "accept-language",
  "content-type",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
  "prefer",
  "idempotency-key",
] as const;

/** Why well-known headers are refused, in words, beyond "not on the list". */
const REFUSED_HEADER_REASONS: Readonly<Record<string, string>> = {
  host: "the relay sends the URL's own host",
  "content-length": "the relay frames the body itself",
  "transfer-encoding": "the relay frames the body itself",
  "user-agent": "the relay sends its own User-Agent, which providers such as FreeAgent require",
  origin: "the call comes from the relay, not from a page",
  referer: "the call comes from the relay, not from a page",
  forwarded: "the relay forwards nothing about the caller",
  "x-forwarded-for": "the relay forwards nothing about the caller",
  "x-forwarded-host": "the relay forwards nothing about the caller",
  "x-forwarded-proto": "the relay forwards nothing about the caller",
  "x-real-ip": "the relay forwards nothing about the caller",
};

/** Headers that carry credentials: refused as `credentials_not_allowed`. */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "cookie2"];

/** Hop-by-hop fields (RFC 9110 §7.6.1); kept here too so this module stands alone. */
const HOP_BY_HOP = ["connection", "keep-alive", "te", "trailer", "upgrade", "proxy-connection"];

/** RFC 9110 §5.6.2 `token`: the characters of a field name. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A field value as the relay accepts it: visible ASCII, spaces and tabs; never CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
/** RFC 6750 §2.1 asks for `b64token`; visible ASCII keeps header lines intact and tolerates stretchers. */
const TOKEN_PATTERN = /^[\x21-\x7e]{1,8192}$/;

/** Which rule refused a URL (see the module comment). */
export type UrlRule =
  | "syntax"
  | "scheme"
  | "control"
  | "backslash"
  | "fragment"
  | "userinfo"
  | "origin"
  | "encoded-slash"
  | "double-encoding"
  | "bad-percent"
  | "dot-segment"
  | "empty-segment"
  | "path"
  | "token";

export type UrlCheck =
  | { readonly ok: true; readonly url: string; readonly base: string }
  | { readonly ok: false; readonly rule: UrlRule; readonly problem: string };

function quote(value: string, max = 200): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** The base's path as a prefix: without its trailing slash, so `/v2/` and `/v2` allow the same. */
function prefixOf(basePath: string): string {
  return basePath.endsWith("/") ? basePath.slice(0, -1) : basePath;
}

/** Whether `path` is the base's path or below it at a `/` boundary. */
function insidePath(path: string, basePath: string): boolean {
  const prefix = prefixOf(basePath);
  return path === prefix || path.startsWith(`${prefix}/`) || (prefix === "" && path === "/");
}

/** Percent-escapes of ASCII decoded (so `%2e` reads as `.`); others left as they are. */
function decodeAscii(segment: string): string {
  return segment.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** Why a parsed path is refused whatever the base, or undefined. */
function pathProblem(path: string): { rule: UrlRule; problem: string } | undefined {
  if (/%(2f|5c)/i.test(path)) {
    return {
      rule: "encoded-slash",
      problem: `has an encoded slash or backslash (%2F, %5C) in its path ${quote(path)}; servers that decode it before routing would see other path segments than the relay checked, so it is refused`,
    };
  }
  if (/%25/.test(path)) {
    return {
      rule: "double-encoding",
      problem: `has an encoded percent sign (%25) in its path ${quote(path)}; a server decoding twice would see other characters than the relay checked, so it is refused`,
    };
  }
  if (/%(?![0-9a-f]{2})/i.test(path)) {
    return {
      rule: "bad-percent",
      problem: `has a "%" in its path ${quote(path)} that does not start a two-digit escape; write a percent sign as %25 only in the query`,
    };
  }
  if (/%(0[0-9a-f]|1[0-9a-f]|7f)/i.test(path)) {
    return {
      rule: "control",
      problem: `has an encoded control character (%00 to %1F, %7F) in its path ${quote(path)}`,
    };
  }
  const segments = path.split("/").slice(1);
  for (const [index, segment] of segments.entries()) {
    const name = decodeAscii(segment).split(";")[0];
    if (name === "." || name === "..") {
      return {
        rule: "dot-segment",
        problem: `has the segment ${quote(segment)} in its path, which servers that ignore ";" parameters read as "${name}"`,
      };
    }
    if (segment === "" && index < segments.length - 1) {
      return {
        rule: "empty-segment",
        problem: `has an empty path segment ("//") in ${quote(path)}; servers disagree on what it means, so remove the extra slash`,
      };
    }
  }
  return undefined;
}

/** Whether any UTF-16 code unit of `value` passes `test` (spelled out: control characters in a regex read badly). */
function hasCode(value: string, test: (code: number) => boolean): boolean {
  for (let i = 0; i < value.length; i++) if (test(value.charCodeAt(i))) return true;
  return false;
}

/**
 * Checks a caller's URL against the client's API base URLs (the module comment lists the rules in
 * order). `bases` are canonical (checked by {@link checkApiBaseUrl} at start). `token`, when given,
 * must not appear in the URL.
 */
export function checkApiUrl(value: unknown, bases: readonly string[], token?: string): UrlCheck {
  const refuse = (rule: UrlRule, problem: string): UrlCheck => ({ ok: false, rule, problem });
  const example = bases[0] ?? "https://api.example.com/";
  if (typeof value !== "string" || value === "") {
    return refuse("syntax", `must be the absolute URL to call, e.g. ${quote(example)}`);
  }
  if (value.length > API_URL_MAX_LENGTH) {
    return refuse("syntax", `is longer than ${API_URL_MAX_LENGTH} characters`);
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    return refuse(
      "scheme",
      `uses ${scheme}:, but the relay calls only http and https URLs under ${quote(example)}`,
    );
  }
  if (hasCode(value, (c) => c <= 0x20 || c === 0x7f)) {
    return refuse(
      "control",
      "contains a space or a control character (CR, LF, NUL, tab…); percent-encode a space as %20, and remove line breaks",
    );
  }
  if (hasCode(value, (c) => c > 0x7f)) {
    return refuse(
      "control",
      "contains characters outside ASCII; percent-encode them (UTF-8), and write an international host name in its xn-- form",
    );
  }
  if (value.includes("\\")) {
    return refuse("backslash", 'contains a backslash ("\\"), which URL parsers read differently; use "/"');
  }
  if (value.includes("#")) {
    return refuse("fragment", "contains a fragment (#…), which is never sent to a server; remove it");
  }
  if (scheme === undefined || !/^https?:\/\/[^/?#]/i.test(value)) {
    return refuse(
      "syntax",
      `must be an absolute URL starting with ${scheme ?? "https"}://host, e.g. ${quote(example)}`,
    );
  }
  const authority = /^https?:\/\/([^/?#]*)/i.exec(value)?.[1] ?? "";
  if (authority.includes("@")) {
    return refuse(
      "userinfo",
      'contains a user name or password before the host ("…@"); the relay sends the access token in Authorization and nothing else',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse("syntax", `is not a valid URL, e.g. ${quote(example)}`);
  }
  if (url.username !== "" || url.password !== "") {
    return refuse("userinfo", "contains a user name or password before the host");
  }
  const sameOrigin = bases.filter((base) => new URL(base).origin === url.origin);
  if (sameOrigin.length === 0) {
    return refuse(
      "origin",
      `goes to ${url.origin}, which is not this client's API (${bases.map((b) => new URL(b).origin).join(", ") || "none configured"}); the relay calls nothing else`,
    );
  }
  const problem = pathProblem(url.pathname);
  if (problem !== undefined) return refuse(problem.rule, problem.problem);
  const base = sameOrigin.find((b) => insidePath(url.pathname, new URL(b).pathname));
  if (base === undefined) {
    const raw = /^https?:\/\/[^/?#]*([^?#]*)/i.exec(value)?.[1] ?? "";
    const resolved =
      raw !== url.pathname
        ? ` (after resolving its dot segments, ${quote(raw)} is ${quote(url.pathname)})`
        : "";
    return refuse(
      "path",
      `has the path ${quote(url.pathname)}${resolved}, outside the API base ${sameOrigin.map((b) => quote(b)).join(" or ")}`,
    );
  }
  if (
    token !== undefined &&
    token !== "" &&
    (value.includes(token) || value.includes(encodeURIComponent(token)))
  ) {
    return refuse(
      "token",
      "carries the access token; the relay sends it in the Authorization header, where it belongs (RFC 6750 §2.3: URLs end up in logs), so remove it from the URL",
    );
  }
  return { ok: true, url: url.href, base };
}

/**
 * Checks one configured API base URL: https (http only on loopback hosts, for development), ASCII,
 * no user name, query or fragment, in the canonical form the URL parser writes, and a path without
 * dot, empty or encoded-slash segments. Returns the problem, if any, and the base as stored.
 */
export function checkApiBaseUrl(
  value: unknown,
  isLoopbackHost: (hostname: string) => boolean,
): { readonly ok: true; readonly base: string } | { readonly ok: false; readonly problem: string } {
  const fail = (problem: string) => ({ ok: false, problem }) as const;
  if (typeof value !== "string" || value === "") {
    return fail('must be an absolute URL such as "https://api.example.com/v1/"');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('must be an absolute URL such as "https://api.example.com/v1/"');
  }
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) {
      return fail("must use https; http is allowed only for loopback hosts (127.0.0.0/8, [::1], localhost)");
    }
  } else if (url.protocol !== "https:") {
    return fail("must use https (or http on a loopback host)");
  }
  if (url.username !== "" || url.password !== "") return fail("must not contain a user name or password");
  if (value.includes("?") || value.includes("#"))
    return fail("must not contain a query (?…) or a fragment (#…)");
  if (url.href !== value && url.href !== `${value}/`) {
    return fail(`is not in canonical form; write ${quote(url.href)}`);
  }
  const problem = pathProblem(url.pathname);
  if (problem !== undefined) return fail(problem.problem);
  return { ok: true, base: url.href };
}

export type HeaderRefusal = "invalid_request" | "credentials_not_allowed" | "header_not_allowed";

/**
 * Checks the caller's request headers: at most {@link API_MAX_HEADERS}, each a valid field name on the
 * allow-list ({@link API_REQUEST_HEADERS} and the recipe's `allowed`, none of them one the relay sets
 * itself, `reserved`), with a single-line ASCII value. Names come back lower-cased.
 */
export function checkApiHeaders(
  value: unknown,
  allowed: readonly string[],
  reserved: readonly string[],
):
  | { readonly ok: true; readonly headers: readonly (readonly [string, string])[] }
  | { readonly ok: false; readonly error: HeaderRefusal; readonly description: string } {
  const refuse = (error: HeaderRefusal, description: string) => ({ ok: false, error, description }) as const;
  if (value === undefined) return { ok: true, headers: [] };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return refuse("invalid_request", '"headers" must be a JSON object of header names and string values.');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > API_MAX_HEADERS) {
    return refuse(
      "invalid_request",
      `"headers" has ${entries.length} headers; at most ${API_MAX_HEADERS} are sent.`,
    );
  }
  const list = [...new Set([...API_REQUEST_HEADERS, ...allowed.map((h) => h.toLowerCase())])].filter(
    (name) => !reserved.includes(name),
  );
  const seen = new Set<string>();
  const headers: (readonly [string, string])[] = [];
  for (const [name, raw] of entries) {
    const shown = quote(name, 64);
    if (!FIELD_NAME.test(name)) {
      return refuse("invalid_request", `Header name ${shown} is not a valid field name (RFC 9110 §5.1).`);
    }
    const lower = name.toLowerCase();
    if (seen.has(lower)) return refuse("invalid_request", `Header ${shown} is given twice; give it once.`);
    seen.add(lower);
    if (CREDENTIAL_HEADERS.includes(lower)) {
      return refuse(
        "credentials_not_allowed",
        `Remove the ${name} header: the relay sends the access token as "Authorization: Bearer …" itself, and no other credential.`,
      );
    }
    if (HOP_BY_HOP.includes(lower) || lower.startsWith("proxy-")) {
      return refuse(
        "header_not_allowed",
        `Remove the ${name} header: it describes one connection, not the request (RFC 9110 §7.6.1), and the relay opens its own.`,
      );
    }
    if (reserved.includes(lower)) {
      return refuse("header_not_allowed", `Remove the ${name} header: the relay sets it for this provider.`);
    }
    const reason = REFUSED_HEADER_REASONS[lower];
    if (reason !== undefined) return refuse("header_not_allowed", `Remove the ${name} header: ${reason}.`);
    if (!list.includes(lower)) {
      return refuse(
        "header_not_allowed",
        `The relay does not pass on ${shown}; it sends only these request headers: ${list.join(", ")}.`,
      );
    }
    if (typeof raw !== "string") {
      return refuse("invalid_request", `Header ${shown} must have a string value.`);
    }
    if (raw.length > API_HEADER_VALUE_MAX_LENGTH || !FIELD_VALUE.test(raw)) {
      return refuse(
        "invalid_request",
        `Header ${shown} must be one line of ASCII text of at most ${API_HEADER_VALUE_MAX_LENGTH} characters: no line break, NUL or other control character.`,
      );
    }
    headers.push([lower, raw.trim()]);
  }
  return { ok: true, headers };
}

/** Whether `value` is one of {@link API_METHODS}, exactly as written (methods are case-sensitive, RFC 9110 §9.1). */
export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === "string" && (API_METHODS as readonly string[]).includes(value);
}

/** Whether an access token can go in a header line as it is. */
export function isHeaderSafeToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN_PATTERN.test(value);
}

/** Body fields of `POST {base}/api` (contract v1.5). */
export const API_BODY_FIELDS = ["client", "access_token", "method", "url", "headers", "body"] as const;
