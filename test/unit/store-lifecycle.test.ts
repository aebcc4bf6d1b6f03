import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCallback } from "../../src/oauth/callback.ts";
import { fingerprint } from "../../src/oauth/fingerprint.ts";
import type { RelayClient, RelayTokenResult } from "../../src/oauth/relay-client.ts";
import type { RevocationRequest, TokenRequest } from "../../src/relay/contract.ts";
import { type Db, openDb, SCHEMA_VERSION } from "../../src/store/db.ts";
import {
  exchangeCode,
  importTokens,
  type LifecycleDeps,
  markHandedOff,
  receiveCallback,
  refreshConnection,
  revokeToken,
  setAutoRefresh,
} from "../../src/store/lifecycle.ts";
import type { Connection } from "../../src/store/records.ts";
import { getConnection, listEvents, putConnection, savePending } from "../../src/store/repo.ts";
import { _expectSummariesInStep } from "./_summaries.ts";

let db: Db;
let clock = Date.UTC(2026, 10, 23, 12, 0, 0);
let dbCount = 0;

/** A relay stand-in that records every token request and revocation and answers each from a queue. */
function _relay(
  answers: Array<(req: TokenRequest) => RelayTokenResult>,
  revocationAnswers: Array<(req: RevocationRequest) => RelayTokenResult> = [],
) {
  const requests: TokenRequest[] = [];
  const revocations: RevocationRequest[] = [];
  const relay: RelayClient = {
    base: "http://relay.test/relay",
    clients: async () => ({ clients: [] }),
    token: async (req) => {
      requests.push(req);
      const next = answers.shift();
      if (!next) throw new Error("no answer queued");
      return next(req);
    },
    revoke: async (req) => {
      revocations.push(req);
      const next = revocationAnswers.shift();
      if (!next) throw new Error("no revocation answer queued");
      return next(req);
    },
  };
  return { relay, requests, revocations };
}

function _envelope(
  status: number,
  body: object | string,
  headers: Record<string, string> = {},
): RelayTokenResult {
  return {
    kind: "envelope",
    envelope: {
      sent: {
        method: "POST",
        url: "http://as.test/token",
        headers: { authorization: "Basic [redacted]" },
        body: "grant_type=x",
      },
      upstream: {
        status,
        headers: { "content-type": typeof body === "string" ? "text/html" : "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      },
      ms: 5,
    },
  };
}

/** The relay's answer when the provider never answered: the outcome is unknown. */
function _timedOut(description: string): RelayTokenResult {
  return {
    kind: "unknown",
    status: 504,
    sent: null,
    error: { error: "upstream_timeout", error_description: description, outcome: "unknown" },
  };
}

function _deps(relay: RelayClient): LifecycleDeps {
  return { db, relay, now: () => clock };
}

async function _connect(deps: LifecycleDeps, state = "state-1"): Promise<string> {
  await savePending(db, {
    state,
    codeVerifier: "verifier-123456",
    clientId: "demo",
    provider: "demo",
    redirectUri: "http://127.0.0.1:5173/callback/",
    scope: "openid",
    issuer: "http://127.0.0.1:9000",
    authorizationUrl: "http://127.0.0.1:9000/auth?x=1",
    createdAt: clock,
  });
  const outcome = await receiveCallback(deps, parseCallback(`?code=the-code-1&state=${state}`));
  if (outcome.kind !== "connected") throw new Error(outcome.message);
  return outcome.connectionId;
}

beforeEach(async () => {
  dbCount += 1;
  db = await openDb(`test-${dbCount}`);
});
afterEach(async () => {
  clock += 1000;
  // Whatever a test did, the list would read each connection as it is.
  await _expectSummariesInStep(db);
});

describe("callback", () => {
  it("records the schema version", async () => {
    expect(
      await db.tx(
        "readonly",
        (s) =>
          new Promise((r) => {
            s.get(["meta", "schema"]).onsuccess = (e) => r((e.target as IDBRequest).result);
          }),
      ),
    ).toBe(SCHEMA_VERSION);
  });

  it("turns a matching callback into a connection whose code lives as long as the recipe says", async () => {
    const deps = _deps(_relay([]).relay);
    const id = await _connect(deps);
    const connection = await getConnection(db, id);
    expect(connection?.authorization).toMatchObject({
      code: "the-code-1",
      exchangeStartedAt: null,
      expiresAt: clock + 300_000,
    });
    expect((await listEvents(db, id)).map((e) => e.type)).toEqual(["authorized"]);
  });

  it("uses one callback at most once, even when two tabs handle it at the same time", async () => {
    const deps = _deps(_relay([]).relay);
    await savePending(db, {
      state: "twice",
      codeVerifier: "v",
      clientId: "demo",
      provider: "demo",
      redirectUri: "http://127.0.0.1:5173/callback/",
      scope: "",
      issuer: null,
      authorizationUrl: "http://127.0.0.1:9000/auth",
      createdAt: clock,
    });
    const params = parseCallback("?code=c&state=twice");
    const outcomes = await Promise.all([receiveCallback(deps, params), receiveCallback(deps, params)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["connected", "refused"]);
  });

  it("refuses an unknown state and sends nothing", async () => {
    const { relay, requests } = _relay([]);
    const outcome = await receiveCallback(_deps(relay), parseCallback("?code=c&state=nobody"));
    expect(outcome).toMatchObject({ kind: "refused", title: "Unknown or already used authorization" });
    expect(requests).toHaveLength(0);
  });

  it("refuses an answer from another issuer and deletes the pending authorization", async () => {
    const deps = _deps(_relay([]).relay);
    await savePending(db, {
      state: "iss",
      codeVerifier: "v",
      clientId: "demo",
      provider: "demo",
      redirectUri: "r",
      scope: "",
      issuer: "http://127.0.0.1:9000",
      authorizationUrl: "http://127.0.0.1:9000/auth",
      createdAt: clock,
    });
    const first = await receiveCallback(
      deps,
      parseCallback("?code=c&state=iss&iss=https%3A%2F%2Fevil.example"),
    );
    expect(first).toMatchObject({ kind: "refused", title: "Answer refused" });
    const again = await receiveCallback(deps, parseCallback("?code=c&state=iss"));
    expect(again).toMatchObject({ kind: "refused", title: "Unknown or already used authorization" });
  });
});

describe("exchange", () => {
  it("sends the code once and stores the token set with absolute expiry", async () => {
    const { relay, requests } = _relay([
      () =>
        _envelope(200, {
          access_token: "at-1",
          token_type: "Bearer",
          expires_in: 120,
          refresh_token: "rt-1",
          refresh_token_expires_in: 86400,
        }),
    ]);
    const deps = _deps(relay);
    const id = await _connect(deps);
    clock += 2000;
    const outcome = await exchangeCode(deps, id);
    expect(outcome.kind).toBe("done");
    expect(requests).toEqual([
      {
        client: "demo",
        grant_type: "authorization_code",
        code: "the-code-1",
        redirect_uri: "http://127.0.0.1:5173/callback/",
        code_verifier: "verifier-123456",
      },
    ]);
    const stored = await getConnection(db, id);
    expect(stored?.tokenSet).toMatchObject({
      accessToken: "at-1",
      refreshToken: "rt-1",
      accessExpiresAt: clock + 120_000,
      refreshExpiresAt: clock + 86_400_000,
    });
    const second = await exchangeCode(deps, id);
    expect(second).toMatchObject({ kind: "not_sent" });
    expect(requests).toHaveLength(1);
  });

  it("lets a code be sent again when the relay refused it without calling the provider", async () => {
    const { relay, requests } = _relay([
      () => ({
        kind: "refused",
        status: 400,
        error: { error: "invalid_redirect_uri", error_description: "no" },
      }),
      () => _envelope(200, { access_token: "at", expires_in: 60 }),
    ]);
    const deps = _deps(relay);
    const id = await _connect(deps);
    await exchangeCode(deps, id);
    expect((await getConnection(db, id))?.problem?.kind).toBe("refused");
    await exchangeCode(deps, id);
    expect(requests).toHaveLength(2);
    expect((await getConnection(db, id))?.tokenSet?.accessToken).toBe("at");
  });
});

describe("refresh", () => {
  async function _withTokens(answers: Array<(req: TokenRequest) => RelayTokenResult>) {
    const r = _relay([
      () => _envelope(200, { access_token: "at-1", expires_in: 120, refresh_token: "rt-1" }),
      ...answers,
    ]);
    const deps = _deps(r.relay);
    const id = await _connect(deps);
    await exchangeCode(deps, id);
    return { ...r, deps, id };
  }

  it("replaces a rotated refresh token and records the lineage by fingerprint only", async () => {
    const { deps, id, requests } = await _withTokens([
      () => _envelope(200, { access_token: "at-2", expires_in: 120, refresh_token: "rt-2" }),
    ]);
    clock += 5000;
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    expect(requests[1]).toEqual({ client: "demo", grant_type: "refresh_token", refresh_token: "rt-1" });
    const stored = await getConnection(db, id);
    expect(stored?.tokenSet).toMatchObject({
      accessToken: "at-2",
      refreshToken: "rt-2",
      accessExpiresAt: clock + 120_000,
    });
    const events = await listEvents(db, id);
    expect(events.map((e) => e.type)).toEqual(["authorized", "exchanged", "refreshed", "rotated"]);
    const rotated = events[3];
    expect(rotated?.previousRefreshTokenFingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(rotated?.refreshTokenFingerprint).not.toBe(rotated?.previousRefreshTokenFingerprint);
    const history = JSON.stringify(events);
    for (const secret of ["at-1", "at-2", "rt-1", "rt-2", "the-code-1", "verifier-123456"]) {
      expect(history).not.toContain(`"${secret}"`);
    }
  });

  it("adopts another tab's result instead of spending the new refresh token", async () => {
    const { deps, id, requests } = await _withTokens([
      () => _envelope(200, { access_token: "at-2", refresh_token: "rt-2" }),
    ]);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    const late = await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    expect(late.kind === "done" && late.connection.tokenSet?.refreshToken).toBe("rt-2");
    expect(requests).toHaveLength(2);
  });

  it("marks the refresh token dead on invalid_grant and refuses to send it again", async () => {
    const { deps, id, requests } = await _withTokens([
      () => _envelope(400, { error: "invalid_grant", error_description: "grant request is invalid" }),
    ]);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    const stored = await getConnection(db, id);
    expect(stored?.refreshTokenStatus).toBe("dead");
    expect(stored?.problem).toMatchObject({
      title: "The provider refused the refresh token (invalid_grant)",
    });
    expect(stored?.tokenSet?.accessToken).toBe("at-1");
    expect(await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" })).toMatchObject({
      kind: "not_sent",
    });
    expect(requests).toHaveLength(2);
  });

  it("explains a lone invalid_request on refresh as a token the server does not hold, without marking it dead", async () => {
    const { deps, id, requests } = await _withTokens([
      () => _envelope(400, { error: "invalid_request" }),
      () => _envelope(400, { error: "invalid_request" }),
    ]);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    const stored = await getConnection(db, id);
    // invalid_request also means a malformed request: nothing shows a refresh of this form ever worked.
    expect(stored?.refreshTokenStatus).toBe("active");
    expect(stored?.problem).toMatchObject({
      title: "The provider refused the refresh (invalid_request)",
      next: "If refreshes with this client worked before, the refresh token is most likely dead: authorize again. If none ever did, compare the request below with the provider's documentation.",
    });
    expect(stored?.problem?.detail).toContain("(LemonLDAP::NG 2.x does)");
    expect(stored?.problem?.detail).toContain("tokendesk does not mark it dead on this answer alone");
    // Still refreshable: a fixed request may work.
    expect(await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" })).toMatchObject({
      kind: "done",
    });
    expect(requests).toHaveLength(3);
  });

  it("marks the refresh token dead on invalid_request once a refresh of the same form has worked", async () => {
    const { deps, id, requests } = await _withTokens([
      () => _envelope(200, { access_token: "at-2", expires_in: 120 }),
      () => _envelope(400, { error: "invalid_request" }),
    ]);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    const worked = clock;
    clock += 60_000;
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    const stored = await getConnection(db, id);
    expect(stored?.refreshTokenStatus).toBe("dead");
    expect(stored?.problem).toMatchObject({
      title: "The provider refused the refresh token (invalid_request)",
      next: "This refresh token is dead. Authorize again to get a new one.",
    });
    expect(stored?.problem?.detail).toContain(
      `a refresh of exactly this form (the same endpoint, parameters and client authentication) succeeded at ${new Date(worked).toISOString().replace(/\.\d+Z$/, "Z")}: only the refresh token differs.`,
    );
    expect(await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" })).toMatchObject({
      kind: "not_sent",
    });
    expect(requests).toHaveLength(3);
  });

  it("keeps the last confirmed token set when the outcome is unknown, and does not retry", async () => {
    const { deps, id, requests } = await _withTokens([
      () => _timedOut("The provider did not answer within 10 s."),
    ]);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    const stored = await getConnection(db, id);
    expect(stored?.tokenSet?.refreshToken).toBe("rt-1");
    expect(stored?.refreshTokenStatus).toBe("unknown");
    expect(stored?.problem?.kind).toBe("outcome_unknown");
    expect(requests).toHaveLength(2);
  });

  it("shows FreeAgent's HTML 401 as the provider's answer with an explanation", async () => {
    const { deps, id } = await _withTokens([
      () =>
        _envelope(401, "HTTP Basic: Access denied.\n", { "www-authenticate": 'Basic realm="Application"' }),
    ]);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    const stored = await getConnection(db, id);
    expect(stored?.problem?.title).toBe("The provider refused the client credentials (HTTP 401)");
    expect(stored?.lastExchange?.envelope?.upstream.body).toBe("HTTP Basic: Access denied.\n");
    expect(stored?.refreshTokenStatus).toBe("active");
  });
});

describe("hand-off rules", () => {
  async function _handedOff(answers: Array<(req: TokenRequest) => RelayTokenResult> = []) {
    const r = _relay([
      () => _envelope(200, { access_token: "at-1", expires_in: 120, refresh_token: "rt-1" }),
      ...answers,
    ]);
    const deps = _deps(r.relay);
    const id = await _connect(deps);
    await exchangeCode(deps, id);
    await setAutoRefresh(deps, id, { autoRefresh: true, autoRefreshLeadSeconds: 30 });
    await markHandedOff(deps, id, "abcd1234");
    return { ...r, deps, id };
  }

  it("turns auto-refresh off and records the export in the history", async () => {
    const { id } = await _handedOff();
    const stored = await getConnection(db, id);
    expect(stored?.handedOffAt).toBe(clock);
    expect(stored?.settings.autoRefresh).toBe(false);
    expect((await listEvents(db, id)).map((e) => e.type)).toContain("exported");
  });

  it("sends no refresh of a rotating token without the user's confirmation", async () => {
    const { deps, id, requests } = await _handedOff([
      () => _envelope(200, { access_token: "at-2", refresh_token: "rt-2" }),
    ]);
    expect(await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" })).toMatchObject({
      kind: "not_sent",
      reason: "needs_confirmation",
    });
    expect(
      await refreshConnection(deps, id, {
        expectedRefreshToken: "rt-1",
        trigger: "auto",
        confirmHandedOff: true,
      }),
    ).toMatchObject({
      kind: "not_sent",
      reason: "auto_refresh_off",
    });
    expect(requests).toHaveLength(1);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1", confirmHandedOff: true });
    expect(requests).toHaveLength(2);
  });

  it("refuses to turn auto-refresh back on for a handed-off connection", async () => {
    const { deps, id } = await _handedOff();
    await expect(setAutoRefresh(deps, id, { autoRefresh: true, autoRefreshLeadSeconds: 30 })).rejects.toThrow(
      /handed off to a server/,
    );
  });
});

describe("refresh safety", () => {
  it("records an unknown outcome, and resends nothing, when the previous sender died mid-request", async () => {
    const { relay, requests } = _relay([
      () => _envelope(200, { access_token: "at-1", refresh_token: "rt-1" }),
    ]);
    const deps = _deps(relay);
    const id = await _connect(deps);
    await exchangeCode(deps, id);
    // A tab wrote its in-flight marker, sent the refresh, and closed before storing the answer.
    await db.tx("readwrite", async (store) => {
      const current = await getConnectionIn(store, id);
      putConnection(store, { ...current, inFlight: { grantType: "refresh_token", startedAt: clock } }, []);
    });
    const outcome = await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    expect(outcome.kind).toBe("done");
    const stored = await getConnection(db, id);
    expect(stored?.refreshTokenStatus).toBe("unknown");
    expect(stored?.inFlight).toBeNull();
    expect(stored?.problem?.title).toBe("Refresh: outcome unknown");
    expect(stored?.tokenSet?.refreshToken).toBe("rt-1");
    expect(requests).toHaveLength(1);
  });

  it("remembers a 429's Retry-After and refuses to refresh before it", async () => {
    const { relay, requests } = _relay([
      () => _envelope(200, { access_token: "at-1", refresh_token: "rt-1" }),
      () =>
        _envelope(429, "You must not exceed 15 requests per 60 seconds", {
          "retry-after": "60",
          "content-type": "text/plain",
        }),
    ]);
    const deps = _deps(relay);
    const id = await _connect(deps);
    await exchangeCode(deps, id);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    const stored = await getConnection(db, id);
    expect(stored?.retryAfterUntil).toBe(clock + 60_000);
    expect(stored?.problem?.title).toBe("Rate limited by the provider");
    expect(await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" })).toMatchObject({
      reason: "rate_limited",
    });
    expect(requests).toHaveLength(2);
  });
});

describe("revocation", () => {
  /** A connection holding at-1 and rt-1, whose revocations get `answers`. */
  async function _withTokens(answers: Array<(req: RevocationRequest) => RelayTokenResult>) {
    const r = _relay(
      [() => _envelope(200, { access_token: "at-1", expires_in: 120, refresh_token: "rt-1" })],
      answers,
    );
    const deps = _deps(r.relay);
    const id = await _connect(deps);
    await exchangeCode(deps, id);
    return { ...r, deps, id };
  }

  /** The relay's envelope for a revocation the provider answered with `status` and `body`. */
  function _revocationAnswer(status: number, body = "", contentType = "application/json") {
    return (req: RevocationRequest): RelayTokenResult => ({
      kind: "envelope",
      envelope: {
        sent: {
          method: "POST",
          url: "http://as.test/token/revocation",
          headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic [redacted]" },
          body: new URLSearchParams({
            token: req.token,
            token_type_hint: req.token_type_hint ?? "",
          }).toString(),
        },
        upstream: { status, headers: body === "" ? {} : { "content-type": contentType }, body },
        ms: 4,
      },
    });
  }

  it("sends no revocation of a refresh token without confirmation, whatever the refresh policy", async () => {
    const { deps, id, revocations } = await _withTokens([_revocationAnswer(200)]);
    const unconfirmed = { kind: "not_sent", reason: "needs_confirmation" };
    expect(await revokeToken(deps, id, "refresh_token")).toMatchObject(unconfirmed);
    // A reusable refresh token (Google's) is spent for good by a revocation just the same.
    await db.tx("readwrite", async (store) => {
      putConnection(store, { ...(await getConnectionIn(store, id)), provider: "google" }, []);
    });
    expect(await revokeToken(deps, id, "refresh_token", { confirmed: false })).toMatchObject(unconfirmed);
    expect(revocations).toEqual([]);
    expect((await getConnection(db, id))?.refreshTokenStatus).toBe("active");
    await revokeToken(deps, id, "refresh_token", { confirmed: true });
    expect(revocations).toEqual([{ client: "demo", token: "rt-1", token_type_hint: "refresh_token" }]);
  });

  it("counts a 200 as done, even for a token already invalid: the refresh token is dead and nothing refreshes it", async () => {
    // RFC 7009 §2.2: a token that was already invalid gets the same empty 200 as one revoked now.
    const { deps, id, requests } = await _withTokens([_revocationAnswer(200)]);
    const outcome = await revokeToken(deps, id, "refresh_token", { confirmed: true });
    expect(outcome.kind === "done" && outcome.connection.refreshTokenStatus).toBe("dead");
    const stored = await getConnection(db, id);
    expect(stored?.refreshTokenStatus).toBe("dead");
    expect(stored?.problem).toBeNull();
    expect(stored?.tokenSet?.refreshToken).toBe("rt-1");
    expect(await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" })).toMatchObject({
      kind: "not_sent",
      reason: "dead",
    });
    expect(requests).toHaveLength(1);
  });

  it("records the revocation in the history by fingerprint, with no token in it", async () => {
    const { deps, id } = await _withTokens([_revocationAnswer(200)]);
    await revokeToken(deps, id, "refresh_token", { confirmed: true });
    const events = await listEvents(db, id);
    const revoked = events.at(-1);
    const fp = await fingerprint("rt-1");
    expect(revoked).toMatchObject({ type: "revoked", refreshTokenFingerprint: fp });
    expect(revoked?.summary).toBe(
      `Revoked the refresh token ${fp}: the provider answered 200, which also means "already invalid" (RFC 7009 §2.2); it will not work again.`,
    );
    expect(revoked?.exchange?.sent.body).toBe(`token=[token ${fp}]&token_type_hint=refresh_token`);
    expect(JSON.stringify(events)).not.toContain("rt-1");
  });

  it("drops a revoked access token without confirmation, and keeps the refresh token working", async () => {
    const { deps, id, revocations } = await _withTokens([_revocationAnswer(200)]);
    expect((await revokeToken(deps, id, "access_token")).kind).toBe("done");
    expect(revocations).toEqual([{ client: "demo", token: "at-1", token_type_hint: "access_token" }]);
    const stored = await getConnection(db, id);
    expect(stored?.tokenSet).toMatchObject({
      accessToken: null,
      accessExpiresAt: null,
      refreshToken: "rt-1",
    });
    expect(stored?.refreshTokenStatus).toBe("active");
    const events = await listEvents(db, id);
    expect(events.at(-1)).toMatchObject({ type: "revoked", refreshTokenFingerprint: null });
    expect(JSON.stringify(events)).not.toContain("at-1");
  });

  it("keeps the token and explains when the provider does not revoke it", async () => {
    const { deps, id } = await _withTokens([
      _revocationAnswer(400, '{"error":"unsupported_token_type","error_description":"no such luck"}'),
    ]);
    await revokeToken(deps, id, "access_token");
    const stored = await getConnection(db, id);
    expect(stored?.tokenSet?.accessToken).toBe("at-1");
    expect(stored?.problem).toEqual({
      at: clock,
      kind: "oauth_error",
      title: "The provider does not revoke this kind of token (unsupported_token_type)",
      detail:
        'The revocation endpoint does not revoke access tokens (RFC 7009 §2.2.1). The provider said: "no such luck". The provider did not revoke the access token: as far as this answer tells, it still works.',
      next: "The access token stays valid until it expires; revoke the refresh token to end the grant.",
    });
    expect((await listEvents(db, id)).at(-1)?.type).toBe("failed");
  });

  it("says the outcome is unknown when no answer came, and that revoking again is safe", async () => {
    const { deps, id } = await _withTokens([
      () => _timedOut("The revocation endpoint did not answer within 10000 ms."),
    ]);
    await revokeToken(deps, id, "refresh_token", { confirmed: true });
    const stored = await getConnection(db, id);
    expect(stored?.refreshTokenStatus).toBe("active");
    expect(stored?.problem).toMatchObject({
      kind: "outcome_unknown",
      title: "Revocation: outcome unknown",
      next: "Revoke again: it is safe, because a provider answers 200 for a token it already revoked (RFC 7009 §2.2).",
    });
  });

  it("says what the relay refused, when the client's provider has no revocation endpoint", async () => {
    const { deps, id } = await _withTokens([
      () => ({
        kind: "refused",
        status: 400,
        error: {
          error: "revocation_unsupported",
          error_description: 'Client "demo" has no revocation endpoint.',
        },
      }),
    ]);
    await revokeToken(deps, id, "refresh_token", { confirmed: true });
    expect((await getConnection(db, id))?.problem).toMatchObject({
      kind: "refused",
      title: "The relay refused the revocation (revocation_unsupported)",
      detail: 'Client "demo" has no revocation endpoint.',
    });
  });

  it("takes the same Web Lock as a refresh, so the two never race", async () => {
    const { relay } = _relay(
      [
        () => _envelope(200, { access_token: "at-1", refresh_token: "rt-1" }),
        () => _envelope(200, { access_token: "at-2", refresh_token: "rt-2" }),
      ],
      [_revocationAnswer(200)],
    );
    const names: string[] = [];
    // The one method the lifecycle calls, recording the lock's name and running the callback at once.
    const locks = {
      request: async (name: string, _options: LockOptions, callback: () => Promise<unknown>) => {
        names.push(name);
        return callback();
      },
    } as unknown as LockManager;
    const deps = { ..._deps(relay), locks };
    const id = await _connect(deps);
    await exchangeCode(deps, id);
    await refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    await revokeToken(deps, id, "refresh_token", { confirmed: true });
    expect(names).toEqual([`tokendesk:refresh:${id}`, `tokendesk:refresh:${id}`]);
  });
});

describe("import", () => {
  it("creates a connection from a pasted token response, counting lifetimes from now", async () => {
    const deps = _deps(_relay([]).relay);
    const outcome = await importTokens(deps, {
      clientId: "demo",
      provider: "demo",
      text: JSON.stringify({
        access_token: "a",
        expires_in: 3600,
        refresh_token: "r-imported",
        refresh_token_expires_in: 100,
      }),
    });
    if (outcome.kind !== "imported") throw new Error(outcome.message);
    const stored = await getConnection(db, outcome.connectionId);
    expect(stored?.tokenSet).toMatchObject({
      accessToken: "a",
      refreshToken: "r-imported",
      accessExpiresAt: clock + 3_600_000,
    });
    expect((await listEvents(db, outcome.connectionId)).map((e) => e.type)).toEqual(["imported"]);
  });

  it("creates a connection from a bare refresh token, with no access token yet", async () => {
    const deps = _deps(_relay([]).relay);
    const outcome = await importTokens(deps, {
      clientId: "demo",
      provider: "demo",
      text: "  rt-bare-123456\n",
    });
    if (outcome.kind !== "imported") throw new Error(outcome.message);
    expect((await getConnection(db, outcome.connectionId))?.tokenSet).toMatchObject({
      accessToken: null,
      refreshToken: "rt-bare-123456",
    });
  });

  it("names what is wrong with a paste it cannot use", async () => {
    const deps = _deps(_relay([]).relay);
    const refused = async (text: string) => importTokens(deps, { clientId: "demo", provider: "demo", text });
    expect(await refused("")).toEqual({
      kind: "refused",
      message: "Paste a token response (JSON) or a refresh token first.",
    });
    expect(await refused('{"error":"invalid_grant"}')).toMatchObject({
      message: /error answer \("invalid_grant"\)/,
    });
    expect(await refused('{"token_type":"bearer"}')).toMatchObject({ message: /has no "access_token"/ });
    expect(await refused("{not json")).toMatchObject({ message: /not valid JSON/ });
    expect(await refused("two words")).toMatchObject({ message: /one word without spaces/ });
  });
});

describe("storage", () => {
  it("migrates schema 1 connections, keeping everything and adding safe defaults", async () => {
    const name = `migrate-${dbCount}`;
    const old = await openDb(name);
    await old.tx("readwrite", (store) => {
      store.put(1, ["meta", "schema"]);
      store.put({ id: "old", name: "kept", clientId: "demo", provider: "demo", tokenSet: null }, [
        "connection",
        "old",
      ]);
    });
    const upgraded = await openDb(name);
    const record = await upgraded.tx("readonly", (store) => getConnectionIn(store, "old"));
    expect(record).toMatchObject({
      name: "kept",
      settings: { autoRefresh: false },
      handedOffAt: null,
      inFlight: null,
      recentRefreshes: [],
    });
  });

  it("reports a full disk clearly and loses nothing already stored", async () => {
    const { relay } = _relay([() => _envelope(200, { access_token: "at-1", refresh_token: "rt-1" })]);
    const deps = _deps(relay);
    const id = await _connect(deps);
    const before = await getConnection(db, id);
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
    try {
      await expect(exchangeCode(deps, id)).rejects.toThrow(
        "The browser refused to store more data (storage quota). Free some space or forget old connections; nothing stored was changed.",
      );
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(await getConnection(db, id)).toEqual(before);
  });
});

function getConnectionIn(store: IDBObjectStore, id: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const request = store.get(["connection", id]);
    request.onsuccess = () => resolve(request.result as Connection);
    request.onerror = () => reject(request.error);
  });
}
