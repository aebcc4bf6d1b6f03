/**
 * ID token validation (OpenID Connect Core §3.1.3.7, §12.2) with real keys made in the test: every
 * failure has a code and words that say what differs, and a token that passes says what was checked.
 */
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type IdTokenExpectations,
  type IdTokenVerdict,
  identityOf,
  issuerMatches,
  type KeysResult,
  leftHalfHash,
  verifyIdToken,
} from "../../src/oauth/id-token.ts";
import { issuerFitsTemplate } from "../../src/oauth/id-token-claims.ts";

const ISSUER = "https://id.example.test";
const JWKS_URL = `${ISSUER}/.well-known/jwks.json`;
const CLIENT = "tokendesk-app";
const NONCE = "n-0S6_WzA2Mj-Jr7x9kQp2Zb4";
const ACCESS = "at-SlAV32hkKG-access";
const RECEIVED = Date.UTC(2026, 10, 23, 12, 0, 0);
const NOW_S = RECEIVED / 1000;

interface _Key {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}
let rsa: _Key;
let rsaOther: _Key;
let ec: _Key;
let published: Extract<KeysResult, { ok: true }>;

async function _key(alg: string, kid: string): Promise<_Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

beforeAll(async () => {
  rsa = await _key("RS256", "key-2026");
  rsaOther = await _key("RS256", "key-2026");
  ec = await _key("ES256", "ec-1");
  published = { ok: true, jwks: { keys: [rsa.jwk, ec.jwk] }, url: JWKS_URL, via: "page" };
});

/** The claims a good ID token for this authorization carries. */
async function _claims(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return {
    iss: ISSUER,
    sub: "alice",
    aud: CLIENT,
    exp: NOW_S + 3600,
    iat: NOW_S - 2,
    nonce: NONCE,
    at_hash: await leftHalfHash(ACCESS, "SHA-256"),
    email: "alice@example.test",
    ...extra,
  };
}

async function _sign(
  claims: Record<string, unknown>,
  options: { key?: _Key; alg?: string; kid?: string | null } = {},
): Promise<string> {
  const { key = rsa, alg = "RS256" } = options;
  // null: no kid in the header at all.
  const kid = options.kid === undefined ? key.jwk.kid : options.kid;
  return new SignJWT(claims)
    .setProtectedHeader({ alg, ...(kid == null ? {} : { kid }) })
    .sign(key.privateKey);
}

function _b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** A compact JWS with any header and a signature that is not one (for algorithms nobody signs with). */
function _unsigned(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  return `${_b64(header)}.${_b64(claims)}.${header.alg === "none" ? "" : "c2lnbmF0dXJl"}`;
}

const EXPECTED: IdTokenExpectations = {
  issuer: ISSUER,
  clientId: CLIENT,
  nonce: NONCE,
  original: null,
  accessToken: ACCESS,
  code: null,
  receivedAt: RECEIVED,
};

async function _verify(
  token: string,
  expected: Partial<IdTokenExpectations> = {},
  keys: KeysResult = published,
): Promise<{ verdict: IdTokenVerdict; keyReads: number }> {
  let keyReads = 0;
  const verdict = await verifyIdToken(token, { ...EXPECTED, ...expected }, async () => {
    keyReads += 1;
    return keys;
  });
  return { verdict, keyReads };
}

/** The failure's code and words, or the verdict itself when it passed (so a diff shows why). */
function _failure(verdict: IdTokenVerdict): { code: string; words: string } | IdTokenVerdict {
  return verdict.ok ? verdict : { code: verdict.code, words: verdict.words };
}

describe("an ID token that checks out", () => {
  it("is verified against the issuer's published key, and says what was checked", async () => {
    const { verdict, keyReads } = await _verify(await _sign(await _claims()));
    expect(keyReads).toBe(1);
    expect(verdict).toMatchObject({
      ok: true,
      signature: "verified",
      words: `Verified: signed with the issuer's key "key-2026" (RS256), read by the page from ${JWKS_URL}; issuer, audience, expiry, issue time, nonce and at_hash check out.`,
      header: { alg: "RS256", kid: "key-2026" },
      claims: { sub: "alice", email: "alice@example.test" },
      keys: { url: JWKS_URL, via: "page", kids: ["key-2026", "ec-1"] },
      notes: [],
    });
  });

  it("is verified with an EC key too, and without a kid when exactly one published key fits", async () => {
    const ecToken = await _sign(await _claims({ at_hash: undefined }), {
      key: ec,
      alg: "ES256",
      kid: undefined,
    });
    expect((await _verify(ecToken)).verdict).toMatchObject({ ok: true, signature: "verified" });
  });

  it("tries every published key that fits a token without a kid", async () => {
    const keys: KeysResult = {
      ...published,
      jwks: { keys: [rsaOther.jwk, rsa.jwk].map(({ kid: _, ...k }) => k) },
    };
    const token = await _sign(await _claims(), { kid: null });
    expect((await _verify(token, {}, keys)).verdict.ok).toBe(true);
  });

  it("allows a minute of clock skew on exp and iat, and says nbf alone", async () => {
    const token = await _sign(await _claims({ exp: NOW_S - 50, iat: NOW_S + 50 }));
    expect((await _verify(token)).verdict.ok).toBe(true);
  });

  it("accepts the other spellings of the issuer a recipe documents (Google's accounts.google.com)", async () => {
    const token = await _sign(await _claims({ iss: "accounts.google.com" }));
    const google = { issuer: "https://accounts.google.com", issuerAliases: ["accounts.google.com"] };
    expect((await _verify(token, google)).verdict.ok).toBe(true);
    expect((await _verify(token, { issuer: "https://accounts.google.com" })).verdict).toMatchObject({
      ok: false,
      code: "wrong_iss",
    });
  });

  it("fits a callback's iss to Microsoft's template with any tenant id, and nothing else", () => {
    const issuer = "https://login.microsoftonline.com/{tenantid}/v2.0";
    const tid = "9188040d-6c67-4c5b-b112-36a304b66dad";
    expect(issuerFitsTemplate(issuer, `https://login.microsoftonline.com/${tid}/v2.0`)).toBe(true);
    expect(issuerFitsTemplate(issuer, "https://login.microsoftonline.com/evil.example/v2.0")).toBe(false);
    expect(issuerFitsTemplate(issuer, `https://login.microsoftonline.com/${tid}/v2.0/x`)).toBe(false);
    expect(issuerFitsTemplate("https://id.example.test", "https://id.example.test")).toBe(false);
  });

  it("accepts Microsoft's {tenantid} issuer when the token's tid fills it", async () => {
    const tid = "9188040d-6c67-4c5b-b112-36a304b66dad";
    const issuer = "https://login.microsoftonline.com/{tenantid}/v2.0";
    const token = await _sign(await _claims({ iss: `https://login.microsoftonline.com/${tid}/v2.0`, tid }));
    expect((await _verify(token, { issuer })).verdict.ok).toBe(true);
    expect(issuerMatches(issuer, `https://login.microsoftonline.com/${tid}/v2.0`, "not-a-guid")).toBe(false);
    const other = await _sign(
      await _claims({
        iss: `https://login.microsoftonline.com/${tid}/v2.0`,
        tid: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      }),
    );
    expect(_failure((await _verify(other, { issuer })).verdict)).toEqual({
      code: "wrong_iss",
      words: `Issued by "https://login.microsoftonline.com/${tid}/v2.0", not by the issuer this client uses ("${issuer}" with {tenantid} its tid claim ("72f988bf-86f1-41af-91ab-2d7cd011db47")).`,
    });
  });
});

describe("failures, each named in words", () => {
  it("bad signature: the payload was changed after signing", async () => {
    const [header, , signature] = (await _sign(await _claims())).split(".");
    const forged = `${header}.${_b64(await _claims({ sub: "mallory" }))}.${signature}`;
    expect(_failure((await _verify(forged)).verdict)).toEqual({
      code: "bad_signature",
      words: `The signature does not verify with the key with kid "key-2026" (RS256) from ${JWKS_URL}: the token was altered after signing, or signed by someone else.`,
    });
  });

  it("bad signature: signed by another key under the published kid", async () => {
    const token = await _sign(await _claims(), { key: rsaOther });
    expect((await _verify(token)).verdict).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("unknown kid: signed with a key the issuer does not publish", async () => {
    const token = await _sign(await _claims(), { kid: "rotated-away" });
    expect(_failure((await _verify(token)).verdict)).toEqual({
      code: "unknown_kid",
      words: `Signed with a key the issuer does not publish: kid "rotated-away" is not among the keys at ${JWKS_URL} (it lists kid "key-2026", "ec-1").`,
    });
  });

  it("unknown kid: no published key fits a token without a kid", async () => {
    const keys: KeysResult = { ...published, jwks: { keys: [ec.jwk] } };
    const token = await _sign(await _claims(), { kid: null });
    expect(_failure((await _verify(token, {}, keys)).verdict)).toEqual({
      code: "unknown_kid",
      words: `Signed with a key the issuer does not publish: it names no kid, and no key at ${JWKS_URL} (it lists kid "ec-1") fits an RS256 signature.`,
    });
  });

  it("wrong aud: meant for another client", async () => {
    const token = await _sign(await _claims({ aud: ["other-app", "api://x"], azp: "other-app" }));
    const { verdict } = await _verify(token);
    expect(_failure(verdict)).toEqual({
      code: "wrong_aud",
      words: 'Meant for "other-app", "api://x", not for this client ("tokendesk-app").',
    });
    expect(verdict.ok ? [] : verdict.problems.map((p) => p.code)).toEqual(["wrong_aud", "wrong_azp"]);
  });

  it("wrong azp: issued to another party, or to several audiences without saying which", async () => {
    const named = await _sign(await _claims({ aud: [CLIENT, "api://x"], azp: "other-app" }));
    expect(_failure((await _verify(named)).verdict)).toEqual({
      code: "wrong_azp",
      words: 'Its authorized party (azp) is "other-app", not this client ("tokendesk-app").',
    });
    const unnamed = await _sign(await _claims({ aud: [CLIENT, "api://x"] }));
    expect((await _verify(unnamed)).verdict).toMatchObject({
      ok: false,
      code: "wrong_azp",
      words: expect.stringMatching(
        /^Meant for several audiences \("tokendesk-app", "api:\/\/x"\) but names no authorized party \(azp\)/,
      ),
    });
  });

  it("wrong iss: issued by another server", async () => {
    const token = await _sign(await _claims({ iss: "https://evil.example.test" }));
    expect(_failure((await _verify(token)).verdict)).toEqual({
      code: "wrong_iss",
      words:
        'Issued by "https://evil.example.test", not by the issuer this client uses ("https://id.example.test").',
    });
  });

  it("expired: exp was past when it arrived, beyond the skew", async () => {
    const token = await _sign(await _claims({ exp: NOW_S - 300, iat: NOW_S - 3900 }));
    expect(_failure((await _verify(token)).verdict)).toEqual({
      code: "expired",
      words:
        "Expired at 2026-11-23T11:55:00Z, 5 min before it was received at 2026-11-23T12:00:00Z (60 s of clock skew allowed).",
    });
  });

  it("issued in the future: iat beyond the skew", async () => {
    const token = await _sign(await _claims({ iat: NOW_S + 600 }));
    expect(_failure((await _verify(token)).verdict)).toEqual({
      code: "issued_in_future",
      words:
        "Issued at 2026-11-23T12:10:00Z, 10 min after it was received at 2026-11-23T12:00:00Z: the issuer's clock or this computer's is wrong (60 s of skew allowed).",
    });
  });

  it("nonce mismatch: it answers another authorization request", async () => {
    const token = await _sign(await _claims({ nonce: "n-from-another-request" }));
    expect(_failure((await _verify(token)).verdict)).toEqual({
      code: "nonce_mismatch",
      words:
        'nonce differs from the one sent: it says "n-from-ano…", tokendesk sent "n-0S6_WzA2…". It answers another authorization request (a replayed or injected code).',
    });
  });

  it("nonce missing: tokendesk sent one and the token carries none", async () => {
    const token = await _sign(await _claims({ nonce: undefined }));
    expect(_failure((await _verify(token)).verdict)).toEqual({
      code: "nonce_missing",
      words:
        'Carries no nonce, but tokendesk sent one ("n-0S6_WzA2…"): nothing ties it to this authorization request.',
    });
  });

  it("nonce where none was sent", async () => {
    const token = await _sign(await _claims());
    expect((await _verify(token, { nonce: null })).verdict).toMatchObject({
      ok: false,
      code: "nonce_mismatch",
    });
    const without = await _sign(await _claims({ nonce: undefined }));
    expect((await _verify(without, { nonce: null })).verdict).toMatchObject({
      ok: true,
      notes: ["No nonce was sent with this authorization, so none was expected."],
    });
  });

  it("at_hash mismatch: issued with another access token", async () => {
    const token = await _sign(await _claims({ at_hash: await leftHalfHash("at-other", "SHA-256") }));
    const { verdict } = await _verify(token);
    expect(verdict).toMatchObject({ ok: false, code: "at_hash_mismatch" });
    expect(verdict.words).toMatch(
      /^at_hash does not match the access token it came with: it says "[\w-]{10}…", the access token it came with hashes to "[\w-]{22}" \(left half of SHA-256, OpenID Connect Core §3\.1\.3\.6\)\. They were not issued together\.$/,
    );
    expect(verdict.words).not.toContain(ACCESS);
  });

  it("c_hash mismatch: issued for another code", async () => {
    const token = await _sign(await _claims({ c_hash: await leftHalfHash("code-other", "SHA-256") }));
    expect((await _verify(token, { code: "code-1" })).verdict).toMatchObject({
      ok: false,
      code: "c_hash_mismatch",
    });
    expect((await _verify(token, { code: "code-other" })).verdict.ok).toBe(true);
  });

  it("alg none: unsigned, refused without reading any key", async () => {
    const { verdict, keyReads } = await _verify(_unsigned({ alg: "none" }, await _claims()));
    expect(keyReads).toBe(0);
    expect(_failure(verdict)).toEqual({
      code: "alg_none",
      words: 'Not signed: its header says "alg": "none", so anyone could have written it.',
    });
  });

  it("alg not allowed: an algorithm tokendesk does not accept", async () => {
    const { verdict, keyReads } = await _verify(_unsigned({ alg: "RS1", kid: "key-2026" }, await _claims()));
    expect(keyReads).toBe(0);
    expect(verdict).toMatchObject({
      ok: false,
      code: "alg_not_allowed",
      words: expect.stringMatching(
        /^Signed with "alg": "RS1", which tokendesk does not accept for ID tokens/,
      ),
    });
  });

  it("keys unavailable: the signature could not be checked, and the claims still were", async () => {
    const token = await _sign(await _claims({ aud: "other-app" }));
    const { verdict } = await _verify(
      token,
      {},
      { ok: false, problem: "https://id.example.test/jwks answered 503" },
    );
    expect(verdict.ok ? [] : verdict.problems).toEqual([
      {
        code: "jwks_unavailable",
        words:
          "The signature could not be checked: the issuer's keys could not be read (https://id.example.test/jwks answered 503).",
      },
      { code: "wrong_aud", words: 'Meant for "other-app", not for this client ("tokendesk-app").' },
    ]);
  });

  it("malformed or encrypted: says why it cannot be read", async () => {
    expect(_failure((await _verify("not-a-jwt")).verdict)).toEqual({
      code: "malformed",
      words: "Not a valid ID token: It is not a JWT at all.",
    });
    expect((await _verify("eyJhbGciOiJSUzI1NiJ9.!!.x")).verdict).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect((await _verify(`${_b64({ alg: "RSA-OAEP", enc: "A256GCM" })}.a.b.c.d`)).verdict).toMatchObject({
      ok: false,
      code: "encrypted",
      header: { alg: "RSA-OAEP" },
    });
  });

  it("missing claims: names each one", async () => {
    const token = await _sign(await _claims({ sub: undefined, iat: undefined }));
    expect(_failure((await _verify(token)).verdict)).toEqual({
      code: "missing_claim",
      words: 'Lacks the required claims "sub", "iat" (OpenID Connect Core §2).',
    });
  });

  it("lists every problem, the signature's first", async () => {
    const token = await _sign(await _claims({ iss: "https://evil.example.test", nonce: "x" }), {
      kid: "gone",
    });
    const { verdict } = await _verify(token);
    expect(verdict.ok ? [] : verdict.problems.map((p) => p.code)).toEqual([
      "unknown_kid",
      "wrong_iss",
      "nonce_mismatch",
    ]);
  });
});

describe("HS256: signed with the client secret", () => {
  it("is said honestly: the claims check out, the signature only the server can verify", async () => {
    const secret = new TextEncoder().encode("client-secret-the-page-never-sees");
    const token = await new SignJWT({ ...(await _claims()) })
      .setProtectedHeader({ alg: "HS256" })
      .sign(secret);
    const { verdict, keyReads } = await _verify(token);
    expect(keyReads).toBe(0);
    expect(verdict).toMatchObject({
      ok: true,
      signature: "client_secret",
      words:
        "Claims check out (issuer, audience, expiry, issue time, nonce and at_hash), but it is signed with the client secret (HS256): only the server holding the secret can verify it.",
    });
    const wrong = await new SignJWT({ ...(await _claims({ aud: "x" })) })
      .setProtectedHeader({ alg: "HS256" })
      .sign(secret);
    expect((await _verify(wrong)).verdict).toMatchObject({ ok: false, code: "wrong_aud" });
  });
});

describe("an ID token from a refresh (OpenID Connect Core §12.2)", () => {
  const original = { iss: ISSUER, sub: "alice", aud: [CLIENT], nonce: NONCE };

  it("may carry no nonce, or the first one's", async () => {
    for (const nonce of [undefined, NONCE]) {
      const token = await _sign(await _claims({ nonce }));
      expect((await _verify(token, { original })).verdict.ok).toBe(true);
    }
    const other = await _sign(await _claims({ nonce: "n-new" }));
    expect((await _verify(other, { original })).verdict).toMatchObject({ ok: false, code: "nonce_mismatch" });
  });

  it("must name the same user, issuer and audience", async () => {
    const bob = await _sign(await _claims({ sub: "bob" }));
    expect(_failure((await _verify(bob, { original })).verdict)).toEqual({
      code: "sub_changed",
      words:
        'Names the user "bob", but the connection\'s first ID token named "alice": a refresh must not change whom the token is about (OpenID Connect Core §12.2).',
    });
    const first = { ...original, iss: "https://id.example.test/old" };
    expect((await _verify(await _sign(await _claims()), { original: first })).verdict).toMatchObject({
      ok: false,
      code: "wrong_iss",
    });
  });

  it("reads the first token's identity without checking it", async () => {
    expect(identityOf(await _sign(await _claims()))).toEqual(original);
    expect(identityOf("opaque")).toBeNull();
  });
});

describe("at_hash and c_hash (OpenID Connect Core §3.1.3.6)", () => {
  it("computes the examples of OpenID Connect Core, appendix A.3 and A.4", async () => {
    expect(await leftHalfHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", "SHA-256")).toBe(
      "77QmUPtjPfzWtF2AnpK9RQ",
    );
    expect(await leftHalfHash("Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk", "SHA-256")).toBe(
      "LDktKdoQak3Pk0cnXxCltA",
    );
  });

  it("takes the left half of SHA-384 and SHA-512 for those algorithms", async () => {
    expect(await leftHalfHash("x", "SHA-384")).toHaveLength(32);
    expect(await leftHalfHash("x", "SHA-512")).toHaveLength(43);
  });
});
