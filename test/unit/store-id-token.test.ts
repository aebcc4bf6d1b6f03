/**
 * The ID token through the token lifecycle: stored with the tokens, checked after, its verdict written
 * onto the same token; kept across refreshes that carry none; checked against the first one when a
 * refresh brings another. Real keys, fake-indexeddb, and a fetch standing in for the issuer and relay.
 */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseCallback } from "../../src/oauth/callback.ts";
import { createRelayLookups, type RelayClient, type RelayTokenResult } from "../../src/oauth/relay-client.ts";
import type { PublicClient, TokenRequest } from "../../src/relay/contract.ts";
import { type Db, openDb } from "../../src/store/db.ts";
import {
  checkIdToken,
  exchangeCode,
  type LifecycleDeps,
  receiveCallback,
  refreshConnection,
} from "../../src/store/lifecycle.ts";
import type { Connection } from "../../src/store/records.ts";
import { getConnection, listEvents, putConnection, savePending } from "../../src/store/repo.ts";
import { _expectSummariesInStep } from "./_summaries.ts";

const ISSUER = "http://127.0.0.1:9000";
const JWKS_URI = `${ISSUER}/jwks`;
const RELAY = "http://relay.test/relay";
const CLIENT: PublicClient = {
  id: "demo",
  provider: "demo",
  environment: null,
  client_id: "tokendesk-demo",
  redirect_uris: ["http://127.0.0.1:5173/callback/"],
  scope: "openid",
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  token_endpoint: `${ISSUER}/token`,
  identity_endpoint: null,
  revocation_endpoint: null,
  introspection_endpoint: null,
  jwks_uri: JWKS_URI,
  token_endpoint_auth_method: "client_secret_basic",
  body_encoding: "form",
};

let db: Db;
let dbCount = 0;
let clock = Date.UTC(2026, 10, 23, 12, 0, 0);
let signer: CryptoKey;
let jwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  signer = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: "demo-key", alg: "RS256", use: "sig" };
});

beforeEach(async () => {
  dbCount += 1;
  db = await openDb(`id-token-${dbCount}`);
  clock += 60_000;
});
afterEach(() => _expectSummariesInStep(db));

/** How the issuer's keys are reached: from the page, only through the relay, or not at all. */
type _KeysPath = "page" | "relay" | "nowhere";

interface _World {
  readonly deps: LifecycleDeps;
  readonly tokenRequests: TokenRequest[];
  readonly fetched: string[];
  /** Each time a connection changed: the connection as stored at that moment. */
  readonly snapshots: Promise<Connection | undefined>[];
  keys: _KeysPath;
}

function _world(answers: Array<(req: TokenRequest) => Promise<RelayTokenResult>>): _World {
  const tokenRequests: TokenRequest[] = [];
  const fetched: string[] = [];
  const snapshots: Promise<Connection | undefined>[] = [];
  const relay: RelayClient = {
    base: RELAY,
    clients: async () => ({ clients: [CLIENT] }),
    token: async (req) => {
      tokenRequests.push(req);
      const next = answers.shift();
      if (next === undefined) throw new Error("no answer queued");
      return next(req);
    },
    revoke: async () => {
      throw new Error("not in these tests");
    },
  };
  // The issuer's JWKS for the page, and the relay's POST /jwks, as the keys path says.
  const issuerAndRelay: typeof fetch = async (input, init) => {
    const url = String(input);
    fetched.push(`${init?.method ?? "GET"} ${url}`);
    const jwks = JSON.stringify({ keys: [jwk] });
    if (url === JWKS_URI) {
      // What a browser reports when CORS forbids reading: a TypeError, no response.
      if (world.keys !== "page") throw new TypeError("Failed to fetch");
      return new Response(jwks, { headers: { "content-type": "application/json" } });
    }
    if (url === `${RELAY}/jwks`) {
      if (world.keys === "nowhere") {
        return Response.json(
          {
            error: "upstream_unreachable",
            error_description: `The JWKS ${JWKS_URI} could not be reached (ECONNREFUSED).`,
          },
          { status: 502 },
        );
      }
      const sent = { method: "GET", url: JWKS_URI, headers: {}, body: "" };
      return Response.json({ sent, upstream: { status: 200, headers: {}, body: jwks }, ms: 3 });
    }
    throw new Error(`unexpected fetch ${url}`);
  };
  const world: _World = {
    tokenRequests,
    fetched,
    snapshots,
    keys: "page",
    deps: {
      db,
      relay,
      now: () => clock,
      notify: (id) => snapshots.push(getConnection(db, id)),
      fetch: issuerAndRelay,
      lookups: createRelayLookups(RELAY, issuerAndRelay),
    },
  };
  return world;
}

async function _idToken(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(clock / 1000);
  return new SignJWT({
    iss: ISSUER,
    sub: "alice",
    aud: CLIENT.client_id,
    iat: now,
    exp: now + 120,
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", kid: "demo-key" })
    .sign(signer);
}

function _answer(body: Record<string, unknown>): () => Promise<RelayTokenResult> {
  return async () => ({
    kind: "envelope",
    envelope: {
      sent: { method: "POST", url: `${ISSUER}/token`, headers: {}, body: "" },
      upstream: { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      ms: 4,
    },
  });
}

/** Authorizes with a nonce (as the authorize page does for an openid scope) and returns the connection id. */
async function _authorize(
  world: _World,
  nonce: string | null = "nonce-sent-with-the-request",
): Promise<string> {
  await savePending(db, {
    state: "state-1",
    codeVerifier: "verifier-123456",
    clientId: "demo",
    provider: "demo",
    redirectUri: "http://127.0.0.1:5173/callback/",
    scope: "openid",
    issuer: ISSUER,
    authorizationUrl: `${ISSUER}/auth?x=1`,
    createdAt: clock,
    nonce,
  });
  const outcome = await receiveCallback(world.deps, parseCallback("?code=the-code-1&state=state-1"));
  if (outcome.kind !== "connected") throw new Error(outcome.message);
  return outcome.connectionId;
}

async function _stored(id: string): Promise<Connection> {
  const connection = await getConnection(db, id);
  if (connection === undefined) throw new Error("gone");
  return connection;
}

describe("an ID token from the exchange", () => {
  it("keeps the nonce with the authorization, stores the tokens first and the verdict after", async () => {
    const idToken = await _idToken({ nonce: "nonce-sent-with-the-request" });
    const world = _world([
      _answer({ access_token: "at-1", refresh_token: "rt-1", expires_in: 120, id_token: idToken }),
    ]);
    const id = await _authorize(world);
    expect((await _stored(id)).authorization?.nonce).toBe("nonce-sent-with-the-request");
    const exchanged = await exchangeCode(world.deps, id);
    expect(exchanged.kind).toBe("done");
    // The first change tokens brought was stored before anything was checked; the verdict came after.
    const [claimed, withTokens, withVerdict] = await Promise.all(world.snapshots.slice(-3));
    expect(claimed?.tokenSet).toBeNull();
    expect(withTokens?.tokenSet?.idToken).toBe(idToken);
    expect(withTokens?.idTokenCheck).toMatchObject({
      grantType: "authorization_code",
      checkedAt: null,
      verdict: null,
    });
    expect(withVerdict?.idTokenCheck).toMatchObject({
      receivedAt: clock,
      checkedAt: clock,
      verdict: {
        ok: true,
        signature: "verified",
        claims: { sub: "alice", nonce: "nonce-sent-with-the-request" },
        keys: { url: JWKS_URI, via: "page", kids: ["demo-key"] },
      },
    });
    expect(world.fetched).toEqual([`GET ${JWKS_URI}`]);
  });

  it("says the nonce differs when the code answers another authorization, and keeps the tokens", async () => {
    const world = _world([
      _answer({ access_token: "at-1", id_token: await _idToken({ nonce: "someone-elses" }) }),
    ]);
    const id = await _authorize(world);
    const outcome = await exchangeCode(world.deps, id);
    expect(outcome.kind).toBe("done");
    const stored = await _stored(id);
    expect(stored.tokenSet?.accessToken).toBe("at-1");
    expect(stored.idTokenCheck?.verdict).toMatchObject({
      ok: false,
      code: "nonce_mismatch",
      words: expect.stringMatching(
        /^nonce differs from the one sent: it says "someone-el…", tokendesk sent "nonce-sent…"/,
      ),
    });
  });

  it("reads the keys through the relay when the page may not read them", async () => {
    const world = _world([_answer({ access_token: "at-1", id_token: await _idToken({ nonce: "n-1" }) })]);
    world.keys = "relay";
    const id = await _authorize(world, "n-1");
    await exchangeCode(world.deps, id);
    expect(world.fetched).toEqual([`GET ${JWKS_URI}`, `POST ${RELAY}/jwks`]);
    expect((await _stored(id)).idTokenCheck?.verdict).toMatchObject({
      ok: true,
      keys: { via: "relay", url: JWKS_URI },
    });
  });

  it("keeps the tokens when the issuer's keys cannot be read, says why, and checks again on demand", async () => {
    const world = _world([
      _answer({ access_token: "at-1", refresh_token: "rt-1", id_token: await _idToken({ nonce: "n-1" }) }),
    ]);
    world.keys = "nowhere";
    const id = await _authorize(world, "n-1");
    await exchangeCode(world.deps, id);
    const stored = await _stored(id);
    expect(stored.tokenSet).toMatchObject({ accessToken: "at-1", refreshToken: "rt-1" });
    expect(stored.idTokenCheck?.verdict).toMatchObject({
      ok: false,
      code: "jwks_unavailable",
      words: `The signature could not be checked: the issuer's keys could not be read (the page could not read ${JWKS_URI} (no CORS, or unreachable); the relay said: The JWKS ${JWKS_URI} could not be reached (ECONNREFUSED).).`,
    });
    world.keys = "page";
    clock += 5_000;
    const again = await checkIdToken(world.deps, id, { again: true });
    expect(again.kind === "done" && again.connection.idTokenCheck).toMatchObject({
      checkedAt: clock,
      receivedAt: stored.idTokenCheck?.receivedAt,
      verdict: { ok: true },
    });
  });
});

describe("an ID token across refreshes", () => {
  async function _connected(world: _World): Promise<string> {
    const id = await _authorize(world, "n-1");
    await exchangeCode(world.deps, id);
    return id;
  }

  it("stays, with when it was received and its verdict, when a refresh carries none", async () => {
    const world = _world([
      _answer({ access_token: "at-1", refresh_token: "rt-1", id_token: await _idToken({ nonce: "n-1" }) }),
      _answer({ access_token: "at-2", refresh_token: "rt-2" }),
    ]);
    const id = await _connected(world);
    const first = await _stored(id);
    clock += 30_000;
    await refreshConnection(world.deps, id, { expectedRefreshToken: "rt-1" });
    const after = await _stored(id);
    expect(after.tokenSet).toMatchObject({
      accessToken: "at-2",
      idToken: first.tokenSet?.idToken,
      idTokenReceivedAt: first.tokenSet?.receivedAt,
      receivedAt: clock,
    });
    expect(after.idTokenCheck).toEqual(first.idTokenCheck);
    expect(world.fetched).toHaveLength(1);
  });

  it("checks a refreshed one against the first: same user, no nonce or the same (OIDC Core §12.2)", async () => {
    const world = _world([
      _answer({ access_token: "at-1", refresh_token: "rt-1", id_token: await _idToken({ nonce: "n-1" }) }),
      _answer({ access_token: "at-2", refresh_token: "rt-2", id_token: await _idToken({}) }),
    ]);
    const id = await _connected(world);
    clock += 30_000;
    world.tokenRequests.length = 0;
    await refreshConnection(world.deps, id, { expectedRefreshToken: "rt-1" });
    expect((await _stored(id)).idTokenCheck).toMatchObject({
      grantType: "refresh_token",
      original: { iss: ISSUER, sub: "alice", aud: [CLIENT.client_id], nonce: "n-1" },
      verdict: { ok: true },
    });
  });

  it("fails a refreshed one that names another user", async () => {
    const world = _world([
      _answer({ access_token: "at-1", refresh_token: "rt-1", id_token: await _idToken({ nonce: "n-1" }) }),
      _answer({ access_token: "at-2", refresh_token: "rt-2", id_token: await _idToken({ sub: "bob" }) }),
    ]);
    const id = await _connected(world);
    await refreshConnection(world.deps, id, { expectedRefreshToken: "rt-1" });
    const stored = await _stored(id);
    expect(stored.tokenSet?.refreshToken).toBe("rt-2");
    expect(stored.idTokenCheck?.verdict).toMatchObject({ ok: false, code: "sub_changed" });
  });
});

describe("records from before ID tokens were checked", () => {
  it("checks a stored ID token that has no check and no receipt time, as the exchange's", async () => {
    const world = _world([]);
    const id = await _authorize(world, null);
    const connection = await _stored(id);
    const idToken = await _idToken({});
    await db.tx("readwrite", (store) =>
      putConnection(
        store,
        {
          ...connection,
          tokenSet: {
            accessToken: "at-old",
            tokenType: "Bearer",
            scope: "openid",
            refreshToken: null,
            idToken,
            receivedAt: clock,
            accessExpiresAt: null,
            refreshExpiresAt: null,
            refreshExpirySource: "none",
            refreshReceivedAt: null,
            raw: {},
          },
        },
        [],
      ),
    );
    const outcome = await checkIdToken(world.deps, id);
    expect(outcome.kind === "done" && outcome.connection.idTokenCheck).toMatchObject({
      receivedAt: clock,
      grantType: "authorization_code",
      verdict: { ok: true, notes: ["No nonce was sent with this authorization, so none was expected."] },
    });
  });

  it("says there is nothing to check without an ID token", async () => {
    const world = _world([]);
    const id = await _authorize(world);
    expect(await checkIdToken(world.deps, id)).toMatchObject({ kind: "not_sent", reason: "no_id_token" });
  });
});

describe("Microsoft's templated issuer on the callback (RFC 9207)", () => {
  const TEMPLATE = "https://login.microsoftonline.com/{tenantid}/v2.0";

  async function _callback(world: _World, iss: string) {
    await savePending(db, {
      state: "state-ms",
      codeVerifier: "verifier-123456",
      clientId: "ms",
      provider: "microsoft",
      redirectUri: "http://127.0.0.1:5173/callback/",
      scope: "openid offline_access",
      issuer: TEMPLATE,
      authorizationUrl: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?x=1",
      createdAt: clock,
      nonce: "n-ms",
    });
    return receiveCallback(
      world.deps,
      parseCallback(`?code=c&state=state-ms&iss=${encodeURIComponent(iss)}`),
    );
  }

  it("takes an iss that fills {tenantid} with a tenant id, and names the host it was authorized at", async () => {
    const world = _world([]);
    const outcome = await _callback(
      world,
      "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    );
    if (outcome.kind !== "connected") throw new Error(outcome.message);
    expect((await listEvents(db, outcome.connectionId)).map((e) => e.summary)).toEqual([
      "Authorized at https://login.microsoftonline.com; code received.",
    ]);
  });

  it("refuses an iss that is not Microsoft's", async () => {
    const world = _world([]);
    expect(await _callback(world, "https://login.evil.example/tenant/v2.0")).toMatchObject({
      kind: "refused",
      title: "Answer refused",
    });
  });
});
