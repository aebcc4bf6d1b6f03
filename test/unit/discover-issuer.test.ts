/**
 * discoverIssuer with redirects: the page follows what the browser followed only when the shared rule
 * allows where it ended; the relay's envelope says what it followed or refused; and when nothing is
 * found, the most telling reason is the one shown.
 */
import { describe, expect, it } from "vitest";
import { discoverIssuer } from "../../src/oauth/discover.ts";
import type { RelayLookups, RelayTokenResult } from "../../src/oauth/relay-client.ts";
import type { Envelope } from "../../src/relay/contract.ts";

const ISSUER = "https://auth.example.test/o";
const OPENID = `${ISSUER}/.well-known/openid-configuration`;
const RFC8414 = "https://auth.example.test/.well-known/oauth-authorization-server/o";
const META = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize/`,
  token_endpoint: `${ISSUER}/token/`,
};

/** A response as fetch gives it after following redirects: `redirected` and `url` set. */
function _followed(url: string, status: number, body: string): Response {
  const response = new Response(body, { status });
  Object.defineProperty(response, "redirected", { value: true });
  Object.defineProperty(response, "url", { value: url });
  return response;
}

function _hop(url: string, status: number, body: string): Envelope {
  return {
    sent: { method: "GET", url, headers: {}, body: "" },
    upstream: { status, headers: {}, body },
    ms: 1,
  };
}

function _lookups(answers: RelayTokenResult[]) {
  const calls: unknown[] = [];
  const lookups: RelayLookups = {
    probe: async () => {
      throw new Error("no probe here");
    },
    introspect: async () => {
      throw new Error("no introspection here");
    },
    jwks: async () => {
      throw new Error("no JWKS here");
    },
    discover: async (request) => {
      calls.push(request);
      return answers.shift() ?? { kind: "envelope", envelope: _hop("", 404, "") };
    },
  };
  return { lookups, calls };
}

const CORS_FAILURE = async (): Promise<Response> => {
  throw new TypeError("Failed to fetch");
};

describe("discoverIssuer from the page", () => {
  it("reads the document the browser reached by one trailing-slash redirect", async () => {
    const { lookups, calls } = _lookups([]);
    const result = await discoverIssuer(ISSUER, {
      fetch: async () => _followed(`${OPENID}/`, 200, JSON.stringify(META)),
      lookups,
    });
    expect(result).toMatchObject({ ok: true, via: "browser", url: OPENID, redirectedTo: `${OPENID}/` });
    expect(result.attempts).toEqual([
      {
        url: OPENID,
        via: "browser",
        outcome: `redirected to ${OPENID}/ (a trailing slash added), then 200`,
      },
    ]);
    expect(calls).toEqual([]);
  });

  it("reads nothing from where a redirect to another origin ended, and says why", async () => {
    const { lookups, calls } = _lookups([]);
    const read: string[] = [];
    const result = await discoverIssuer(ISSUER, {
      fetch: async (url) => {
        read.push(String(url));
        return String(url) === OPENID
          ? _followed("https://evil.example.test/metadata", 200, JSON.stringify(META))
          : new Response("", { status: 404 });
      },
      lookups,
    });
    const why =
      "The issuer redirects its metadata to https://evil.example.test/metadata, on another host (evil.example.test, not auth.example.test); tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin.";
    expect(result).toEqual({
      ok: false,
      problem: why,
      attempts: [
        { url: OPENID, via: "browser", outcome: `redirected, not read: ${why}` },
        { url: RFC8414, via: "browser", outcome: "404" },
      ],
    });
    expect(read).toEqual([OPENID, RFC8414]);
    // The relay would meet the same redirect: it is not asked.
    expect(calls).toEqual([]);
  });

  it("refuses a redirect that ended on the same URL (hops the page cannot see)", async () => {
    const { lookups } = _lookups([]);
    const result = await discoverIssuer(ISSUER, {
      fetch: async (url) => _followed(String(url), 200, JSON.stringify(META)),
      lookups,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/^The issuer redirects its metadata to the same URL/);
  });
});

describe("discoverIssuer through the relay", () => {
  it("reads what the relay read after following one redirect, and shows both statuses", async () => {
    const followed: Envelope = {
      ..._hop(`${OPENID}/`, 200, JSON.stringify(META)),
      redirected_from: _hop(OPENID, 301, ""),
    };
    const { lookups, calls } = _lookups([{ kind: "envelope", envelope: followed }]);
    const result = await discoverIssuer(ISSUER, { fetch: CORS_FAILURE, lookups });
    expect(result).toMatchObject({ ok: true, via: "relay", url: OPENID, redirectedTo: `${OPENID}/` });
    expect(result.attempts).toEqual([
      { url: OPENID, via: "browser", outcome: "not readable from the page (no CORS, or unreachable)" },
      { url: OPENID, via: "relay", outcome: `301 to ${OPENID}/, then 200` },
    ]);
    expect(calls).toEqual([{ issuer: ISSUER, well_known: "openid-configuration" }]);
  });

  it("shows the relay's refusal of a redirect as the problem, and a second redirect after the first", async () => {
    const crossOrigin = "The issuer redirects its metadata to https://evil.example.test/, on another host.";
    const again = "The issuer redirects its metadata again, to somewhere.";
    const { lookups } = _lookups([
      { kind: "envelope", envelope: { ..._hop(OPENID, 302, ""), redirect_refused: crossOrigin } },
      {
        kind: "envelope",
        envelope: {
          ..._hop(`${RFC8414}/`, 301, ""),
          redirected_from: _hop(RFC8414, 301, ""),
          redirect_refused: again,
        },
      },
    ]);
    const result = await discoverIssuer(ISSUER, { fetch: CORS_FAILURE, lookups });
    expect(result).toMatchObject({ ok: false, problem: crossOrigin });
    expect(result.attempts.filter((a) => a.via === "relay")).toEqual([
      { url: OPENID, via: "relay", outcome: `302, not followed: ${crossOrigin}` },
      { url: RFC8414, via: "relay", outcome: `301 to ${RFC8414}/, then 301, not followed: ${again}` },
    ]);
  });
});

describe("discoverIssuer when nothing fits", () => {
  it("shows a document naming another issuer over a later 404, with the issuer to discover instead", async () => {
    const { lookups } = _lookups([]);
    const result = await discoverIssuer(`${ISSUER}/`, {
      fetch: async (url) =>
        String(url) === OPENID
          ? new Response(JSON.stringify(META), { status: 200 })
          : new Response("", { status: 404 }),
      lookups,
    });
    expect(result).toMatchObject({
      ok: false,
      problem: expect.stringMatching(
        /^The metadata names issuer https:\/\/auth\.example\.test\/o, not https:\/\/auth\.example\.test\/o\/: they differ in the trailing slash/,
      ),
      mismatch: { named: ISSUER, suggestion: ISSUER },
    });
  });

  it("shows the relay's refusal when it is all there is", async () => {
    const refusal: RelayTokenResult = {
      kind: "refused",
      status: 400,
      error: {
        error: "issuer_not_allowed",
        error_description: "This relay does not fetch from loopback hosts.",
      },
    };
    const { lookups } = _lookups([refusal, refusal]);
    const result = await discoverIssuer(ISSUER, { fetch: CORS_FAILURE, lookups });
    expect(result).toMatchObject({ ok: false, problem: "This relay does not fetch from loopback hosts." });
  });
});
