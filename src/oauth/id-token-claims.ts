/**
 * The claim checks behind verifyIdToken (id-token.ts): `iss`, `sub`, `aud`/`azp`, `exp`, `iat`, `nbf`,
 * `nonce` (OpenID Connect Core §3.1.3.7, §12.2) and `at_hash`/`c_hash` (§3.1.3.6), each worded so a
 * person sees what differs. Public values (issuers, subjects) are shown whole; one-time values (a nonce,
 * a hash) only in part; a token never. Pure: WebCrypto only.
 */
import type { IdTokenExpectations, IdTokenFailure, IdTokenProblem, OriginalIdentity } from "./id-token.ts";
import { readJwt } from "./jwt.ts";

/** Seconds of disagreement between the issuer's clock and this computer's that `exp` and `iat` allow. */
export const CLOCK_SKEW_SECONDS = 60;

/**
 * The identity an ID token names, decoded without checking it: what a refreshed one must repeat
 * (§12.2). Here, not beside verifyIdToken, so storing it costs no signature library.
 */
export function identityOf(idToken: string | null | undefined): OriginalIdentity | null {
  if (idToken == null) return null;
  const reading = readJwt(idToken);
  if (reading.kind !== "jwt") return null;
  const { claims } = reading.jwt;
  return {
    iss: reading.jwt.issuer,
    sub: reading.jwt.subject,
    aud: reading.jwt.audience,
    nonce: typeof claims.nonce === "string" ? claims.nonce : null,
  };
}

/**
 * Whether `actual` is the issuer `expected` names: byte for byte (§3.1.3.7 item 2), except that
 * `{tenantid}` in `expected` must be the token's `tid`, a tenant GUID (Microsoft's rule for its
 * `common` and `organizations` endpoints).
 */
export function issuerMatches(expected: string, actual: unknown, tid?: unknown): boolean {
  if (typeof actual !== "string") return false;
  if (!expected.includes("{tenantid}")) return actual === expected;
  if (typeof tid !== "string" || !TENANT_ID.test(tid)) return false;
  return actual === expected.replaceAll("{tenantid}", tid);
}

const TENANT_ID = /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i;

/**
 * Whether an authorization response's `iss` (RFC 9207) is the issuer `expected` names, where
 * `{tenantid}` in it may be any tenant GUID: the response carries no `tid` to pin it.
 */
export function issuerFitsTemplate(expected: string, actual: string): boolean {
  const [before = "", after = ""] = expected.split("{tenantid}");
  if (!expected.includes("{tenantid}") || !actual.startsWith(before) || !actual.endsWith(after)) return false;
  return TENANT_ID.test(actual.slice(before.length, actual.length - after.length));
}

/** A public value (an issuer, a subject) as JSON, cut short only when it is absurdly long. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A one-time value shown in part: enough to tell two apart, never the whole of it. */
function glimpse(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value) ?? String(value);
  return JSON.stringify(value.length > 12 ? `${value.slice(0, 10)}…` : value);
}

export function quoteList(values: readonly string[]): string {
  return values.length === 0 ? "none" : values.map((v) => JSON.stringify(v)).join(", ");
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The hash behind `at_hash`/`c_hash` for a JWS algorithm (§3.1.3.6; Ed25519 uses SHA-512). */
export function hashFor(alg: string): "SHA-256" | "SHA-384" | "SHA-512" | null {
  if (alg === "EdDSA" || alg === "Ed25519") return "SHA-512";
  const bits = /^(?:RS|PS|ES|HS)(256|384|512)$/.exec(alg)?.[1];
  return bits === undefined ? null : (`SHA-${bits}` as "SHA-256" | "SHA-384" | "SHA-512");
}

/**
 * The `at_hash`/`c_hash` of a value (OpenID Connect Core §3.1.3.6, §3.3.2.11): the left-most half of
 * the hash of its ASCII octets, base64url-encoded without padding.
 */
export async function leftHalfHash(value: string, hash: "SHA-256" | "SHA-384" | "SHA-512"): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(value)));
  const half = digest.slice(0, digest.length / 2);
  return btoa(String.fromCharCode(...half))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** `iss`, `sub`, `aud`, `azp`, `exp`, `iat`, `nbf` and `nonce`, each against what was expected. */
export function checkClaims(
  claims: Readonly<Record<string, unknown>>,
  expected: IdTokenExpectations,
): {
  problems: IdTokenProblem[];
  notes: string[];
} {
  const problems: IdTokenProblem[] = [];
  const notes: string[] = [];
  const add = (code: IdTokenFailure, words: string) => problems.push({ code, words });
  const missing = ["iss", "sub", "aud", "exp", "iat"].filter((name) => claims[name] === undefined);
  if (missing.length > 0) {
    add(
      "missing_claim",
      `Lacks the required claim${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")} (OpenID Connect Core §2).`,
    );
  }
  const original = expected.original;

  if (claims.iss !== undefined) {
    if (expected.issuer === null) {
      notes.push("The client has no issuer configured, so iss was shown but not compared.");
    } else if (
      !issuerMatches(expected.issuer, claims.iss, claims.tid) &&
      !(expected.issuerAliases ?? []).includes(claims.iss as string)
    ) {
      const template = expected.issuer.includes("{tenantid}")
        ? ` with {tenantid} its tid claim (${shown(claims.tid ?? null)})`
        : "";
      add(
        "wrong_iss",
        `Issued by ${shown(claims.iss)}, not by the issuer this client uses (${JSON.stringify(expected.issuer)}${template}).`,
      );
    } else if (original?.iss != null && claims.iss !== original.iss) {
      add(
        "wrong_iss",
        `Issued by ${JSON.stringify(claims.iss)}, but the connection's first ID token came from ${JSON.stringify(original.iss)}; a refreshed ID token must have the same issuer (OpenID Connect Core §12.2).`,
      );
    }
  }

  const aud = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : null;
  if (claims.aud !== undefined) {
    const audiences = (aud ?? []).filter((a): a is string => typeof a === "string");
    if (aud === null || audiences.length !== aud.length) {
      add("wrong_aud", `Its aud is ${shown(claims.aud)}, not a string or a list of strings.`);
    } else if (!audiences.includes(expected.clientId)) {
      add(
        "wrong_aud",
        `Meant for ${quoteList(audiences)}, not for this client (${JSON.stringify(expected.clientId)}).`,
      );
    } else if (original !== null && original.aud.length > 0 && !sameSet(original.aud, audiences)) {
      add(
        "wrong_aud",
        `Meant for ${quoteList(audiences)}, but the first ID token was meant for ${quoteList(original.aud)}; a refreshed ID token must have the same audience (OpenID Connect Core §12.2).`,
      );
    }
    if (claims.azp !== undefined && claims.azp !== expected.clientId) {
      add(
        "wrong_azp",
        `Its authorized party (azp) is ${shown(claims.azp)}, not this client (${JSON.stringify(expected.clientId)}).`,
      );
    } else if (claims.azp === undefined && audiences.length > 1) {
      add(
        "wrong_azp",
        `Meant for several audiences (${quoteList(audiences)}) but names no authorized party (azp), so nothing says it was issued to this client (OpenID Connect Core §3.1.3.7).`,
      );
    }
  }

  if (typeof claims.sub === "string" && original?.sub != null && claims.sub !== original.sub) {
    add(
      "sub_changed",
      `Names the user ${JSON.stringify(claims.sub)}, but the connection's first ID token named ${JSON.stringify(original.sub)}: a refresh must not change whom the token is about (OpenID Connect Core §12.2).`,
    );
  } else if (claims.sub !== undefined && (typeof claims.sub !== "string" || claims.sub === "")) {
    add("missing_claim", `Its sub is ${shown(claims.sub)}, not a non-empty string.`);
  }

  const skew = CLOCK_SKEW_SECONDS * 1000;
  const received = expected.receivedAt;
  const at = (name: string): number | null => {
    const value = claims[name];
    return typeof value === "number" && Number.isFinite(value) ? value * 1000 : null;
  };
  const exp = at("exp");
  if (claims.exp !== undefined && exp === null)
    add("expired", `Its exp is ${shown(claims.exp)}, not a number of seconds.`);
  if (exp !== null && exp <= received - skew) {
    add(
      "expired",
      `Expired at ${iso(exp)}, ${span(received - exp)} before it was received at ${iso(received)} (${CLOCK_SKEW_SECONDS} s of clock skew allowed).`,
    );
  }
  const iat = at("iat");
  if (claims.iat !== undefined && iat === null) {
    add("issued_in_future", `Its iat is ${shown(claims.iat)}, not a number of seconds.`);
  }
  if (iat !== null && iat > received + skew) {
    add(
      "issued_in_future",
      `Issued at ${iso(iat)}, ${span(iat - received)} after it was received at ${iso(received)}: the issuer's clock or this computer's is wrong (${CLOCK_SKEW_SECONDS} s of skew allowed).`,
    );
  }
  const nbf = at("nbf");
  if (nbf !== null && nbf > received + skew) {
    add(
      "issued_in_future",
      `Not valid before ${iso(nbf)} (nbf), ${span(nbf - received)} after it was received at ${iso(received)} (${CLOCK_SKEW_SECONDS} s of skew allowed).`,
    );
  }

  const nonce = claims.nonce;
  if (original !== null) {
    // §12.2: a refreshed ID token should carry no nonce; if it does, the first one's.
    const first = original.nonce ?? expected.nonce;
    if (nonce !== undefined && nonce !== first) {
      add(
        "nonce_mismatch",
        `Its nonce ${glimpse(nonce)} differs from the one of the connection's first ID token (${first === null ? "none" : glimpse(first)}): a refreshed ID token carries none or the same one (OpenID Connect Core §12.2).`,
      );
    }
  } else if (expected.nonce === null) {
    if (nonce !== undefined) {
      add(
        "nonce_mismatch",
        `Carries the nonce ${glimpse(nonce)}, but tokendesk sent none with this authorization: it may answer another request.`,
      );
    } else {
      notes.push("No nonce was sent with this authorization, so none was expected.");
    }
  } else if (nonce === undefined) {
    add(
      "nonce_missing",
      `Carries no nonce, but tokendesk sent one (${glimpse(expected.nonce)}): nothing ties it to this authorization request.`,
    );
  } else if (nonce !== expected.nonce) {
    add(
      "nonce_mismatch",
      `nonce differs from the one sent: it says ${glimpse(nonce)}, tokendesk sent ${glimpse(expected.nonce)}. It answers another authorization request (a replayed or injected code).`,
    );
  }
  return { problems, notes };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** `at_hash` and `c_hash`, when present, against the access token and code they were issued with. */
export async function checkHashes(
  claims: Readonly<Record<string, unknown>>,
  alg: string,
  expected: IdTokenExpectations,
): Promise<{ problems: IdTokenProblem[]; notes: string[]; checked: string[] }> {
  const problems: IdTokenProblem[] = [];
  const notes: string[] = [];
  const checked: string[] = [];
  const hash = hashFor(alg);
  const pairs = [
    {
      claim: "at_hash",
      value: expected.accessToken,
      what: "the access token it came with",
      code: "at_hash_mismatch",
    },
    {
      claim: "c_hash",
      value: expected.code,
      what: "the authorization code exchanged",
      code: "c_hash_mismatch",
    },
  ] as const;
  for (const { claim, value, what, code } of pairs) {
    const stated = claims[claim];
    if (stated === undefined) continue;
    if (hash === null) {
      notes.push(`${claim} was not checked: there is no hash defined for ${alg} here.`);
    } else if (value === null) {
      notes.push(
        claim === "at_hash"
          ? "at_hash was not checked again: the access token it came with has since been replaced."
          : "c_hash was not checked: no authorization code goes with this ID token.",
      );
    } else {
      const actual = await leftHalfHash(value, hash);
      if (stated !== actual) {
        problems.push({
          code,
          words: `${claim} does not match ${what}: it says ${glimpse(stated)}, ${what} hashes to ${JSON.stringify(actual)} (left half of ${hash}, OpenID Connect Core §3.1.3.6). They were not issued together.`,
        });
      } else {
        checked.push(claim);
      }
    }
  }
  return { problems, notes, checked };
}
