/**
 * Reading the authorization response at the redirect URI (RFC 6749 §4.1.2, §4.1.2.1). Taken from
 * the address before anything else runs, so it is part of the first screen; judging it against the
 * pending authorization (callback-check.ts) loads with the lifecycle.
 */

/** The parameters a provider put on the redirect URI. */
export interface CallbackParams {
  readonly code: string | null;
  readonly state: string | null;
  readonly iss: string | null;
  readonly error: string | null;
  readonly errorDescription: string | null;
  readonly errorUri: string | null;
  /** Every other parameter (QuickBooks `realmId`, Sage `country`…), kept as the provider sent them. */
  readonly extra: Readonly<Record<string, string>>;
}

const KNOWN = new Set(["code", "state", "iss", "error", "error_description", "error_uri"]);

/** Whether a query string is an authorization response at all (has a code or an error). */
export function isCallback(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.has("code") || params.has("error") || params.has("state");
}

/** Parses the query of the redirect URI. Does not judge it: see `checkCallback` (callback-check.ts). */
export function parseCallback(search: string): CallbackParams {
  const params = new URLSearchParams(search);
  const extra: Record<string, string> = {};
  for (const [name, value] of params) if (!KNOWN.has(name)) extra[name] = value;
  return {
    code: params.get("code"),
    state: params.get("state"),
    iss: params.get("iss"),
    error: params.get("error"),
    errorDescription: params.get("error_description"),
    errorUri: params.get("error_uri"),
    extra,
  };
}
