/**
 * Judging the authorization response at the redirect URI against the authorization that was started
 * (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 `iss`).
 */
import type { CallbackParams } from "./callback.ts";

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
