/**
 * Plain-words explanations of a failed token request: what most likely happened and what to do.
 * Causes are ranked by what is most common for the grant; the support-desk issue refines them with
 * local context (code age, history).
 */
import type { RefreshPolicy } from "../providers/types.ts";

export interface FailureContext {
  readonly grantType: "authorization_code" | "refresh_token";
  readonly status: number;
  /** The OAuth `error` code, when the answer had one. */
  readonly error: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly refreshPolicy: RefreshPolicy;
}

export interface Explanation {
  readonly title: string;
  readonly detail: string;
  readonly next: string;
}

/** Seconds to wait from a `Retry-After` header (RFC 9110 §10.2.3: seconds or an HTTP date). */
export function retryAfterSeconds(
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): number | null {
  const value = headers["retry-after"];
  if (value === undefined) return null;
  const n = Number(value);
  if (value.trim() !== "" && Number.isFinite(n) && n >= 0) return n;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - now) / 1000));
}

/** Explains a token endpoint answer that did not yield tokens. */
export function explainTokenFailure(ctx: FailureContext): Explanation {
  const exchange = ctx.grantType === "authorization_code";
  if (ctx.status === 429) {
    const wait = retryAfterSeconds(ctx.headers);
    return {
      title: "Rate limited by the provider",
      detail: `The provider answered 429 Too Many Requests${wait === null ? "" : ` and asks to wait ${wait} s`}.`,
      next:
        wait === null
          ? "Wait a minute before trying again; refreshing repeatedly makes it worse."
          : `Try again after ${wait} seconds. The ${exchange ? "code" : "refresh token"} was not used.`,
    };
  }
  if (ctx.status === 401 && ctx.error === null) return basicDenied(exchange);
  switch (ctx.error) {
    case "invalid_grant":
      return exchange
        ? {
            title: "The provider refused the authorization code (invalid_grant)",
            detail:
              "Most likely the code expired or was already used; less often the redirect URI or the PKCE verifier does not match what the authorization request sent.",
            next: "Authorize again to get a new code, and exchange it right away.",
          }
        : {
            title: "The provider refused the refresh token (invalid_grant)",
            detail:
              ctx.refreshPolicy === "reusable"
                ? "The refresh token was revoked (the user removed the app's access, or changed password) or expired."
                : ctx.refreshPolicy === "single-use"
                  ? "This provider's refresh tokens work exactly once, so most likely this one was already used: by a server you copied it to, another tab, or an earlier refresh whose answer was lost. Less often it was revoked."
                  : "Most likely this refresh token was already used (it rotates, so each one works once) by this tool, another tab or a server holding a copy; or it was revoked or expired.",
            next: "This refresh token is dead. Authorize again to get a new one.",
          };
    case "invalid_client":
      return INVALID_CLIENT;
    case "unauthorized_client":
      return {
        title: "This client may not use this grant (unauthorized_client)",
        detail: `The app registration at the provider does not allow the ${ctx.grantType} grant.`,
        next: "Enable the grant (or refresh tokens) in the app's settings at the provider.",
      };
    case "invalid_request":
      return {
        title: "The provider found the request malformed (invalid_request)",
        detail:
          "A parameter is missing or has a value the provider does not accept; the provider's description says which.",
        next: "Compare the request below with the provider's documentation.",
      };
    case "invalid_scope":
      return {
        title: "The provider refused the scope (invalid_scope)",
        detail: "A requested scope is unknown, or more than was granted.",
        next: "Refresh without a scope, or authorize again with the scopes you need.",
      };
    case null:
      return {
        title: `The token endpoint answered ${ctx.status}`,
        detail: "The answer is not an OAuth error response; it is shown below as the provider sent it.",
        next:
          ctx.status >= 500
            ? "The provider had a problem; try again later."
            : "Read the provider's answer below.",
      };
    default:
      return {
        title: `The provider answered "${ctx.error}"`,
        detail: "See the provider's description below.",
        next: "Check the provider's documentation for this error.",
      };
  }
}

/** `invalid_client` (RFC 6749 §5.2), from a token or a revocation endpoint alike. */
export const INVALID_CLIENT: Explanation = {
  title: "The provider refused the client credentials (invalid_client)",
  detail: "The client id or secret the relay holds does not match the app registered at the provider.",
  next: "Check the client's client_id and client_secret in the relay's TOKENDESK_CLIENTS.",
};

/** A bare 401: the client's credentials refused, or, on a code exchange, a used or expired code too. */
export function basicDenied(exchange: boolean): Explanation {
  return {
    // For a code exchange the same 401 also means a used or expired code, so the title names neither.
    title: exchange
      ? "The provider refused the code exchange (HTTP 401)"
      : "The provider refused the client credentials (HTTP 401)",
    detail: exchange
      ? 'Providers such as FreeAgent answer 401 "HTTP Basic: Access denied" when the client id or secret is wrong, and also when the code was already used or expired.'
      : "The client id or secret the relay holds was refused.",
    next: exchange
      ? "Check the relay's client id and secret; if they are right, authorize again for a fresh code."
      : "Check the client id and secret in the relay's TOKENDESK_CLIENTS.",
  };
}
