/**
 * The relay's security policy, apart from the orchestration so it can be reviewed and tested alone:
 * which grants and body fields pass, which caller credentials are refused, which origins get CORS,
 * which upstream endpoints are acceptable and which upstream headers reach the page.
 * Pure data and functions: no I/O, Web APIs only.
 */

/**
 * Grant types the relay forwards (RFC 6749 §4.1.3 and §6). Any other grant (client_credentials,
 * password, device code, token exchange …) would mint tokens with the operator's secret for whoever
 * can reach the relay.
 */
export const SUPPORTED_GRANT_TYPES = ["authorization_code", "refresh_token"] as const;

/** One of {@link SUPPORTED_GRANT_TYPES}. */
export type SupportedGrantType = (typeof SUPPORTED_GRANT_TYPES)[number];

/** Body fields a caller may send to `POST {base}/token`, per grant (DESIGN.md, "The relay's contract"). */
export const ALLOWED_BODY_FIELDS: Readonly<Record<SupportedGrantType, readonly string[]>> = {
  authorization_code: ["client", "grant_type", "code", "redirect_uri", "code_verifier"],
  refresh_token: ["client", "grant_type", "refresh_token", "scope"],
};

/**
 * Body fields that carry client credentials (RFC 6749 §2.3.1, RFC 7521 §4.2). The relay adds its own
 * credentials, so a caller's are refused rather than silently dropped or forwarded.
 */
export const CREDENTIAL_BODY_FIELDS = [
  "client_id",
  "client_secret",
  "client_assertion",
  "client_assertion_type",
] as const;

/** Request headers a caller may not send: the outbound `Authorization` is the relay's alone (RFC 6749 §2.3.1). */
export const REFUSED_REQUEST_HEADERS = ["authorization"] as const;

/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1, https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1,
 * plus the older list of RFC 2616 §13.5.1): they describe one connection, never the message, so they
 * are not passed on. Fields named in an upstream `Connection` header are dropped too.
 */
export const HOP_BY_HOP_HEADERS = [
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-authenticate",
  "proxy-authorization",
] as const;

/** Upstream headers never passed back: a provider's cookies are not the page's business. */
export const DROPPED_UPSTREAM_HEADERS = ["set-cookie", "set-cookie2"] as const;

/**
 * Headers a recipe may not set on the outbound request: the relay owns authentication, framing and
 * the body's type.
 */
export const RESERVED_OUTBOUND_HEADERS = [
  "authorization",
  "content-type",
  "content-length",
  "host",
  "cookie",
  ...HOP_BY_HOP_HEADERS,
] as const;

/**
 * Grant types named as such in log lines. Anything else a caller sends is logged as `other`, because
 * a free-text field may hold a code or a token.
 */
export const LOGGABLE_GRANT_TYPES: readonly string[] = [
  ...SUPPORTED_GRANT_TYPES,
  "client_credentials",
  "password",
  "implicit",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:token-exchange",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "urn:ietf:params:oauth:grant-type:saml2-bearer",
];

const ALWAYS_DROPPED: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, ...DROPPED_UPSTREAM_HEADERS]);

/** The upstream headers shown to the page: lower-cased, without cookies and hop-by-hop fields (RFC 9110 §7.6.1). */
export function passUpstreamHeaders(headers: Headers): Record<string, string> {
  const named = (headers.get("connection") ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  const passed: Record<string, string> = {};
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (!ALWAYS_DROPPED.has(lower) && !named.includes(lower)) passed[lower] = value;
  });
  return passed;
}

/** How the relay treats a request's `Origin` header (Fetch standard, CORS protocol). */
export type OriginVerdict =
  | { readonly kind: "absent" }
  | { readonly kind: "same-origin" }
  | { readonly kind: "allowed"; readonly origin: string }
  | { readonly kind: "refused"; readonly origin: string };

/**
 * Classifies the `Origin` header of a request (RFC 6454 §7). A configured origin gets CORS headers; the
 * relay's own origin needs none; any other origin, `null` included, is refused.
 */
export function checkOrigin(
  origin: string | null,
  requestUrl: string,
  allowedOrigins: ReadonlySet<string>,
): OriginVerdict {
  if (origin === null) return { kind: "absent" };
  // Exact string comparison: browsers serialise Origin canonically, and so does parseExactOrigin.
  if (allowedOrigins.has(origin)) return { kind: "allowed", origin };
  if (origin === new URL(requestUrl).origin) return { kind: "same-origin" };
  return { kind: "refused", origin };
}

/** The result of reading one configured origin. */
export type OriginParse =
  | { readonly ok: true; readonly origin: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Reads one configured origin, accepting only the exact serialisation a browser sends
 * (`scheme://host[:port]`, RFC 6454 §6.2): no path, no wildcard, no `null`.
 */
export function parseExactOrigin(value: string): OriginParse {
  // URL parsing accepts "*" inside a host, so a pattern like https://*.example would pass silently.
  if (value.includes("*")) {
    return {
      ok: false,
      problem: "is a wildcard, which is never allowed; list each exact origin, e.g. https://app.example",
    };
  }
  if (value === "null") {
    return {
      ok: false,
      problem:
        "is never allowed: sandboxed frames and file: pages all send it; list each exact origin instead",
    };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, problem: "is not an origin; write scheme://host[:port], e.g. https://app.example" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, problem: "must use http or https, e.g. https://app.example" };
  }
  if (url.origin !== value) {
    return {
      ok: false,
      problem: `is not an exact origin (scheme://host[:port], lower case, no path, no default port); write ${url.origin}`,
    };
  }
  return { ok: true, origin: url.origin };
}

/** Whether a URL host is a loopback host: 127.0.0.0/8, [::1] or localhost (RFC 6761 §6.3, RFC 8252 §8.3). */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Whether a socket address (as Node reports `localAddress`) is a loopback address: 127.0.0.0/8, ::1,
 * or an IPv4 loopback address mapped into IPv6 (a dual-stack socket's view of 127.0.0.1).
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.toLowerCase().replace(/^::ffff:/, "");
  return v4 === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Headers a reverse proxy adds to what it forwards (RFC 7239 `Forwarded`, and the common
 * `X-Forwarded-*` and `X-Real-IP`). A relay that sees one is not a local caller's, whatever address
 * the connection came from: the proxy may be on this machine, the caller anywhere. A caller can send
 * them too, which only takes a local allowance away from it: they never grant one.
 */
export const FORWARDING_HEADERS = [
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
] as const;

/**
 * Checks an endpoint the relay will call or hand to the page: absolute, https (http only on loopback
 * hosts, for development), no credentials, no fragment (RFC 6749 §3.1, §3.2). Returns the problem, if any.
 */
export function checkEndpointUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL, e.g. https://provider.example/oauth/token";
  }
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) {
      return "must use https; http is allowed only for loopback hosts (127.0.0.0/8, [::1], localhost)";
    }
  } else if (url.protocol !== "https:") {
    return "must use https (or http on a loopback host: 127.0.0.0/8, [::1], localhost)";
  }
  if (url.username !== "" || url.password !== "") {
    return "must not contain a user name or password; put the client secret in client_secret";
  }
  if (url.hash !== "" || value.includes("#")) return "must not contain a fragment (#…)";
  return undefined;
}

/**
 * Checks that a request's `Content-Type` is `application/json` (charset, if any, UTF-8: RFC 8259 §8.1).
 * Only this type is accepted so that a cross-origin caller always meets a CORS preflight.
 * Returns the problem, if any.
 */
export function checkJsonContentType(value: string | null): string | undefined {
  const expected = "send the body as JSON with Content-Type: application/json";
  if (value === null || value.trim() === "") return `The request has no Content-Type; ${expected}.`;
  const [type = "", ...parameters] = value.split(";");
  if (type.trim().toLowerCase() !== "application/json") {
    return `Content-Type ${JSON.stringify(truncate(value, 100))} is not accepted; ${expected}.`;
  }
  for (const parameter of parameters) {
    const [name = "", raw = ""] = parameter.split("=");
    const charset = raw
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    if (name.trim().toLowerCase() === "charset" && charset !== "utf-8" && charset !== "utf8") {
      return `Content-Type charset ${JSON.stringify(truncate(charset, 40))} is not accepted; JSON must be UTF-8 (RFC 8259 §8.1).`;
    }
  }
  return undefined;
}

/** Whether a caller's `redirect_uri` equals one of the client's, byte for byte (RFC 9700 §2.1, §4.1.3). */
export function redirectUriAllowed(redirectUri: string, configured: readonly string[]): boolean {
  // No normalisation on purpose: case, trailing slashes, queries and schemes must all match exactly.
  return configured.includes(redirectUri);
}

const FORM_EXTRA = /[!'()~]|%20/g;
const FORM_ESCAPES: Readonly<Record<string, string>> = {
  "!": "%21",
  "'": "%27",
  "(": "%28",
  ")": "%29",
  "~": "%7E",
  "%20": "+",
};

/** `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B). */
export function formUrlEncode(value: string): string {
  // encodeURIComponent is the form-urlencoded set but for five characters it leaves as they are and
  // the space; URLSearchParams gives the same text at several times the cost in Workers. A lone
  // surrogate, which encodeURIComponent refuses, goes to URLSearchParams (it becomes U+FFFD).
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    return new URLSearchParams([["", value]]).toString().slice(1);
  }
  return encoded.replace(FORM_EXTRA, (c) => FORM_ESCAPES[c] ?? c);
}

/**
 * The `Authorization` value for `client_secret_basic`: id and secret form-urlencoded, then joined by
 * `:` and base64-encoded (RFC 6749 §2.3.1, https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1).
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  // The form encoding yields ASCII only, so btoa cannot throw here.
  return `Basic ${btoa(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`)}`;
}

/** A token request that passed every check, ready to be forwarded. */
export type TokenGrant =
  | {
      readonly grant_type: "authorization_code";
      readonly code: string;
      readonly redirect_uri: string;
      readonly code_verifier?: string;
    }
  | { readonly grant_type: "refresh_token"; readonly refresh_token: string; readonly scope?: string };

/** Why a token request was refused: an `error` code of the relay's 400 answers. */
export type TokenRequestRefusal =
  | "invalid_request"
  | "unknown_client"
  | "unsupported_grant_type"
  | "invalid_redirect_uri"
  | "credentials_not_allowed";

/** The outcome of {@link checkTokenRequest}. `client` and `grantType` are set once known, for logging. */
export type TokenRequestCheck<C> =
  | { readonly ok: true; readonly client: C; readonly grant: TokenGrant }
  | {
      readonly ok: false;
      readonly error: TokenRequestRefusal;
      readonly description: string;
      readonly client?: C;
      readonly grantType?: string;
    };

/** A configured client as the checks see it. */
export interface CheckedClient {
  readonly id: string;
  readonly redirect_uris: readonly string[];
}

/** Why a body naming a client was refused before anything route-specific was read. */
export type ClientBodyRefusal = "invalid_request" | "unknown_client" | "credentials_not_allowed";

/**
 * The checks every body that names a client passes first, in this order: one JSON object, no caller
 * credentials (RFC 6749 §2.3.1: the relay's own are the only ones that reach a provider), and a
 * configured client. `example` shows the route's body in the refusal of a non-object.
 */
export function checkClientBody<C extends { readonly id: string }>(
  body: unknown,
  clients: ReadonlyMap<string, C>,
  example: string,
):
  | { readonly ok: true; readonly fields: Record<string, unknown>; readonly client: C }
  | { readonly ok: false; readonly error: ClientBodyRefusal; readonly description: string } {
  const refuse = (error: ClientBodyRefusal, description: string) =>
    ({ ok: false, error, description }) as const;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return refuse(
      "invalid_request",
      `The body must be one JSON object such as ${example}, not ${describeJson(body)}.`,
    );
  }
  const fields = body as Record<string, unknown>;
  const names = Object.keys(fields);
  const smuggled = CREDENTIAL_BODY_FIELDS.filter((name) => names.includes(name));
  if (smuggled.length > 0) {
    return refuse(
      "credentials_not_allowed",
      `Remove ${smuggled.map((name) => `"${name}"`).join(", ")} from the body: the relay authenticates to the provider with the configured client's own credentials; name the client with "client".`,
    );
  }
  const clientId = fields.client;
  if (typeof clientId !== "string" || clientId === "") {
    return refuse(
      "invalid_request",
      '"client" must be a non-empty string naming one of the clients GET {base}/clients lists.',
    );
  }
  const client = clients.get(clientId);
  if (client === undefined) {
    return refuse(
      "unknown_client",
      `No client ${JSON.stringify(truncate(clientId, 64))} is configured in this relay; use one of the ids GET {base}/clients lists.`,
    );
  }
  return { ok: true, fields, client };
}

/**
 * Checks a parsed `POST {base}/token` body against the relay's rules (DESIGN.md, "The relay's
 * contract"; RFC 10017 §6.1.3.6): no caller credentials, a configured client, one of the two grants,
 * no unknown fields, the required strings, and a redirect URI byte-equal to one of the client's.
 */
export function checkTokenRequest<C extends CheckedClient>(
  body: unknown,
  clients: ReadonlyMap<string, C>,
): TokenRequestCheck<C> {
  const refuse = (error: TokenRequestRefusal, description: string, client?: C, grantType?: string) =>
    ({ ok: false, error, description, client, grantType }) as const;
  const named = checkClientBody(body, clients, '{"client":"…","grant_type":"authorization_code",…}');
  if (!named.ok) return refuse(named.error, named.description);
  const { fields, client } = named;
  const names = Object.keys(fields);
  const grantType = fields.grant_type;
  if (typeof grantType !== "string" || grantType === "") {
    return refuse("invalid_request", '"grant_type" must be "authorization_code" or "refresh_token".', client);
  }
  if (!isSupportedGrantType(grantType)) {
    return refuse(
      "unsupported_grant_type",
      `grant_type ${JSON.stringify(truncate(grantType, 80))} is not relayed: only "authorization_code" and "refresh_token" are, because any other grant would mint tokens with this relay's client secret for anyone who can reach it.`,
      client,
      grantType,
    );
  }
  const allowed = ALLOWED_BODY_FIELDS[grantType];
  const unknown = names.find((name) => !allowed.includes(name));
  if (unknown !== undefined) {
    return refuse(
      "invalid_request",
      `Unknown field ${JSON.stringify(truncate(unknown, 64))} for grant_type "${grantType}"; remove it (allowed fields: ${allowed.join(", ")}).`,
      client,
      grantType,
    );
  }
  const requireString = (name: string): string | undefined => {
    const value = fields[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const optionalString = (name: string): { ok: boolean; value?: string } => {
    const value = fields[name];
    if (value === undefined) return { ok: true };
    return typeof value === "string" ? { ok: true, value } : { ok: false };
  };
  if (grantType === "authorization_code") {
    const code = requireString("code");
    if (code === undefined) {
      return refuse(
        "invalid_request",
        '"code" must be a non-empty string: the code from the authorization response.',
        client,
        grantType,
      );
    }
    const redirectUri = requireString("redirect_uri");
    if (redirectUri === undefined) {
      return refuse(
        "invalid_request",
        '"redirect_uri" must be a non-empty string: the redirect URI of the authorization request (RFC 6749 §4.1.3).',
        client,
        grantType,
      );
    }
    const verifier = optionalString("code_verifier");
    if (!verifier.ok) {
      return refuse(
        "invalid_request",
        '"code_verifier" must be a string when present (RFC 7636 §4.5).',
        client,
        grantType,
      );
    }
    if (!redirectUriAllowed(redirectUri, client.redirect_uris)) {
      return refuse(
        "invalid_redirect_uri",
        `redirect_uri ${JSON.stringify(truncate(redirectUri, 200))} is not one of client "${client.id}"'s redirect URIs; it must equal one of them byte for byte: ${JSON.stringify(client.redirect_uris)}.`,
        client,
        grantType,
      );
    }
    const grant: TokenGrant =
      verifier.value === undefined
        ? { grant_type: grantType, code, redirect_uri: redirectUri }
        : { grant_type: grantType, code, redirect_uri: redirectUri, code_verifier: verifier.value };
    return { ok: true, client, grant };
  }
  const refreshToken = requireString("refresh_token");
  if (refreshToken === undefined) {
    return refuse(
      "invalid_request",
      '"refresh_token" must be a non-empty string: the refresh token to use.',
      client,
      grantType,
    );
  }
  const scope = optionalString("scope");
  if (!scope.ok) {
    return refuse(
      "invalid_request",
      '"scope" must be a string when present (RFC 6749 §6).',
      client,
      grantType,
    );
  }
  const grant: TokenGrant =
    scope.value === undefined
      ? { grant_type: grantType, refresh_token: refreshToken }
      : { grant_type: grantType, refresh_token: refreshToken, scope: scope.value };
  return { ok: true, client, grant };
}

/** Whether a grant type is one the relay forwards. */
export function isSupportedGrantType(value: string): value is SupportedGrantType {
  return (SUPPORTED_GRANT_TYPES as readonly string[]).includes(value);
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return `a ${typeof value}`;
}

/** `value` cut to `max` characters, marked with an ellipsis when cut: for quoting caller input in refusals. */
export function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
