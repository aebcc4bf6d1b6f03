/**
 * Introspection (RFC 7662) on the page's side: what an answer means, member by member; the step that
 * records it in a connection's history without touching the tokens or waiting for a refresh; and
 * what the support desk's bundle and credential trail make of it.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { parseCallback } from "../../src/oauth/callback.ts";
import { fingerprint } from "../../src/oauth/fingerprint.ts";
import { type IntrospectionContext, readIntrospection } from "../../src/oauth/introspection.ts";
import type { RelayClient, RelayTokenResult } from "../../src/oauth/relay-client.ts";
import type { IntrospectionRequest } from "../../src/relay/contract.ts";
import { buildDiagnosticBundle } from "../../src/store/bundle.ts";
import { credentialTrail } from "../../src/store/credential-trail.ts";
import { type Db, openDb } from "../../src/store/db.ts";
import {
  exchangeCode,
  introspectToken,
  type LifecycleDeps,
  receiveCallback,
  refreshConnection,
} from "../../src/store/lifecycle.ts";
import { getConnection, listEvents, savePending } from "../../src/store/repo.ts";

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const EXP = NOW / 1000 + 120;
const ENDPOINT = "http://127.0.0.1:9000/token/introspection";

/** The relay's envelope for an introspection the provider answered with `status` and `body`. */
function _answer(
  status: number,
  body: object | string,
  headers: Record<string, string> = {},
  request: IntrospectionRequest = { client: "demo", token: "at-1", token_type_hint: "access_token" },
): RelayTokenResult {
  return {
    kind: "envelope",
    envelope: {
      sent: {
        method: "POST",
        url: ENDPOINT,
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic [redacted]" },
        body: new URLSearchParams({
          token: request.token,
          ...(request.token_type_hint === undefined ? {} : { token_type_hint: request.token_type_hint }),
        }).toString(),
      },
      upstream: {
        status,
        headers: {
          "content-type": typeof body === "string" ? "text/html" : "application/json",
          ...headers,
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      },
      ms: 3,
    },
  };
}

const ACCESS: IntrospectionContext = {
  which: "access_token",
  clientId: "tokendesk-demo",
  issuer: "http://127.0.0.1:9000",
  now: NOW,
};

describe("readIntrospection", () => {
  it("reads an active access token and explains each member, in RFC 7662's order", () => {
    const verdict = readIntrospection(
      _answer(200, {
        sid: "s-1",
        iss: "http://127.0.0.1:9000",
        active: true,
        client_id: "tokendesk-demo",
        exp: EXP,
        iat: EXP - 120,
        scope: "openid demo:read",
        sub: "dana",
        token_type: "Bearer",
        aud: ["https://api.example.test", "tokendesk-demo"],
      }),
      ACCESS,
    );
    expect(verdict).toMatchObject({
      kind: "active",
      status: 200,
      title: "The access token is active",
      detail:
        'The server answered "active": true: it issued the access token, has not revoked it, and holds it within its time of validity (RFC 7662 §2.2).',
      expiresAt: EXP * 1000,
    });
    expect(verdict.claims.map((c) => [c.name, c.value, c.meaning, c.at, c.standard])).toEqual([
      [
        "active",
        "true",
        "The token is active: issued by this server, not revoked, within its time of validity.",
        null,
        true,
      ],
      ["scope", "openid demo:read", "What the token may do: openid, demo:read (2 scopes).", null, true],
      ["client_id", "tokendesk-demo", "The client the token was issued to: this relay client.", null, true],
      [
        "token_type",
        "Bearer",
        "A bearer token (RFC 6750): whoever holds it can use it, sent as Authorization: Bearer.",
        null,
        true,
      ],
      ["exp", String(EXP), "When the token expires, unless revoked first.", EXP * 1000, true],
      ["iat", String(EXP - 120), "When the token was issued.", (EXP - 120) * 1000, true],
      [
        "sub",
        "dana",
        "The subject: whom the token acts for, usually the user, as this server identifies them (often an opaque id).",
        null,
        true,
      ],
      [
        "aud",
        "https://api.example.test tokendesk-demo",
        "The audience: the APIs (resource servers) the token is meant for.",
        null,
        true,
      ],
      [
        "iss",
        "http://127.0.0.1:9000",
        "The issuer: the server that issued the token, the one this client names.",
        null,
        true,
      ],
      ["sid", "s-1", "The login session the token belongs to (OpenID Connect session id).", null, false],
    ]);
  });

  it("says that active: false does not say whether the token expired, was revoked or never existed", () => {
    const verdict = readIntrospection(_answer(200, { active: false }), {
      ...ACCESS,
      which: "refresh_token",
    });
    expect(verdict).toMatchObject({
      kind: "inactive",
      title: "The refresh token is not active",
      next: "If this server introspects refresh tokens, a refresh with it will be refused: authorize again for new tokens. If it introspects access tokens only, this answer tells nothing about the refresh token; the server's documentation says which.",
    });
    expect(verdict.detail).toContain(
      "the refresh token is expired, revoked, or was never issued by this server — RFC 7662 §2.2 does not say which.",
    );
    // Said of refresh tokens only: servers that describe access tokens alone say false for the rest.
    expect(verdict.detail).toContain(
      "Some servers introspect access tokens only and answer the same for every refresh token, live ones too (django-oauth-toolkit and LemonLDAP::NG do).",
    );
    expect(readIntrospection(_answer(200, { active: false }), ACCESS).detail).not.toContain(
      "access tokens only",
    );
    expect(verdict.claims.map((c) => c.meaning)).toEqual([
      "Not active: expired, revoked, or never issued by this server — RFC 7662 §2.2 does not say which.",
    ]);
  });

  it("notes members an inactive answer should not carry, and a token issued to another client", () => {
    expect(readIntrospection(_answer(200, { active: false, sub: "dana" }), ACCESS).detail).toContain(
      "which RFC 7662 §2.2 says it should not for an inactive token",
    );
    const foreign = readIntrospection(_answer(200, { active: true, client_id: "other-app" }), ACCESS);
    expect(foreign.detail).toContain(
      "It was issued to client other-app, not to this relay client (tokendesk-demo).",
    );
    expect(foreign.claims[1]?.meaning).toBe(
      "The client the token was issued to: not this relay client (tokendesk-demo), another app.",
    );
  });

  it("flags an expiry already past by this browser's clock on a token the server calls active", () => {
    const verdict = readIntrospection(_answer(200, { active: true, exp: NOW / 1000 - 60 }), ACCESS);
    expect(verdict.claims.find((c) => c.name === "exp")?.meaning).toBe(
      "When the token expires. It is past by this browser's clock, yet the server says active: one of the clocks is wrong.",
    );
  });

  it("refuses to read an instant from a string, and says so", () => {
    const verdict = readIntrospection(_answer(200, { active: true, exp: "2026-11-29" }), ACCESS);
    expect(verdict.expiresAt).toBeNull();
    expect(verdict.claims.find((c) => c.name === "exp")).toMatchObject({
      value: "2026-11-29",
      at: null,
      meaning:
        "Should be a number of seconds since 1970 (RFC 7662 §2.2); this value cannot be read as an instant.",
    });
  });

  it.each([
    [
      "an HTML page",
      _answer(200, "<html>login</html>"),
      "The introspection endpoint's answer is not JSON",
      "RFC 7662 §2.2 answers with a JSON object; this 200 answer is not one. Introspection only reads: the token is as it was.",
    ],
    [
      'JSON without a boolean "active"',
      _answer(200, { active: "yes" }),
      'Not an RFC 7662 answer: no true or false "active"',
      'RFC 7662 §2.2 requires "active" as a JSON boolean; this answer has "yes", so it says nothing certain about the access token. Introspection only reads: the token is as it was.',
    ],
    [
      "a JWT-secured answer",
      _answer(200, "eyJ.x.y", { "content-type": "application/token-introspection+jwt" }),
      "The introspection endpoint answered with a signed JWT",
      "It sent a JWT-secured answer (RFC 9701), though the relay asked for JSON; tokendesk shows it as sent but does not read it. Introspection only reads: the token is as it was.",
    ],
    [
      "invalid_client",
      _answer(401, { error: "invalid_client" }),
      "The provider refused the client credentials (invalid_client)",
      "The client id or secret the relay holds does not match the app registered at the provider. Some servers let only resource servers, not clients, introspect (IdentityServer's API resources, for one). Introspection only reads: the token is as it was.",
    ],
    [
      "an HTML 401",
      _answer(401, "HTTP Basic: Access denied."),
      "The provider refused the client credentials (HTTP 401)",
      "The client id or secret the relay holds was refused. Introspection only reads: the token is as it was.",
    ],
    [
      "a 429 with Retry-After",
      _answer(429, "slow down", { "retry-after": "30" }),
      "The provider cannot introspect right now (429)",
      "The introspection endpoint answered 429 and asks to wait 30 s. Introspection only reads: the token is as it was.",
    ],
  ])("explains %s as a failed read that spent nothing", (_name, result, title, detail) => {
    expect(readIntrospection(result, ACCESS)).toMatchObject({ kind: "failed", title, detail });
  });

  it("words an answer that never came as nothing spent, and introspecting again as safe", () => {
    const verdict = readIntrospection(
      {
        kind: "unknown",
        status: null,
        sent: null,
        error: {
          error: "relay_unreachable",
          error_description:
            "The request to the relay failed (Failed to fetch); it may or may not have reached the provider.",
          outcome: "unknown",
        },
      },
      ACCESS,
    );
    expect(verdict).toEqual({
      kind: "unanswered",
      status: null,
      error: "relay_unreachable",
      title: "No answer from the introspection endpoint",
      detail:
        "The request to the relay failed (Failed to fetch); it may or may not have reached the provider. Introspection only reads, so nothing was spent either way.",
      next: "Introspect again: it is always safe.",
      claims: [],
      expiresAt: null,
    });
    expect(verdict.title).not.toMatch(/unknown/i);
  });

  it("says what to do when the relay has no introspection endpoint for the client", () => {
    const verdict = readIntrospection(
      {
        kind: "refused",
        status: 400,
        error: {
          error: "introspection_unsupported",
          error_description: 'Client "x" has no introspection endpoint.',
        },
      },
      ACCESS,
    );
    expect(verdict).toMatchObject({
      kind: "refused",
      title: "The relay refused the introspection (introspection_unsupported)",
      next: "Nothing reached the provider. None of tokendesk's built-in providers documents an RFC 7662 endpoint; for a custom provider that has one, the relay's operator adds introspection_endpoint to the client.",
    });
  });
});

describe("introspecting a connection's token", () => {
  let db: Db;
  let count = 0;
  const now = () => NOW;

  beforeEach(async () => {
    count += 1;
    db = await openDb(`introspection-${count}`);
  });

  /** A relay stand-in: the exchange answers at-1/rt-1; refreshes wait for `release`. */
  function _relay() {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const relay: RelayClient = {
      base: "http://relay.test/relay",
      clients: async () => ({ clients: [] }),
      token: async (req) => {
        if (req.grant_type === "refresh_token") await held;
        const tokens =
          req.grant_type === "refresh_token"
            ? { access_token: "at-2", refresh_token: "rt-2", expires_in: 120 }
            : { access_token: "at-1", refresh_token: "rt-1", expires_in: 120 };
        return _answer(200, tokens);
      },
      revoke: async () => {
        throw new Error("no revocation here");
      },
    };
    return { relay, release };
  }

  async function _connected(relay: RelayClient) {
    const deps: LifecycleDeps = { db, relay, now };
    await savePending(db, {
      state: "s-1",
      codeVerifier: "verifier-123456",
      clientId: "demo",
      provider: "demo",
      redirectUri: "http://127.0.0.1:5173/callback/",
      scope: "openid demo:read",
      issuer: "http://127.0.0.1:9000",
      authorizationUrl: "http://127.0.0.1:9000/auth?x=1",
      createdAt: NOW,
    });
    const outcome = await receiveCallback(deps, parseCallback("?code=code-123456&state=s-1"));
    if (outcome.kind !== "connected") throw new Error(outcome.message);
    await exchangeCode(deps, outcome.connectionId);
    return { deps, id: outcome.connectionId };
  }

  /** Lookups that answer each introspection with `answer` and record what was asked. */
  function _lookups(answer: (req: IntrospectionRequest) => RelayTokenResult) {
    const asked: IntrospectionRequest[] = [];
    return {
      asked,
      lookups: {
        introspect: async (req: IntrospectionRequest) => {
          asked.push(req);
          return answer(req);
        },
      },
    };
  }

  it("sends the access token with its hint, records the answer by fingerprint, and changes no token", async () => {
    const { id } = await _connected(_relay().relay);
    const before = await getConnection(db, id);
    const { asked, lookups } = _lookups((req) =>
      _answer(200, { active: true, scope: "openid demo:read", exp: EXP }, {}, req),
    );
    const notified: string[] = [];
    const outcome = await introspectToken(
      { db, lookups, now, notify: (c) => notified.push(c) },
      id,
      "access_token",
      { client_id: "tokendesk-demo", issuer: "http://127.0.0.1:9000" },
    );
    expect(asked).toEqual([{ client: "demo", token: "at-1", token_type_hint: "access_token" }]);
    expect(outcome.kind === "introspected" && outcome.verdict.kind).toBe("active");
    expect(notified).toEqual([id]);
    const after = await getConnection(db, id);
    expect(after).toEqual({ ...before, revision: (before?.revision ?? 0) + 1 });
    const events = await listEvents(db, id);
    const line = events.at(-1);
    const fp = await fingerprint("at-1");
    expect(line).toMatchObject({ type: "introspected", refreshTokenFingerprint: null });
    expect(line?.summary).toBe(
      `Introspected the access token ${fp}: active (RFC 7662), scope "openid demo:read", expires ${new Date(EXP * 1000).toISOString()}.`,
    );
    expect(line?.exchange?.sent.body).toBe(`token=[token ${fp}]&token_type_hint=access_token`);
    expect(JSON.stringify(events)).not.toContain("at-1");
  });

  it("records an inactive refresh token without marking it dead: the answer does not say why", async () => {
    const { id } = await _connected(_relay().relay);
    const { lookups } = _lookups((req) => _answer(200, { active: false }, {}, req));
    await introspectToken({ db, lookups, now }, id, "refresh_token", null);
    expect((await getConnection(db, id))?.refreshTokenStatus).toBe("active");
    expect((await listEvents(db, id)).at(-1)?.summary).toBe(
      `Introspected the refresh token ${await fingerprint("rt-1")}: not active (expired, revoked, or never issued by this server; RFC 7662 §2.2 does not say which).`,
    );
  });

  it("sends nothing for a token the connection does not hold", async () => {
    const { id } = await _connected(_relay().relay);
    const { asked, lookups } = _lookups((req) => _answer(200, { active: true }, {}, req));
    await db.tx("readwrite", async (store) => {
      const current = await new Promise<Record<string, unknown>>((resolve) => {
        store.get(["connection", id]).onsuccess = (e) => resolve((e.target as IDBRequest).result);
      });
      store.put({ ...current, tokenSet: { ...(current.tokenSet as object), refreshToken: null } }, [
        "connection",
        id,
      ]);
    });
    expect(await introspectToken({ db, lookups, now }, id, "refresh_token", null)).toEqual({
      kind: "not_sent",
      message: "This connection has no refresh token.",
    });
    expect(asked).toEqual([]);
  });

  it("runs while a refresh of the same connection is in flight, and both results are kept", async () => {
    const { relay, release } = _relay();
    const { deps, id } = await _connected(relay);
    const refreshing = refreshConnection(deps, id, { expectedRefreshToken: "rt-1" });
    // Once the refresh has claimed the connection it waits for its answer; introspection does not wait.
    for (let turn = 0; (await getConnection(db, id))?.inFlight == null; turn += 1) {
      if (turn > 100) throw new Error("the refresh never claimed the connection");
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const { lookups } = _lookups((req) => _answer(200, { active: true }, {}, req));
    const outcome = await introspectToken({ db, lookups, now }, id, "access_token", null);
    expect(outcome.kind).toBe("introspected");
    release();
    expect((await refreshing).kind).toBe("done");
    const stored = await getConnection(db, id);
    expect(stored?.tokenSet?.refreshToken).toBe("rt-2");
    expect(stored?.inFlight).toBeNull();
    expect((await listEvents(db, id)).map((e) => e.type)).toEqual([
      "authorized",
      "exchanged",
      "introspected",
      "refreshed",
      "rotated",
    ]);
  });

  it("keeps the introspection in the bundle with no token, and the trail shows where the token went", async () => {
    const { id } = await _connected(_relay().relay);
    const { lookups } = _lookups((req) => _answer(200, { active: true, sub: "dana" }, {}, req));
    await introspectToken({ db, lookups, now }, id, "access_token", null);
    const connection = await getConnection(db, id);
    if (connection === undefined) throw new Error("no connection");
    const bundle = await buildDiagnosticBundle(connection, await listEvents(db, id), {
      now: NOW,
      client: null,
      appOrigin: "http://127.0.0.1:5173",
      relayBase: "/relay",
    });
    const text = JSON.stringify(bundle);
    for (const secret of ["at-1", "rt-1", "code-123456", "verifier-123456"])
      expect(text).not.toContain(secret);
    const entry = bundle.log.entries.find((e) => e.event.type === "introspected");
    expect(entry?.request?.postData?.text).toBe(
      `token=[token ${await fingerprint("at-1")}]&token_type_hint=access_token`,
    );
    const row = credentialTrail(bundle).find((r) => r.step.endsWith("(introspection)"));
    expect(row?.step).toBe("POST 127.0.0.1:9000/token/introspection (introspection)");
    expect(row?.seen.access_token.map((h) => h.role)).toEqual(["this browser", "the relay", "the provider"]);
    expect(row?.seen.refresh_token).toEqual([]);
    expect(row?.seen.client_secret.map((h) => h.role)).toEqual(["the relay", "the provider"]);
  });
});
