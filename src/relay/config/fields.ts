/**
 * The small checkers a client's fields go through (optional strings, endpoint URLs, redirect URIs) and
 * the wording their errors share. Each throws or returns a {@link RelayConfigError} naming the field
 * as `<f>.<name>`, where `f` is the client's place, e.g. `TOKENDESK_CLIENTS[1]`.
 */
import { checkEndpointUrl } from "../policy.ts";
import { RelayConfigError, type RelayConfigErrorCode } from "./error.ts";

/** Builds the error for `<f><field>`; `field` starts with "." (or is "" for the client itself). */
export type ClientFail = (field: string, message: string, code?: RelayConfigErrorCode) => RelayConfigError;

/** The {@link ClientFail} of the client at `f`. */
export function clientFail(f: string): ClientFail {
  return (field, message, code = "invalid_client") =>
    new RelayConfigError(code, `${f}${field}`, `${f}${field} ${message}`);
}

/** Why `uri` cannot be a redirect URI, or undefined when it can. */
export function checkRedirectUri(uri: unknown): string | undefined {
  const rule =
    "must be an absolute http or https URL (redirect_uris must be a non-empty array of absolute URLs)";
  if (typeof uri !== "string") return `${rule}, not ${describe(uri)}.`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `${JSON.stringify(uri.slice(0, 200))} ${rule}.`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `${JSON.stringify(uri.slice(0, 200))} ${rule}: the page receives the callback.`;
  }
  if (uri.includes("#")) {
    return `${JSON.stringify(uri.slice(0, 200))} must not contain a fragment (RFC 6749 §3.1.2); remove the #… part.`;
  }
  return undefined;
}

/** `raw[name]`: undefined when absent, else a non-empty string. */
export function optionalString(raw: Record<string, unknown>, name: string, f: string): string | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new RelayConfigError(
      "invalid_client",
      `${f}.${name}`,
      `${f}.${name} must be a non-empty string when present; remove it or give it a value.`,
    );
  }
  return value;
}

/** `raw[name]`: undefined when absent, else an endpoint URL the relay may call. */
export function optionalEndpoint(raw: Record<string, unknown>, name: string, f: string): string | undefined {
  const value = optionalString(raw, name, f);
  if (value === undefined) return undefined;
  const problem = checkEndpointUrl(value);
  if (problem !== undefined) {
    throw new RelayConfigError("invalid_client", `${f}.${name}`, `${f}.${name} ${problem}.`);
  }
  return value;
}

/** What a wrong value is, for an error message, without quoting it (it may be a secret). */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
