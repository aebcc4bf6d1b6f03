/**
 * Reading the authorization response at the redirect URI (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 `iss`).
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

/** Parses the query of the redirect URI. Does not judge it: see {@link checkCallback}. */
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

/** What the page expected when it sent the browser away. */
export interface ExpectedCallback {
  readonly state: string;
  /** The issuer the pending authorization went to, when known. */
  readonly issuer: string | null;
}

export type CallbackProblem =
  | "missing_state"
  | "state_mismatch"
  | "issuer_mismatch"
  | "authorization_error"
  | "missing_code";

export type CallbackCheck =
  | { readonly ok: true; readonly code: string }
  | { readonly ok: false; readonly problem: CallbackProblem; readonly message: string };

/**
 * Judges a callback against the pending authorization it claims to answer. `state` must match
 * exactly; `iss`, when present, must be the issuer the request went to (RFC 9207 §2.4), which stops
 * a response meant for one provider from completing another's authorization.
 */
export function checkCallback(params: CallbackParams, expected: ExpectedCallback): CallbackCheck {
  if (params.state === null || params.state === "") {
    return {
      ok: false,
      problem: "missing_state",
      message:
        "The provider's answer carries no state, so it cannot be tied to an authorization you started.",
    };
  }
  if (params.state !== expected.state) {
    return {
      ok: false,
      problem: "state_mismatch",
      message: "The answer's state does not match the authorization you started.",
    };
  }
  if (params.iss !== null && expected.issuer !== null && params.iss !== expected.issuer) {
    return {
      ok: false,
      problem: "issuer_mismatch",
      message: `The answer comes from issuer "${params.iss}", but the authorization was sent to "${expected.issuer}".`,
    };
  }
  if (params.error !== null) {
    const description = params.errorDescription ? `: ${params.errorDescription}` : "";
    return {
      ok: false,
      problem: "authorization_error",
      message: `The provider answered "${params.error}"${description}`,
    };
  }
  if (params.code === null || params.code === "") {
    return {
      ok: false,
      problem: "missing_code",
      message: "The provider's answer carries no authorization code.",
    };
  }
  return { ok: true, code: params.code };
}
