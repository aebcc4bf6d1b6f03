/**
 * Reading a JWT (RFC 7519) without verifying it: header and claims as the issuer wrote them, times as
 * instants. A support desk needs to see what a token says, not to trust it, so no key is involved and
 * nothing here is a reason to accept a token. Pure: no DOM, no network.
 */
import { parseBody } from "./token-set.ts";

/** What decoding a pasted token came to. */
export type JwtReading =
  /** A JWS in compact form (RFC 7515 §7.1): header and claims are readable. */
  | { readonly kind: "jwt"; readonly jwt: DecodedJwt }
  /** A JWE (RFC 7516 §7.1, five parts): encrypted for the resource server, unreadable here. */
  | { readonly kind: "encrypted"; readonly header: Readonly<Record<string, unknown>> | null }
  /** It looks like a JWT but is not a valid one; `problem` says which part is wrong. */
  | { readonly kind: "malformed"; readonly problem: string }
  /** Not a JWT: only the provider knows what it means. */
  | { readonly kind: "opaque" };

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** `alg` from the header; `none` means the token is unsigned. */
  readonly algorithm: string | null;
  /** Length of the signature part in characters (the signature itself is not shown). */
  readonly signatureLength: number;
  /** `exp`, `iat`, `nbf` (RFC 7519 §4.1.4–6) as instants in ms, null when absent or not a number. */
  readonly expiresAt: number | null;
  readonly issuedAt: number | null;
  readonly notBefore: number | null;
  readonly issuer: string | null;
  readonly subject: string | null;
  /** `aud` (RFC 7519 §4.1.3), always as a list. */
  readonly audience: readonly string[];
  /**
   * Scopes from `scope` (RFC 8693 §4.2, space-separated), `scp` (Microsoft, Okta: a list or a string)
   * or `scopes`, whichever is present first.
   */
  readonly scopes: readonly string[];
  /** `client_id` or `azp` (RFC 9068 §2.2, OpenID Connect Core §2): the client it was issued to. */
  readonly clientId: string | null;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes a base64url segment (RFC 4648 §5) as UTF-8 text, or null when it is neither. */
export function base64UrlToText(segment: string): string | null {
  if (!B64URL.test(segment) || segment.length % 4 === 1) return null;
  const base64 = segment
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(segment.length / 4) * 4, "=");
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function jsonObject(text: string | null): Record<string, unknown> | null {
  return text === null ? null : parseBody(text, "application/json");
}

/** A NumericDate (RFC 7519 §2: seconds since the epoch) as ms, or null. */
function instant(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) < 1e11 ? value * 1000 : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return value.split(/\s+/).filter((s) => s !== "");
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === "string" && s !== "");
  return [];
}

/**
 * Reads a token as a JWT if it is one. Never throws: a support user pastes anything, and "this is not
 * a JWT, and here is why" is an answer.
 */
export function readJwt(token: string): JwtReading {
  const value = token.trim();
  const parts = value.split(".");
  // A JOSE header is a JSON object, so its base64url starts "ey" ("{"); anything else is opaque.
  const looksJose = value.startsWith("ey") && parts.length >= 3;
  if (!looksJose) return { kind: "opaque" };
  if (parts.length === 5) {
    return { kind: "encrypted", header: jsonObject(base64UrlToText(parts[0] ?? "")) };
  }
  if (parts.length !== 3) {
    return {
      kind: "malformed",
      problem: `A JWT has three parts separated by dots (or five when encrypted); this has ${parts.length}.`,
    };
  }
  const [h = "", c = "", s = ""] = parts;
  const headerText = base64UrlToText(h);
  if (headerText === null)
    return { kind: "malformed", problem: "The header is not base64url-encoded UTF-8." };
  const header = jsonObject(headerText);
  if (header === null) return { kind: "malformed", problem: "The header is not a JSON object." };
  if (typeof header.alg !== "string") {
    return { kind: "malformed", problem: 'The header has no "alg" (RFC 7515 §4.1.1).' };
  }
  const claimsText = base64UrlToText(c);
  if (claimsText === null)
    return { kind: "malformed", problem: "The claims are not base64url-encoded UTF-8." };
  const claims = jsonObject(claimsText);
  if (claims === null) return { kind: "malformed", problem: "The claims are not a JSON object." };
  if (!B64URL.test(s)) return { kind: "malformed", problem: "The signature is not base64url." };
  const scopes = [claims.scope, claims.scp, claims.scopes].map(strings).find((list) => list.length > 0) ?? [];
  return {
    kind: "jwt",
    jwt: {
      header,
      claims,
      algorithm: header.alg,
      signatureLength: s.length,
      expiresAt: instant(claims.exp),
      issuedAt: instant(claims.iat),
      notBefore: instant(claims.nbf),
      issuer: text(claims.iss),
      subject: text(claims.sub),
      audience: typeof claims.aud === "string" ? [claims.aud] : strings(claims.aud),
      scopes,
      clientId: text(claims.client_id) ?? text(claims.azp),
    },
  };
}
