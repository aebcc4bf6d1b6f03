/**
 * Plain-words explanations of a failed token request: what most likely happened and what to do.
 * Causes are ranked by what is most common for the grant; the support-desk issue refines them with
 * local context (code age, history).
 */
import type { RefreshPolicy } from "../providers/types.ts";
import type { SentRequest } from "../relay/contract.ts";

export interface FailureContext {
  readonly grantType: "authorization_code" | "refresh_token";
  readonly status: number;
  /** The OAuth `error` code, when the answer had one. */
  readonly error: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly refreshPolicy: RefreshPolicy;
  /**
   * For a refresh: when a refresh of the same form ({@link sameRequestForm}) last succeeded for this
   * connection, if one did. Evidence that a refusal is about the refresh token, not the request.
   */
  readonly sameFormSucceededAt?: number | null;
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
      if (!exchange) return refreshInvalidRequest(ctx.sameFormSucceededAt ?? null);
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

/**
 * Whether two token requests have the same form: method, endpoint, the names of the body's parameters
 * and of the headers (so the same client authentication). Values differ between any two refreshes
 * (the token itself); the form is what a server would call malformed.
 */
export function sameRequestForm(a: SentRequest, b: SentRequest): boolean {
  const names = (r: SentRequest) => ({
    headers: Object.keys(r.headers)
      .map((h) => h.toLowerCase())
      .sort()
      .join(" "),
    body: bodyNames(r).join(" "),
  });
  const x = names(a);
  const y = names(b);
  return a.method === b.method && a.url === b.url && x.headers === y.headers && x.body === y.body;
}

function bodyNames(r: SentRequest): string[] {
  const type = Object.entries(r.headers).find(([h]) => h.toLowerCase() === "content-type")?.[1] ?? "";
  if (type.includes("json")) {
    try {
      const parsed: unknown = JSON.parse(r.body);
      if (parsed !== null && typeof parsed === "object") return Object.keys(parsed).sort();
    } catch {
      // Not JSON after all: compare it as a form.
    }
  }
  return [...new URLSearchParams(r.body).keys()].sort();
}

/**
 * Whether a refresh's error answer shows the refresh token itself refused, so the token is dead:
 * `invalid_grant` (RFC 6749 §5.2), or `invalid_request` when a refresh of the same form succeeded
 * before (some servers, LemonLDAP::NG 2.x among them, answer that for a refresh token they do not
 * hold). A lone `invalid_request` may mean a malformed request, which a fix makes work again: the token
 * is not given up on that answer alone.
 */
export function refusesRefreshToken(error: string | null, sameFormSucceededAt: number | null): boolean {
  return error === "invalid_grant" || (error === "invalid_request" && sameFormSucceededAt !== null);
}

/** A refresh answered `invalid_request`: a malformed request by RFC 6749 §5.2, or a server's word for a token it does not hold. */
function refreshInvalidRequest(sameFormSucceededAt: number | null): Explanation {
  const servers =
    "Some servers answer invalid_request, where RFC 6749 §5.2 asks for invalid_grant, for a refresh token they do not hold: expired, revoked, or ended by an administrator (LemonLDAP::NG 2.x does).";
  if (sameFormSucceededAt !== null) {
    return {
      title: "The provider refused the refresh token (invalid_request)",
      detail: `invalid_request names a malformed request, but a refresh of exactly this form (the same endpoint, parameters and client authentication) succeeded at ${new Date(sameFormSucceededAt).toISOString().replace(/\.\d+Z$/, "Z")}: only the refresh token differs. ${servers}`,
      next: "This refresh token is dead. Authorize again to get a new one.",
    };
  }
  return {
    title: "The provider refused the refresh (invalid_request)",
    detail: `invalid_request names a malformed request, yet a refresh carries little beyond grant_type and the refresh token, so more likely the provider does not know this refresh token. ${servers} tokendesk does not mark it dead on this answer alone: nothing here shows a refresh of this form working with this client.`,
    next: "If refreshes with this client worked before, the refresh token is most likely dead: authorize again. If none ever did, compare the request below with the provider's documentation.",
  };
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
