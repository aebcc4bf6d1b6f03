import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCallback } from "../../src/oauth/callback.ts";
import type { RelayClient, RelayTokenResult } from "../../src/oauth/relay-client.ts";
import type { TokenRequest } from "../../src/relay/contract.ts";
import { type Db, openDb, SCHEMA_VERSION } from "../../src/store/db.ts";
import {
  exchangeCode,
  type LifecycleDeps,
  receiveCallback,
  refreshConnection,
} from "../../src/store/lifecycle.ts";
import { getConnection, listEvents, savePending } from "../../src/store/repo.ts";

let db: Db;
let clock = Date.UTC(2026, 10, 23, 12, 0, 0);
let dbCount = 0;

/** A relay stand-in that records every token request and answers from a queue. */
function _relay(answers: Array<(req: TokenRequest) => RelayTokenResult>) {
  const requests: TokenRequest[] = [];
  const relay: RelayClient = {
    base: "http://relay.test/relay",
    clients: async () => [],
    token: async (req) => {
      requests.push(req);
      const next = answers.shift();
      if (!next) throw new Error("no answer queued");
      return next(req);
    },
  };
  return { relay, requests };
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
afterEach(() => {
  clock += 1000;
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
    await refreshConnection(deps, id, "rt-1");
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
    await refreshConnection(deps, id, "rt-1");
    const late = await refreshConnection(deps, id, "rt-1");
    expect(late.kind === "done" && late.connection.tokenSet?.refreshToken).toBe("rt-2");
    expect(requests).toHaveLength(2);
  });

  it("marks the refresh token dead on invalid_grant and refuses to send it again", async () => {
    const { deps, id, requests } = await _withTokens([
      () => _envelope(400, { error: "invalid_grant", error_description: "grant request is invalid" }),
    ]);
    await refreshConnection(deps, id, "rt-1");
    const stored = await getConnection(db, id);
    expect(stored?.refreshTokenStatus).toBe("dead");
    expect(stored?.problem).toMatchObject({
      title: "The provider refused the refresh token (invalid_grant)",
    });
    expect(stored?.tokenSet?.accessToken).toBe("at-1");
    expect(await refreshConnection(deps, id, "rt-1")).toMatchObject({ kind: "not_sent" });
    expect(requests).toHaveLength(2);
  });

  it("keeps the last confirmed token set when the outcome is unknown, and does not retry", async () => {
    const { deps, id, requests } = await _withTokens([
      () => ({
        kind: "unknown",
        status: 504,
        sent: null,
        error: {
          error: "upstream_timeout",
          error_description: "The provider did not answer within 10 s.",
          outcome: "unknown",
        },
      }),
    ]);
    await refreshConnection(deps, id, "rt-1");
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
    await refreshConnection(deps, id, "rt-1");
    const stored = await getConnection(db, id);
    expect(stored?.problem?.title).toBe("The provider refused the client credentials (HTTP 401)");
    expect(stored?.lastExchange?.envelope?.upstream.body).toBe("HTTP Basic: Access denied.\n");
    expect(stored?.refreshTokenStatus).toBe("active");
  });
});
