/**
 * `POST {base}/api` (contract v1.5): the caller's request checked field by field against
 * api-policy.ts, and the one upstream request built from scratch. Pure: no I/O, Web APIs only.
 */
import {
  API_BODY_FIELDS,
  API_BODY_MAX_BYTES,
  API_METHODS,
  type ApiMethod,
  checkApiHeaders,
  checkApiUrl,
  type HeaderRefusal,
  isApiMethod,
  isHeaderSafeToken,
  READ_ONLY_METHODS,
} from "./api-policy.ts";
import { type Envelope, REDACTED } from "./contract.ts";
import { checkClientBody, truncate } from "./policy.ts";
import type { ApiUpstreamRequest } from "./upstream.ts";

/** What the API route needs to know of a configured client. */
export interface ApiClient {
  readonly id: string;
  readonly apiBaseUrls: readonly string[];
  readonly apiHeaders: readonly string[];
  /** The recipe's outbound headers, names lower-cased: sent on every call, never the caller's to set. */
  readonly requestHeaders: Readonly<Record<string, string>>;
}

/** Every `error` an API call is refused with before anything is sent. */
export type ApiRefusal =
  | "invalid_request"
  | "unknown_client"
  | "credentials_not_allowed"
  | "api_unsupported"
  | "api_method_not_allowed"
  | "url_not_allowed"
  | HeaderRefusal
  | "request_too_large";

/** A call that passed every check. */
export interface CheckedApiCall<C> {
  readonly ok: true;
  readonly client: C;
  readonly accessToken: string;
  readonly method: ApiMethod;
  /** The URL as parsed and checked: exactly what is sent. */
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | null;
}

export interface RefusedApiCall<C> {
  readonly ok: false;
  readonly status: 400 | 413;
  readonly error: ApiRefusal;
  readonly description: string;
  /** Set once known, for the log line. */
  readonly client?: C;
  readonly method?: ApiMethod;
}

const EXAMPLE = '{"client":"…","access_token":"…","method":"GET","url":"https://api.example.com/v1/me"}';

/**
 * Checks a `POST {base}/api` body, in this order: one JSON object without caller credentials naming a
 * configured client; no unknown field; the client has API base URLs; an access token that fits a header
 * line; one of the API methods; the URL under the client's bases (api-policy.ts); allowed headers; a
 * body only for methods that take one, at most 64 KiB, with its Content-Type named.
 */
export function checkApiCall<C extends ApiClient>(
  body: unknown,
  clients: ReadonlyMap<string, C>,
): CheckedApiCall<C> | RefusedApiCall<C> {
  const named = checkClientBody(body, clients, EXAMPLE);
  if (!named.ok) return { ok: false, status: 400, error: named.error, description: named.description };
  const { fields, client } = named;
  const refuse = (
    error: ApiRefusal,
    description: string,
    method?: ApiMethod,
    status: 400 | 413 = 400,
  ): RefusedApiCall<C> => ({
    ok: false,
    status,
    error,
    description,
    client,
    ...(method === undefined ? {} : { method }),
  });
  const unknown = Object.keys(fields).find((name) => !(API_BODY_FIELDS as readonly string[]).includes(name));
  if (unknown !== undefined) {
    return refuse(
      "invalid_request",
      `Unknown field ${JSON.stringify(truncate(unknown, 64))}; remove it (allowed fields: ${API_BODY_FIELDS.join(", ")}).`,
    );
  }
  if (client.apiBaseUrls.length === 0) {
    return refuse(
      "api_unsupported",
      `Client "${client.id}" has no API base URL, and the relay calls no other URL with a token. For a custom provider, add "api_base_urls" (e.g. ["https://api.example.com/v1/"]) to the client in TOKENDESK_CLIENTS.`,
    );
  }
  const token = fields.access_token;
  if (!isHeaderSafeToken(token)) {
    return refuse(
      "invalid_request",
      '"access_token" must be the access token: 1 to 8192 visible ASCII characters (RFC 6750 §2.1), no spaces or line breaks.',
    );
  }
  const method = fields.method;
  if (!isApiMethod(method)) {
    const shown = typeof method === "string" ? JSON.stringify(truncate(method, 20)) : "missing";
    return refuse(
      "api_method_not_allowed",
      `"method" is ${shown}; the relay sends only ${API_METHODS.join(", ")} (upper case).`,
    );
  }
  const url = checkApiUrl(fields.url, client.apiBaseUrls, token);
  if (!url.ok) {
    return refuse(
      "url_not_allowed",
      `"url" ${url.problem}. The relay calls only URLs under ${client.apiBaseUrls.join(", ")} for client "${client.id}".`,
      method,
    );
  }
  const headers = checkApiHeaders(fields.headers, client.apiHeaders, Object.keys(client.requestHeaders));
  if (!headers.ok) return refuse(headers.error, headers.description, method);
  const text = fields.body;
  if (text !== undefined && typeof text !== "string") {
    return refuse(
      "invalid_request",
      '"body" must be a string: the request body exactly as it is to be sent.',
      method,
    );
  }
  if (text === undefined || text === "") {
    return {
      ok: true,
      client,
      accessToken: token,
      method,
      url: url.url,
      headers: headers.headers,
      body: null,
    };
  }
  if (READ_ONLY_METHODS.includes(method)) {
    return refuse(
      "invalid_request",
      `A ${method} request carries no body; remove "body", or use POST, PUT or PATCH.`,
      method,
    );
  }
  const size = new TextEncoder().encode(text).byteLength;
  if (size > API_BODY_MAX_BYTES) {
    return refuse(
      "request_too_large",
      `"body" is ${size} bytes; the relay sends at most ${API_BODY_MAX_BYTES} bytes (64 KiB) to an API.`,
      method,
      413,
    );
  }
  if (!headers.headers.some(([name]) => name === "content-type")) {
    return refuse(
      "invalid_request",
      'A request with a body must say what it is: add a "Content-Type" header, e.g. "application/json".',
      method,
    );
  }
  return { ok: true, client, accessToken: token, method, url: url.url, headers: headers.headers, body: text };
}

/**
 * The call as sent: the caller's allowed headers, `Accept: application/json` unless the caller named
 * one, the relay's User-Agent, the recipe's own headers, and the token as a Bearer token (RFC 6750
 * §2.1); and the same request as the page may see it, token `[redacted]`.
 */
export function buildApiRequest<C extends ApiClient>(
  call: CheckedApiCall<C>,
  userAgent: string,
): ApiUpstreamRequest {
  const common: Record<string, string> = { accept: "application/json" };
  for (const [name, value] of call.headers) common[name] = value;
  Object.assign(common, { "user-agent": userAgent }, call.client.requestHeaders);
  const scrub = (text: string) => scrubToken(text, call.accessToken);
  return {
    method: call.method,
    url: call.url,
    headers: new Headers({ ...common, authorization: `Bearer ${call.accessToken}` }),
    body: call.body,
    sent: {
      method: call.method,
      url: call.url,
      headers: { ...mapValues(common, scrub), authorization: `Bearer ${REDACTED}` },
      body: scrub(call.body ?? ""),
    },
  };
}

/** `text` with the token, as written, percent-encoded or JSON-escaped, replaced by `[redacted]`. */
export function scrubToken(text: string, token: string): string {
  const forms = [...new Set([token, encodeURIComponent(token), JSON.stringify(token).slice(1, -1)])];
  return forms.reduce((out, form) => out.split(form).join(REDACTED), text);
}

/** The envelope with the token nowhere in it: an API may echo the request (its headers, its URL). */
export function scrubEnvelope(envelope: Envelope, token: string): Envelope {
  const scrub = (text: string) => scrubToken(text, token);
  return {
    ...envelope,
    sent: {
      ...envelope.sent,
      url: scrub(envelope.sent.url),
      headers: mapValues(envelope.sent.headers, scrub),
      body: scrub(envelope.sent.body),
    },
    upstream: {
      ...envelope.upstream,
      headers: mapValues(envelope.upstream.headers, scrub),
      body: scrub(envelope.upstream.body),
    },
  };
}

function mapValues(
  record: Readonly<Record<string, string>>,
  map: (value: string) => string,
): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, map(value)]));
}
