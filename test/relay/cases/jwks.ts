/**
 * Relay cases: `POST /relay/jwks`, the issuer's signing keys for ID tokens. The relay reads only the
 * client's configured `jwks_uri`, or the one its issuer's OpenID metadata names; GETs, no credentials,
 * no redirects followed, at most 64 KiB. The upstream's JWKS behaviours and the clients that point at
 * them live here too, so the runner only hooks them in.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { expect } from "vitest";
import type { RelayClientConfig } from "../../../src/relay/config.ts";
import type { JwksEnvelope } from "../../../src/relay/contract.ts";
import type { _Case, _CaseRequest } from "../_cases.ts";
import { _ALLOWED_ORIGIN, _DEMO, _envelope, _SPECIAL } from "../_helpers.ts";
import { one, refused } from "./_build.ts";

/** The JWK Set the upstream publishes (the relay passes it through unread). */
export const _JWKS_BODY = JSON.stringify({
  keys: [{ kty: "RSA", kid: "case-key-1", use: "sig", alg: "RS256", n: "sXch", e: "AQAB" }],
});

/** An issuer's metadata, per path: `/issuer-<name>/.well-known/openid-configuration`. */
function _metadata(name: string, self: string): { status: number; body: string; location?: string } {
  const issuer = `${self}/issuer-${name}`;
  switch (name) {
    case "ok":
      return { status: 200, body: JSON.stringify({ issuer, jwks_uri: `${self}/jwks` }) };
    case "other":
      return {
        status: 200,
        body: JSON.stringify({ issuer: "https://other.example.test", jwks_uri: `${self}/jwks` }),
      };
    case "http":
      return { status: 200, body: JSON.stringify({ issuer, jwks_uri: "http://keys.example.test/jwks" }) };
    case "none":
      return { status: 200, body: JSON.stringify({ issuer }) };
    case "redirect":
      return { status: 302, body: "", location: "{elsewhere}/steal" };
    default:
      return { status: 404, body: "not found" };
  }
}

/**
 * Answers the JWKS paths of the recording upstream, or returns false for any other path. `elsewhere`
 * is the host a redirect points to, which must never be called.
 */
export function _answerJwks(req: IncomingMessage, res: ServerResponse, elsewhere: string): boolean {
  const self = `http://${req.headers.host ?? "127.0.0.1"}`;
  const path = req.url ?? "";
  if (path === "/jwks") {
    res.writeHead(200, { "content-type": "application/jwk-set+json", "set-cookie": "keys=1" });
    res.end(_JWKS_BODY);
    return true;
  }
  if (path === "/jwks-huge") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(`{"keys":[],"pad":"${"k".repeat(100 * 1024)}"}`);
    return true;
  }
  const issuer = /^\/issuer-([a-z]+)\/\.well-known\/openid-configuration$/.exec(path)?.[1];
  if (issuer === undefined) return false;
  const answer = _metadata(issuer, self);
  res.writeHead(answer.status, {
    "content-type": "application/json",
    ...(answer.location === undefined ? {} : { location: answer.location.replace("{elsewhere}", elsewhere) }),
  });
  res.end(answer.body);
  return true;
}

/** The clients the JWKS cases name, added to the main relay's configuration. */
export function _jwksClients(upstream: string, closedPort: number): RelayClientConfig[] {
  const { issuer: _issuer, ...demo } = _DEMO;
  const at = (id: string, extra: Partial<RelayClientConfig>): RelayClientConfig => ({
    ...demo,
    id,
    token_endpoint: `${upstream}/token`,
    ...extra,
  });
  return [
    at("keys", { jwks_uri: `${upstream}/jwks` }),
    at("keys-huge", { jwks_uri: `${upstream}/jwks-huge` }),
    at("keys-redirect", { jwks_uri: `${upstream}/redirect-302` }),
    at("keys-unreachable", { jwks_uri: `http://127.0.0.1:${closedPort}/jwks` }),
    ...["ok", "other", "http", "none", "redirect", "missing"].map((name) =>
      at(`keys-issuer-${name}`, { issuer: `${upstream}/issuer-${name}` }),
    ),
    // No jwks_uri and no issuer: nothing to read.
    { ..._SPECIAL, id: "keys-none" },
  ];
}

const jwks = (body: unknown, extra: Partial<_CaseRequest> = {}): _CaseRequest => ({
  path: "/relay/jwks",
  body,
  ...extra,
});

/** A JWKS request the relay refuses after reading the issuer's metadata, naming why. */
function undiscovered(name: string, issuer: string, why: RegExp): _Case {
  return one(name, jwks({ client: `keys-issuer-${issuer}` }), {
    status: 502,
    error: "jwks_discovery_failed",
    upstreamHits: 1,
    log: new RegExp(
      `^POST /relay/jwks 502 error=jwks_discovery_failed client=keys-issuer-${issuer} upstream=\\d{3} ms=\\d+$`,
    ),
    check: (answer, seen) => {
      expect(seen.received.map((r) => r.path)).toEqual([
        `/issuer-${issuer}/.well-known/openid-configuration`,
      ]);
      expect(answer.body?.error_description).toMatch(why);
      expect(answer.body?.outcome).toBeUndefined();
      expect(answer.body?.sent).toMatchObject({ method: "GET" });
    },
  });
}

export const CASES: readonly _Case[] = [
  one(
    "reads a configured jwks_uri with one GET, without credentials, and passes the keys through",
    jwks({ client: "keys" }),
    {
      status: 200,
      upstreamHits: 1,
      log: /^POST \/relay\/jwks 200 client=keys upstream=200 ms=\d+$/,
      check: (answer, seen) => {
        const received = seen.received[0];
        expect(received?.path).toBe("/jwks");
        expect(received?.body).toBe("");
        expect(received?.headers.authorization).toBeUndefined();
        expect(received?.headers.cookie).toBeUndefined();
        expect(received?.headers.accept).toBe("application/jwk-set+json, application/json");
        const envelope = _envelope(answer.body) as JwksEnvelope;
        expect(envelope.sent).toEqual({
          method: "GET",
          url: `${seen.upstreamOrigin}/jwks`,
          headers: {
            accept: "application/jwk-set+json, application/json",
            "user-agent": "tokendesk-relay/0.1",
          },
          body: "",
        });
        expect(envelope.upstream).toMatchObject({ status: 200, body: _JWKS_BODY });
        expect(envelope.upstream.headers["set-cookie"]).toBeUndefined();
        expect(envelope.metadata).toBeUndefined();
      },
    },
  ),
  one(
    "finds the jwks_uri in the issuer's OpenID metadata when none is configured, then reads it",
    jwks({ client: "keys-issuer-ok" }),
    {
      status: 200,
      upstreamHits: 2,
      log: /^POST \/relay\/jwks 200 client=keys-issuer-ok upstream=200 ms=\d+$/,
      check: (answer, seen) => {
        expect(seen.received.map((r) => r.path)).toEqual([
          "/issuer-ok/.well-known/openid-configuration",
          "/jwks",
        ]);
        const envelope = _envelope(answer.body) as JwksEnvelope;
        expect(envelope.sent.url).toBe(`${seen.upstreamOrigin}/jwks`);
        expect(envelope.upstream.body).toBe(_JWKS_BODY);
        expect(envelope.metadata?.sent).toMatchObject({
          method: "GET",
          url: `${seen.upstreamOrigin}/issuer-ok/.well-known/openid-configuration`,
        });
        expect(envelope.metadata?.upstream.status).toBe(200);
      },
    },
  ),
  one(
    "lets a page on an allowed origin read the keys (CORS)",
    jwks({ client: "keys" }, { headers: { origin: _ALLOWED_ORIGIN } }),
    {
      status: 200,
      upstreamHits: 1,
      check: (answer) => expect(answer.headers["access-control-allow-origin"]).toBe(_ALLOWED_ORIGIN),
    },
  ),
  refused(
    "refuses a client with neither jwks_uri nor issuer, calling nobody",
    jwks({ client: "keys-none" }),
    400,
    "jwks_unknown",
    {
      log: /^POST \/relay\/jwks 400 error=jwks_unknown client=keys-none ms=\d+$/,
      check: (answer) =>
        expect(answer.body?.error_description).toBe(
          'Client "keys-none" has no jwks_uri and no issuer to discover one from, and the relay reads no other URL. Add "jwks_uri" (or "issuer") to the client in TOKENDESK_CLIENTS.',
        ),
    },
  ),
  undiscovered(
    "does not trust metadata that names another issuer",
    "other",
    /names the issuer "https:\/\/other\.example\.test"/,
  ),
  undiscovered("reads no jwks_uri over http off loopback", "http", /names a jwks_uri that must use https/),
  undiscovered("says so when the metadata names no jwks_uri", "none", /names no "jwks_uri"/),
  undiscovered("says so when the issuer publishes no metadata", "missing", /answered 404/),
  undiscovered("does not follow a redirect from the metadata URL", "redirect", /answered 302/),
  one("stops reading keys larger than 64 KiB", jwks({ client: "keys-huge" }), {
    status: 502,
    error: "upstream_response_too_large",
    upstreamHits: 1,
    check: (answer) => {
      expect(answer.body?.error_description).toMatch(
        /with a body larger than 65536 bytes; the relay stopped reading\.$/,
      );
      // A read spends nothing: there is no unknown outcome to warn about.
      expect(answer.body?.outcome).toBeUndefined();
    },
  }),
  one("reports a redirect from the jwks_uri without following it", jwks({ client: "keys-redirect" }), {
    status: 200,
    upstreamHits: 1,
    check: (answer) => {
      expect(_envelope(answer.body).upstream).toMatchObject({
        status: 302,
        headers: { location: expect.stringMatching(/\/steal$/) },
      });
    },
  }),
  one("says the keys could not be reached, with no unknown outcome", jwks({ client: "keys-unreachable" }), {
    status: 502,
    error: "upstream_unreachable",
    upstreamHits: 0,
    check: (answer) => {
      expect(answer.body?.error_description).toMatch(
        /^The JWKS http:\/\/127\.0\.0\.1:\d+\/jwks could not be reached/,
      );
      expect(answer.body?.outcome).toBeUndefined();
      expect(answer.body?.sent).toMatchObject({ method: "GET" });
    },
  }),
  {
    name: "reads no URL a caller names and takes no credentials, calling nobody",
    steps: [
      {
        request: jwks({ client: "keys", jwks_uri: "https://evil.example.test/keys" }),
        status: 400,
        error: "invalid_request",
        upstreamHits: 0,
        check: (answer) => expect(answer.body?.error_description).toMatch(/^Unknown field "jwks_uri"/),
      },
      {
        request: jwks({ client: "keys", client_secret: "guess" }),
        status: 400,
        error: "credentials_not_allowed",
        upstreamHits: 0,
      },
      {
        request: jwks({ client: "keys" }, { headers: { authorization: "Basic Z3Vlc3M6Z3Vlc3M=" } }),
        status: 400,
        error: "credentials_not_allowed",
        upstreamHits: 0,
      },
      { request: jwks(["keys"]), status: 400, error: "invalid_request", upstreamHits: 0 },
      { request: jwks({ client: "nope" }), status: 400, error: "unknown_client", upstreamHits: 0 },
    ],
  },
  refused(
    "answers 405 with Allow for GET /relay/jwks",
    { method: "GET", path: "/relay/jwks" },
    405,
    "method_not_allowed",
    {
      check: (answer) => expect(answer.headers.allow).toBe("POST, OPTIONS"),
    },
  ),
];
