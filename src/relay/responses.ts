/** The relay's answers: standard headers, JSON bodies and the one error shape every route uses. */
import type { RelayErrorBody, SentRequest } from "./contract.ts";

/** Every `error` code the relay answers with. */
export type RelayErrorCode =
  | "not_found"
  | "method_not_allowed"
  | "unsupported_media_type"
  | "request_too_large"
  | "invalid_request"
  | "unknown_client"
  | "unsupported_grant_type"
  | "invalid_redirect_uri"
  | "credentials_not_allowed"
  | "no_identity_endpoint"
  | "revocation_unsupported"
  | "introspection_unsupported"
  | "issuer_not_allowed"
  | "jwks_unknown"
  | "jwks_discovery_failed"
  | "api_unsupported"
  | "api_method_not_allowed"
  | "url_not_allowed"
  | "header_not_allowed"
  | "origin_not_allowed"
  | "upstream_unreachable"
  | "upstream_timeout"
  | "upstream_response_too_large"
  | "rate_limited"
  | "relay_misconfigured"
  | "internal_error";

const BASE_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-type": "application/json",
  "x-content-type-options": "nosniff",
  // Answers differ by Origin (CORS headers or a 403), so caches must key on it even without CORS.
  vary: "Origin",
};

/** Extra parts of an error answer. */
export interface ErrorResponseInit {
  /** An allowed origin to name in `Access-Control-Allow-Origin`. */
  readonly corsOrigin?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly outcome?: "unknown";
  readonly sent?: SentRequest;
}

/**
 * Builds every error answer of the relay: `{error, error_description}` JSON in the style of
 * RFC 6749 §5.2, with the relay's standard headers; never a stack trace.
 */
export function errorResponse(
  status: number,
  error: RelayErrorCode,
  description: string,
  init: ErrorResponseInit = {},
): Response {
  const body: RelayErrorBody = {
    error,
    error_description: description,
    ...(init.outcome === undefined ? {} : { outcome: init.outcome }),
    ...(init.sent === undefined ? {} : { sent: init.sent }),
  };
  return jsonResponse(status, body, init.corsOrigin, init.headers);
}

/**
 * The text of each JSON answer this module built, so that a runtime writing to a socket itself (Node's
 * adapter) sends it without reading the answer's body stream back.
 */
const jsonTexts = new WeakMap<Response, string>();

/** The JSON text `response` was built with, if {@link jsonResponse} built it and nothing read it since. */
export function jsonTextOf(response: Response): string | undefined {
  return response.bodyUsed ? undefined : jsonTexts.get(response);
}

/** A JSON answer with the relay's standard headers (and CORS for an allowed origin). */
export function jsonResponse(
  status: number,
  body: unknown,
  corsOrigin: string | undefined,
  extra: Readonly<Record<string, string>> = {},
): Response {
  const headers = new Headers({ ...BASE_HEADERS, ...extra });
  if (corsOrigin !== undefined) headers.set("access-control-allow-origin", corsOrigin);
  if (status === 204) return new Response(null, { status, headers });
  const text = JSON.stringify(body);
  const response = new Response(text, { status, headers });
  jsonTexts.set(response, text);
  return response;
}
