/**
 * Relay cases: discovery (RFC 8414, OpenID Connect Discovery) and the one redirect it follows. The
 * recording upstream plays issuers under paths of its own (`/slash`, `/elsewhere`…), each answering its
 * well-known documents the way some real server does; the relay is reached on loopback, since it
 * fetches loopback issuers only then.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { expect } from "vitest";
import type { Envelope } from "../../../src/relay/contract.ts";
import type { _Case, _CaseRequest, _Seen } from "../_cases.ts";
import { _envelope } from "../_helpers.ts";
import { _escape, one, refused } from "./_build.ts";

const OPENID = "/.well-known/openid-configuration";
const RFC8414 = "/.well-known/oauth-authorization-server";
const ONLY = "tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin.";

/** Metadata naming `issuer`, as the server at `origin` publishes it. */
function _metadata(origin: string, issuer: string): string {
  return JSON.stringify({
    issuer: `${origin}${issuer}`,
    authorization_endpoint: `${origin}${issuer}/authorize/`,
    token_endpoint: `${origin}${issuer}/token/`,
  });
}

/**
 * The upstream's discovery documents; false when `req` asks for none of them. `elsewhere` is another
 * origin that must never be reached.
 */
export function _answerDiscovery(req: IncomingMessage, res: ServerResponse, elsewhere: string): boolean {
  const origin = `http://${req.headers.host ?? ""}`;
  const redirect = (status: number, location?: string) => {
    res.writeHead(status, location === undefined ? {} : { location });
    res.end();
  };
  const json = (issuer: string) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(_metadata(origin, issuer));
  };
  switch (req.url) {
    case `/plain${OPENID}`:
      json("/plain");
      return true;
    // Django's APPEND_SLASH: a relative 301 to the same path plus a slash.
    case `/slash${OPENID}`:
      redirect(301, `/slash${OPENID}/`);
      return true;
    case `/slash${OPENID}/`:
      json("/slash");
      return true;
    // RFC 8414's form, with an absolute 308.
    case `${RFC8414}/slash`:
      redirect(308, `${origin}${RFC8414}/slash/`);
      return true;
    case `${RFC8414}/slash/`:
      json("/slash");
      return true;
    case `/elsewhere${OPENID}`:
      redirect(302, `${elsewhere}/elsewhere${OPENID}/`);
      return true;
    case `/login${OPENID}`:
      redirect(302, `/accounts/login/?next=/login${OPENID}`);
      return true;
    case `/query${OPENID}`:
      redirect(301, `/query${OPENID}/?format=json`);
      return true;
    case `/no-location${OPENID}`:
      redirect(301);
      return true;
    // Two hops: the slash, then somewhere else; and a loop back to where it started.
    case `/twice${OPENID}`:
      redirect(301, `/twice${OPENID}/`);
      return true;
    case `/twice${OPENID}/`:
      redirect(302, `/twice${OPENID}/v2`);
      return true;
    case `/loop${OPENID}`:
      redirect(301, `/loop${OPENID}/`);
      return true;
    case `/loop${OPENID}/`:
      redirect(301, `/loop${OPENID}`);
      return true;
    case `/reset-after${OPENID}`:
      redirect(301, `/reset-after${OPENID}/`);
      return true;
    case `/reset-after${OPENID}/`:
      req.socket.destroy();
      return true;
    default:
      return false;
  }
}

/** `POST /relay/discovery` of the upstream's issuer at `path`, reaching the relay on loopback. */
function discover(path: string, wellKnown = "openid-configuration", at: _CaseRequest["at"] = "loopback") {
  return {
    path: "/relay/discovery",
    at,
    // The upstream's origin is known only when the case runs: `{upstream}` stands for it.
    body: { issuer: `{upstream}${path}`, well_known: wellKnown },
  } satisfies _CaseRequest;
}

const LOG = (redirect: string, upstream = "\\d{3}") =>
  new RegExp(
    `^POST /relay/discovery 200 upstream=${upstream}${redirect === "" ? "" : ` redirect=${redirect}`} ms=\\d+$`,
  );

/** The received requests' paths, for exact counts per path. */
const paths = (seen: _Seen) => seen.received.map((r) => r.path);

function _followed(answer: { body: Record<string, unknown> | null }): Envelope & {
  redirected_from: NonNullable<Envelope["redirected_from"]>;
} {
  const envelope = _envelope(answer.body);
  const first = envelope.redirected_from;
  if (first === undefined) throw new Error("no redirected_from in the envelope");
  return { ...envelope, redirected_from: first };
}

export const CASES: readonly _Case[] = [
  one("reads a well-known document with one GET and no credentials", discover("/plain"), {
    status: 200,
    upstreamHits: 1,
    log: LOG("", "200"),
    check: (answer, seen) => {
      const envelope = _envelope(answer.body);
      expect(envelope.sent).toEqual({
        method: "GET",
        url: `${seen.upstreamOrigin}/plain${OPENID}`,
        headers: { accept: "application/json", "user-agent": "tokendesk-relay/0.1" },
        body: "",
      });
      expect(envelope.upstream.status).toBe(200);
      expect(envelope.redirected_from).toBeUndefined();
      expect(envelope.redirect_refused).toBeUndefined();
      expect(seen.received[0]?.headers.authorization).toBeUndefined();
      expect(seen.received[0]?.headers.cookie).toBeUndefined();
    },
  }),
  one(
    "follows Django's relative 301 to the same path plus a slash: two requests, both in the envelope",
    discover("/slash"),
    {
      status: 200,
      upstreamHits: 2,
      log: LOG("followed", "200"),
      check: (answer, seen) => {
        expect(paths(seen)).toEqual([`/slash${OPENID}`, `/slash${OPENID}/`]);
        const envelope = _followed(answer);
        expect(envelope.redirected_from.sent.url).toBe(`${seen.upstreamOrigin}/slash${OPENID}`);
        expect(envelope.redirected_from.upstream).toMatchObject({
          status: 301,
          headers: { location: `/slash${OPENID}/` },
        });
        expect(envelope.sent).toEqual({
          method: "GET",
          url: `${seen.upstreamOrigin}/slash${OPENID}/`,
          headers: { accept: "application/json", "user-agent": "tokendesk-relay/0.1" },
          body: "",
        });
        expect(envelope.upstream.status).toBe(200);
        expect(JSON.parse(envelope.upstream.body)).toMatchObject({ issuer: `${seen.upstreamOrigin}/slash` });
        expect(envelope.redirect_refused).toBeUndefined();
        expect(seen.received[1]?.headers.authorization).toBeUndefined();
      },
    },
  ),
  one(
    "follows an absolute 308 of the RFC 8414 document to its slash form",
    discover("/slash", "oauth-authorization-server"),
    {
      status: 200,
      upstreamHits: 2,
      log: LOG("followed", "200"),
      check: (answer, seen) => {
        expect(paths(seen)).toEqual([`${RFC8414}/slash`, `${RFC8414}/slash/`]);
        const envelope = _followed(answer);
        expect(envelope.redirected_from.upstream.status).toBe(308);
        expect(envelope.sent.url).toBe(`${seen.upstreamOrigin}${RFC8414}/slash/`);
      },
    },
  ),
  one("refuses a redirect to another origin, naming it, and never calls it", discover("/elsewhere"), {
    status: 200,
    upstreamHits: 1,
    log: LOG("refused", "302"),
    check: (answer) => {
      const envelope = _envelope(answer.body);
      expect(envelope.upstream.status).toBe(302);
      expect(envelope.redirected_from).toBeUndefined();
      expect(envelope.redirect_refused).toMatch(
        new RegExp(
          `^The issuer redirects its metadata to http://127\\.0\\.0\\.1:\\d+/elsewhere${_escape(OPENID)}/, on another port \\(\\d+, not \\d+\\); ${_escape(ONLY)}$`,
        ),
      );
    },
  }),
  ...(
    [
      ["a login page on the same origin", "/login", `another path on the same origin; ${ONLY}`],
      [
        "the slash form with a query added",
        "/query",
        `which adds a query (?format=json); tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin, with the query unchanged.`,
      ],
    ] as const
  ).map(([name, path, ending]) =>
    one(`refuses a redirect to ${name}, with one request`, discover(path), {
      status: 200,
      upstreamHits: 1,
      log: LOG("refused", "30\\d"),
      check: (answer, seen) => {
        expect(paths(seen)).toEqual([`${path}${OPENID}`]);
        expect(_envelope(answer.body).redirect_refused).toMatch(new RegExp(`${_escape(ending)}$`));
      },
    }),
  ),
  one("says a redirect without a Location leads nowhere", discover("/no-location"), {
    status: 200,
    upstreamHits: 1,
    log: LOG("refused", "301"),
    check: (answer) => {
      expect(_envelope(answer.body).redirect_refused).toBe(
        "The issuer answered with a redirect but no Location header, so there is nowhere to follow.",
      );
    },
  }),
  ...(
    [
      ["a slash redirect, then another path", "/twice", `/twice${OPENID}/v2`, 302],
      ["a slash redirect, then back again", "/loop", `/loop${OPENID}`, 301],
    ] as const
  ).map(([name, path, target, status]) =>
    one(`refuses a second redirect after two requests: ${name}`, discover(path), {
      status: 200,
      upstreamHits: 2,
      log: LOG("followed,refused", String(status)),
      check: (answer, seen) => {
        // The second redirect's target is never asked for, even when it was asked for before.
        expect(paths(seen)).toEqual([`${path}${OPENID}`, `${path}${OPENID}/`]);
        const envelope = _followed(answer);
        expect(envelope.redirected_from.upstream.status).toBe(301);
        expect(envelope.upstream.status).toBe(status);
        expect(envelope.redirect_refused).toBe(
          `The issuer redirects its metadata again, to ${seen.upstreamOrigin}${target}; tokendesk follows one redirect at most (a trailing slash added or removed, on the same origin).`,
        );
      },
    }),
  ),
  one("answers 502 when the redirect's target resets, naming both URLs", discover("/reset-after"), {
    status: 502,
    error: "upstream_unreachable",
    upstreamHits: 2,
    log: /^POST \/relay\/discovery 502 error=upstream_unreachable upstream=301 redirect=followed ms=\d+$/,
    check: (answer, seen) => {
      expect(answer.body?.error_description).toMatch(
        new RegExp(
          `^The metadata URL ${_escape(`${seen.upstreamOrigin}/reset-after${OPENID}/`)} \\(where ${_escape(`${seen.upstreamOrigin}/reset-after${OPENID}`)} redirected\\) could not be reached \\(.+\\)\\.$`,
        ),
      );
      // A GET spends nothing: no "outcome unknown".
      expect(answer.body?.outcome).toBeUndefined();
      expect(answer.body).toMatchObject({ sent: { url: `${seen.upstreamOrigin}/reset-after${OPENID}/` } });
    },
  }),
  refused(
    "refuses a loopback issuer when the relay is reached by a public name",
    discover("/plain", "openid-configuration", "public"),
    400,
    "issuer_not_allowed",
    {
      log: /^POST \/relay\/discovery 400 error=issuer_not_allowed ms=\d+$/,
      check: (answer) =>
        expect(answer.body?.error_description).toBe(
          "This relay does not fetch from loopback hosts: it was not reached on one of its own loopback addresses. Fetch a local issuer's metadata from the page instead.",
        ),
    },
  ),
];
