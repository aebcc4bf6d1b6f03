/**
 * What a revocation (RFC 7009) came to, in plain words, read from the relay's answer. The connection
 * page and the support desk show the same verdict. Pure: no DOM, no storage.
 */
import type { RevocationTokenType } from "../relay/contract.ts";
import { basicDenied, type Explanation, INVALID_CLIENT, retryAfterSeconds } from "./explain.ts";
import type { RelayTokenResult } from "./relay-client.ts";
import { parseBody } from "./token-set.ts";

export interface RevocationVerdict {
  /**
   * - `revoked`: the provider answered 200, which RFC 7009 §2.2 gives for a token it revoked now and
   *   for one that was already invalid alike: either way the token is done;
   * - `failed`: the provider answered, and did not revoke (an error, or a temporary refusal);
   * - `refused`: the relay refused before calling the provider: nothing was sent;
   * - `unknown`: the request may or may not have reached the provider.
   */
  readonly kind: "revoked" | "failed" | "refused" | "unknown";
  /** The provider's HTTP status, when it answered. */
  readonly status: number | null;
  /** The OAuth `error` of a failed answer, or the relay's own `error` code. */
  readonly error: string | null;
  readonly title: string;
  readonly detail: string;
  /** What to do next, in plain words. */
  readonly next: string;
}

const NAMES: Readonly<Record<RevocationTokenType, string>> = {
  refresh_token: "refresh token",
  access_token: "access token",
};

/** Reads the relay's answer to `POST {base}/revoke` for a token of kind `which`. */
export function readRevocation(
  result: RelayTokenResult,
  which: RevocationTokenType,
  now: number = Date.now(),
): RevocationVerdict {
  const name = NAMES[which];
  if (result.kind === "refused") {
    return {
      kind: "refused",
      status: null,
      error: result.error.error,
      title: `The relay refused the revocation (${result.error.error})`,
      detail: result.error.error_description,
      next:
        result.error.error === "revocation_unsupported"
          ? `Nothing reached the provider, and the ${name} still works. To end it, remove the app's access in the provider's account settings.`
          : `Nothing reached the provider, and the ${name} still works. Fix what the relay names, then try again.`,
    };
  }
  if (result.kind === "unknown") {
    return {
      kind: "unknown",
      status: result.status,
      error: result.error.error,
      title: "Revocation: outcome unknown",
      detail: `${result.error.error_description} The provider may or may not have revoked the ${name}.`,
      next: "Revoke again: it is safe, because a provider answers 200 for a token it already revoked (RFC 7009 §2.2).",
    };
  }
  const { upstream } = result.envelope;
  if (upstream.status === 200) {
    return {
      kind: "revoked",
      status: 200,
      error: null,
      title: `${name[0]?.toUpperCase()}${name.slice(1)} revoked`,
      detail: `The provider answered 200: the ${name} is revoked, or was already invalid, which RFC 7009 §2.2 answers the same way. It will not work again.${which === "refresh_token" ? " Providers usually end the access tokens issued with it too, and some end the whole grant." : " Some providers end the refresh token with it (RFC 7009 §2.1 allows it)."}`,
      next:
        which === "refresh_token"
          ? "Authorize again for new tokens."
          : "Refresh for a new access token, if the refresh token still works.",
    };
  }
  const parsed = parseBody(upstream.body, upstream.headers["content-type"]);
  const error = typeof parsed?.error === "string" ? parsed.error : null;
  const said =
    typeof parsed?.error_description === "string" ? ` The provider said: "${parsed.error_description}".` : "";
  const explained = explainRevocationFailure(upstream.status, error, upstream.headers, name, now);
  return {
    kind: "failed",
    status: upstream.status,
    error,
    title: explained.title,
    detail: `${explained.detail}${said} The provider did not revoke the ${name}: as far as this answer tells, it still works.`,
    next: explained.next,
  };
}

/** Why a revocation endpoint did not answer 200 (RFC 7009 §2.2.1), and what to do. */
function explainRevocationFailure(
  status: number,
  error: string | null,
  headers: Readonly<Record<string, string>>,
  name: string,
  now: number,
): Explanation {
  const wait = retryAfterSeconds(headers, now);
  const later = wait === null ? "Try again later." : `Try again in ${wait} s.`;
  if (status === 503 || status === 429) {
    return {
      title: `The provider cannot revoke right now (${status})`,
      detail: `The revocation endpoint answered ${status}${wait === null ? "" : ` and asks to wait ${wait} s`} (RFC 7009 §2.2.1).`,
      next: later,
    };
  }
  switch (error) {
    case "unsupported_token_type":
      return {
        title: `The provider does not revoke this kind of token (unsupported_token_type)`,
        detail: `The revocation endpoint does not revoke ${name}s (RFC 7009 §2.2.1).`,
        next:
          name === "access token"
            ? "The access token stays valid until it expires; revoke the refresh token to end the grant."
            : "Remove the app's access in the provider's account settings instead.",
      };
    case "invalid_client":
      return INVALID_CLIENT;
    case "unauthorized_client":
      return {
        title: "This client may not revoke this token (unauthorized_client)",
        detail: "The provider says the token was not issued to this client.",
        next: "Revoke it with the client that received it.",
      };
    case "invalid_request":
      return {
        title: "The provider found the revocation malformed (invalid_request)",
        detail: "A parameter is missing or has a value the provider does not accept.",
        next: "Compare the request in the history with the provider's documentation.",
      };
    default:
      if (status === 401) return basicDenied(false);
      return {
        title:
          error === null ? `The revocation endpoint answered ${status}` : `The provider answered "${error}"`,
        detail: "The provider's answer is in the history, as it was sent.",
        next: status >= 500 ? later : "Read the provider's answer; check its documentation for revocation.",
      };
  }
}
