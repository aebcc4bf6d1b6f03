/**
 * Validating an ID token as a relying party must (OpenID Connect Core 1.0 §3.1.3.7, and §12.2 for one
 * that comes with a refresh): the signature against the issuer's published keys (JWKS, RFC 7517), then
 * `iss`, `aud`/`azp`, `exp`, `iat`, `nonce`, and `at_hash`/`c_hash` when present (§3.1.3.6, §3.3.2.11).
 * Every failure is a stable code and plain words naming what differs, expected against found, without
 * printing a token. Pure: no DOM, no network (the caller hands in a way to get the keys), WebCrypto only.
 *
 * jose checks the signature (key selection by `kid`, `kty` and `alg`; the algorithm allowlist); the
 * claims are compared in id-token-claims.ts, because a workbench must say which one is wrong and how,
 * and must list every problem, not stop at the first.
 */
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { checkClaims, checkHashes, quoteList } from "./id-token-claims.ts";
import { readJwt } from "./jwt.ts";

export { CLOCK_SKEW_SECONDS, identityOf, issuerMatches, leftHalfHash } from "./id-token-claims.ts";

/**
 * Signature algorithms accepted for ID tokens: public-key ones only (RFC 7518 §3.1, RFC 8037). `none`
 * is never accepted, and HMAC (`HS*`) is keyed with the client secret, which the page never holds.
 */
export const PUBLIC_KEY_ALGORITHMS: readonly string[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/** Why an ID token is not accepted: one stable code per check. */
export type IdTokenFailure =
  | "malformed"
  | "encrypted"
  | "alg_none"
  | "alg_not_allowed"
  | "alg_unsupported"
  | "unknown_kid"
  | "bad_signature"
  | "jwks_unavailable"
  /** The check itself could not run (the relay's client list was unreadable, the client is gone). */
  | "not_checked"
  | "missing_claim"
  | "wrong_iss"
  | "wrong_aud"
  | "wrong_azp"
  | "sub_changed"
  | "expired"
  | "issued_in_future"
  | "nonce_mismatch"
  | "nonce_missing"
  | "at_hash_mismatch"
  | "c_hash_mismatch";

/** One thing wrong with an ID token, in words a person can act on. */
export interface IdTokenProblem {
  readonly code: IdTokenFailure;
  readonly words: string;
}

/** Where the keys that checked the signature came from. */
export interface KeysUsed {
  readonly url: string;
  /** Read by the page itself (the issuer allows CORS) or through the relay's `POST {base}/jwks`. */
  readonly via: "page" | "relay";
  /** The key ids the set lists, to say which were there when a `kid` is missing from it. */
  readonly kids: readonly string[];
}

/** What a check of an ID token came to. Plain data: it is stored with the connection as it is. */
export type IdTokenVerdict =
  | {
      readonly ok: true;
      /**
       * `verified`: the issuer's published key verifies it. `client_secret`: HMAC-signed with the client
       * secret, which only a server holding the secret can check; the claims were checked all the same.
       */
      readonly signature: "verified" | "client_secret";
      readonly words: string;
      readonly header: Readonly<Record<string, unknown>>;
      readonly claims: Readonly<Record<string, unknown>>;
      readonly keys: KeysUsed | null;
      /** What was not checked, and why. */
      readonly notes: readonly string[];
    }
  | {
      readonly ok: false;
      /** The first of `problems`: signature problems come before claim problems. */
      readonly code: IdTokenFailure;
      readonly words: string;
      readonly problems: readonly IdTokenProblem[];
      /** Null when the token could not be decoded at all. */
      readonly header: Readonly<Record<string, unknown>> | null;
      readonly claims: Readonly<Record<string, unknown>> | null;
      readonly keys: KeysUsed | null;
      readonly notes: readonly string[];
    };

/** Who the first ID token of a connection named: a refreshed one must name the same (§12.2). */
export interface OriginalIdentity {
  readonly iss: string | null;
  readonly sub: string | null;
  readonly aud: readonly string[];
  readonly nonce: string | null;
}

/** What the ID token must say, from what tokendesk sent and received. */
export interface IdTokenExpectations {
  /**
   * The issuer the client uses. `{tenantid}` in it stands for the token's `tid` claim (Microsoft's
   * multi-tenant endpoints publish their issuer so). Null when the client has none configured: `iss` is
   * then shown, not compared.
   */
  readonly issuer: string | null;
  /** Other spellings of the issuer the provider documents (Google: `accounts.google.com`). */
  readonly issuerAliases?: readonly string[];
  /** The OAuth `client_id`: the audience (`aud`) and authorized party (`azp`) it must name. */
  readonly clientId: string;
  /** The nonce sent with the authorization request; null when none was. */
  readonly nonce: string | null;
  /** For an ID token that came with a refresh: the first one's identity (§12.2); null otherwise. */
  readonly original: OriginalIdentity | null;
  /** The access token of the same answer, for `at_hash`; null when it is not at hand any more. */
  readonly accessToken: string | null;
  /** The authorization code exchanged, for `c_hash`; null for a refresh. */
  readonly code: string | null;
  /** When the token was received (ms): `exp` and `iat` are judged at that instant, as §3.1.3.7 does. */
  readonly receivedAt: number;
}

/** The issuer's keys, or why they could not be read. */
export type KeysResult =
  | { readonly ok: true; readonly jwks: JSONWebKeySet; readonly url: string; readonly via: "page" | "relay" }
  | { readonly ok: false; readonly problem: string };

function kidsOf(jwks: JSONWebKeySet): string[] {
  return jwks.keys.map((k) => (typeof k.kid === "string" ? k.kid : "(no kid)"));
}

/** The signature check: jose selects the key by `kid`, `kty` and `alg` and verifies with WebCrypto. */
async function checkSignature(
  token: string,
  alg: string,
  kid: string | null,
  keys: KeysResult,
): Promise<IdTokenProblem | null> {
  if (!keys.ok) {
    return {
      code: "jwks_unavailable",
      words: `The signature could not be checked: the issuer's keys could not be read (${keys.problem}).`,
    };
  }
  const where = `${keys.url} (it lists kid ${quoteList(kidsOf(keys.jwks))})`;
  const keyName =
    kid === null ? `a key without a kid (${alg})` : `the key with kid ${JSON.stringify(kid)} (${alg})`;
  let getKey: ReturnType<typeof createLocalJWKSet>;
  try {
    getKey = createLocalJWKSet(keys.jwks);
  } catch {
    return { code: "jwks_unavailable", words: `The issuer's keys at ${keys.url} are not a valid JWK Set.` };
  }
  const options = { algorithms: [...PUBLIC_KEY_ALGORITHMS] };
  try {
    await compactVerify(token, getKey, options);
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    switch (code) {
      case "ERR_JWKS_NO_MATCHING_KEY":
        return {
          code: "unknown_kid",
          words:
            kid === null
              ? `Signed with a key the issuer does not publish: it names no kid, and no key at ${where} fits an ${alg} signature.`
              : `Signed with a key the issuer does not publish: kid ${JSON.stringify(kid)} is not among the keys at ${where}.`,
        };
      case "ERR_JWKS_MULTIPLE_MATCHING_KEYS": {
        // Several keys fit (no kid, or a reused one): the token is good if any of them verifies it.
        for await (const key of error as AsyncIterable<CryptoKey>) {
          try {
            await compactVerify(token, key, options);
            return null;
          } catch {
            // Try the next one.
          }
        }
        return {
          code: "bad_signature",
          words: `The signature does not verify with any of the issuer's keys that fit it (${alg}) at ${where}: the token was altered, or signed by someone else.`,
        };
      }
      case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
        return {
          code: "bad_signature",
          words: `The signature does not verify with ${keyName} from ${keys.url}: the token was altered after signing, or signed by someone else.`,
        };
      case "ERR_JOSE_NOT_SUPPORTED":
        return {
          code: "alg_unsupported",
          words: `This browser cannot check ${alg} signatures (${error instanceof Error ? error.message : "not supported"}).`,
        };
      case "ERR_JWK_INVALID":
      case "ERR_JWKS_INVALID":
        return {
          code: "jwks_unavailable",
          words: `The issuer's key for this token at ${keys.url} could not be used: ${error instanceof Error ? error.message : "invalid"}.`,
        };
      default:
        return {
          code: "malformed",
          words: `The signature could not be checked: ${error instanceof Error ? error.message : String(error)}.`,
        };
    }
  }
}

/**
 * Checks an ID token. `keys` is called only when the signature can be checked with a published key, so
 * an unsigned or HMAC-signed token costs no request.
 */
export async function verifyIdToken(
  token: string,
  expected: IdTokenExpectations,
  keys: () => Promise<KeysResult>,
): Promise<IdTokenVerdict> {
  const failed = (
    problems: readonly IdTokenProblem[],
    rest: Pick<Extract<IdTokenVerdict, { ok: false }>, "header" | "claims" | "keys" | "notes">,
  ): IdTokenVerdict => {
    const first = problems[0] as IdTokenProblem;
    return { ok: false, code: first.code, words: first.words, problems, ...rest };
  };
  const reading = readJwt(token);
  if (reading.kind === "encrypted") {
    return failed(
      [
        {
          code: "encrypted",
          words:
            "Encrypted (JWE): only a client holding its decryption key can read it, so tokendesk cannot check it.",
        },
      ],
      { header: reading.header, claims: null, keys: null, notes: [] },
    );
  }
  if (reading.kind !== "jwt") {
    const why = reading.kind === "malformed" ? reading.problem : "It is not a JWT at all.";
    return failed([{ code: "malformed", words: `Not a valid ID token: ${why}` }], {
      header: null,
      claims: null,
      keys: null,
      notes: [],
    });
  }
  const { header, claims } = reading.jwt;
  const alg = String(header.alg);
  const kid = typeof header.kid === "string" ? header.kid : null;
  const problems: IdTokenProblem[] = [];
  const notes: string[] = [];
  let keysUsed: KeysUsed | null = null;
  let signature: "verified" | "client_secret" = "verified";

  if (alg.toLowerCase() === "none") {
    problems.push({
      code: "alg_none",
      words: 'Not signed: its header says "alg": "none", so anyone could have written it.',
    });
  } else if (/^HS(256|384|512)$/.test(alg)) {
    signature = "client_secret";
    notes.push(
      `Signed with the client secret (${alg}): only the server holding the secret can verify it; this page has no secret, so the signature was not checked.`,
    );
  } else if (!PUBLIC_KEY_ALGORITHMS.includes(alg)) {
    problems.push({
      code: "alg_not_allowed",
      words: `Signed with "alg": ${JSON.stringify(alg)}, which tokendesk does not accept for ID tokens (it accepts ${PUBLIC_KEY_ALGORITHMS.join(", ")}).`,
    });
  } else {
    const found = await keys();
    if (found.ok) keysUsed = { url: found.url, via: found.via, kids: kidsOf(found.jwks) };
    const problem = await checkSignature(token, alg, kid, found);
    if (problem !== null) problems.push(problem);
  }

  const claimCheck = checkClaims(claims, expected);
  const hashes = await checkHashes(claims, alg, expected);
  problems.push(...claimCheck.problems, ...hashes.problems);
  notes.push(...claimCheck.notes, ...hashes.notes);
  if (problems.length > 0) return failed(problems, { header, claims, keys: keysUsed, notes });

  const checked = ["issuer", "audience", "expiry", "issue time"];
  if (expected.nonce !== null || claims.nonce !== undefined) checked.push("nonce");
  checked.push(...hashes.checked);
  const list = `${checked.slice(0, -1).join(", ")} and ${checked.at(-1)}`;
  const words =
    signature === "client_secret"
      ? `Claims check out (${list}), but it is signed with the client secret (${alg}): only the server holding the secret can verify it.`
      : `Verified: signed with the issuer's key ${kid === null ? "" : `${JSON.stringify(kid)} `}(${alg}), read ${keysUsed?.via === "relay" ? "through the relay" : "by the page"} from ${keysUsed?.url ?? "the issuer"}; ${list} check out.`;
  return { ok: true, signature, words, header, claims, keys: keysUsed, notes };
}
