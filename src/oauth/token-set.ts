/**
 * Turning a token endpoint answer (RFC 6749 §5.1, §5.2) into a token set with absolute instants.
 * Lenient on purpose: a workbench must show and explain a non-compliant answer, not just throw.
 */
import type { Recipe } from "../providers/types.ts";

/** Where an expiry instant came from. */
export type ExpirySource = "response" | "recipe" | "previous" | "none";

/** A token set, every lifetime converted to an absolute instant (ms since epoch) at receipt. */
export interface TokenSet {
  /** Null only for an imported bare refresh token, until its first refresh. */
  readonly accessToken: string | null;
  readonly tokenType: string;
  readonly scope: string | null;
  readonly refreshToken: string | null;
  /**
   * The latest ID token: this answer's, or the one an earlier answer carried when this one (a refresh)
   * carried none, as refresh answers mostly do (OpenID Connect Core §12.2).
   */
  readonly idToken: string | null;
  /**
   * When `idToken` was received (absent on sets stored before ID tokens were kept across refreshes:
   * then it came with this set, at `receivedAt`).
   */
  readonly idTokenReceivedAt?: number | null;
  /** When the response arrived; every `*_expires_in` counts from here. */
  readonly receivedAt: number;
  readonly accessExpiresAt: number | null;
  readonly refreshExpiresAt: number | null;
  readonly refreshExpirySource: ExpirySource;
  /** When the refresh token in this set was first received (unchanged when a refresh kept it). */
  readonly refreshReceivedAt: number | null;
  /** The parsed response exactly as the provider sent it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** An error answer from the token endpoint (RFC 6749 §5.2). */
export interface TokenError {
  readonly error: string;
  readonly errorDescription: string | null;
  readonly errorUri: string | null;
}

export type TokenResponseResult =
  | { readonly kind: "tokens"; readonly tokenSet: TokenSet; readonly rotated: boolean }
  | { readonly kind: "oauth_error"; readonly status: number; readonly error: TokenError }
  | { readonly kind: "unusable"; readonly status: number; readonly message: string };

/** Parses a body as JSON, or as a form-encoded body (GitHub answers so without `Accept: application/json`). */
export function parseBody(body: string, contentType: string | undefined): Record<string, unknown> | null {
  const trimmed = body.trim();
  if (trimmed.startsWith("{")) {
    try {
      const value: unknown = JSON.parse(trimmed);
      return value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  }
  if (contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(trimmed));
  }
  return null;
}

/** Seconds as a number, accepting numeric strings (some providers send `"3600"`). */
function seconds(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

export interface NormalizeInput {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
  /** The page's clock when the answer arrived. */
  readonly receivedAt: number;
  readonly recipe: Recipe;
  /** The token set this answer refreshes, if it is a refresh. */
  readonly previous?: TokenSet | null;
}

/**
 * Normalises a token endpoint answer. On success the refresh token is the new one when the answer
 * carries one, otherwise the previous one with its expiry (RFC 6749 §6: the server MAY issue a new one).
 */
export function normalizeTokenResponse(input: NormalizeInput): TokenResponseResult {
  const { status, body, receivedAt, recipe, previous } = input;
  const parsed = parseBody(body, input.contentType);
  if (parsed === null) {
    const kind = /^\s*</.test(body)
      ? "an HTML page"
      : body.trim() === ""
        ? "an empty body"
        : "text that is not JSON";
    return {
      kind: "unusable",
      status,
      message: `The token endpoint answered ${status} with ${kind}, not an OAuth JSON response.`,
    };
  }
  const error = text(parsed.error);
  if (error !== null || status < 200 || status >= 300) {
    if (error === null) {
      return {
        kind: "unusable",
        status,
        message: `The token endpoint answered ${status} with JSON that names no OAuth "error".`,
      };
    }
    return {
      kind: "oauth_error",
      status,
      error: { error, errorDescription: text(parsed.error_description), errorUri: text(parsed.error_uri) },
    };
  }
  const accessToken = text(parsed.access_token);
  if (accessToken === null) {
    return { kind: "unusable", status, message: 'The token endpoint answered without an "access_token".' };
  }
  const expiresIn = seconds(parsed.expires_in);
  const newRefresh = text(parsed.refresh_token);

  let refreshToken: string | null = newRefresh;
  let refreshExpiresAt: number | null = null;
  let refreshExpirySource: ExpirySource = "none";
  let refreshReceivedAt: number | null = newRefresh === null ? null : receivedAt;
  if (newRefresh !== null) {
    const stated = recipe.refreshExpiresInFields.map((f) => seconds(parsed[f])).find((s) => s !== null);
    if (stated !== undefined && stated !== null) {
      refreshExpiresAt = receivedAt + stated * 1000;
      refreshExpirySource = "response";
    } else if (recipe.lifetimes.refresh.confirmed && recipe.lifetimes.refresh.seconds !== null) {
      refreshExpiresAt = receivedAt + recipe.lifetimes.refresh.seconds * 1000;
      refreshExpirySource = "recipe";
    }
  } else if (previous?.refreshToken) {
    refreshToken = previous.refreshToken;
    refreshExpiresAt = previous.refreshExpiresAt;
    refreshExpirySource = previous.refreshExpirySource === "none" ? "none" : "previous";
    refreshReceivedAt = previous.refreshReceivedAt;
  }

  // Like the refresh token, an ID token stays until an answer brings a new one.
  const newIdToken = text(parsed.id_token);
  const idToken = newIdToken ?? previous?.idToken ?? null;
  const idTokenReceivedAt =
    newIdToken !== null
      ? receivedAt
      : idToken === null
        ? null
        : (previous?.idTokenReceivedAt ?? previous?.receivedAt ?? null);

  const tokenSet: TokenSet = {
    accessToken,
    tokenType: text(parsed.token_type) ?? "Bearer",
    scope: typeof parsed.scope === "string" ? parsed.scope : (previous?.scope ?? null),
    refreshToken,
    idToken,
    idTokenReceivedAt,
    receivedAt,
    accessExpiresAt: expiresIn === null ? null : receivedAt + expiresIn * 1000,
    refreshExpiresAt,
    refreshExpirySource,
    refreshReceivedAt,
    raw: parsed,
  };
  const rotated =
    previous?.refreshToken != null && newRefresh !== null && newRefresh !== previous.refreshToken;
  return { kind: "tokens", tokenSet, rotated };
}
