/**
 * "Try the API" below the page: the request editor's parsing, samples filled from what a connection
 * knows, curl, and what history, the timeline, the credential trail and the diagnostic bundle keep of a
 * call (never the token, never a body, no query values).
 */
import { describe, expect, it } from "vitest";
import {
  answerFacts,
  curlCommand,
  fillSample,
  jsonBodyProblem,
  parseHeaderLines,
  valueAt,
  whatItMayChange,
  withoutQueryValues,
} from "../../src/oauth/api-call.ts";
import { quickbooks } from "../../src/providers/quickbooks.ts";
import { xero } from "../../src/providers/xero.ts";
import type { Envelope } from "../../src/relay/contract.ts";
import { buildDiagnosticBundle } from "../../src/store/bundle.ts";
import { credentialTrail } from "../../src/store/credential-trail.ts";
import { apiSummary, historyEnvelope } from "../../src/store/lifecycle/api-call.ts";
import { event, newConnection } from "../../src/store/lifecycle/shared.ts";
import { MARK_STYLES, markKind } from "../../src/store/timeline/marks.ts";
import type { TimelineEvent } from "../../src/store/timeline/source.ts";

const TOKEN = "at-unit-Qw3/e+r=";

describe("the request editor", () => {
  it("reads Name: value lines and names the line at fault", () => {
    expect(parseHeaderLines("Accept: application/json\n\nXero-Tenant-Id:  t-1 ")).toEqual({
      ok: true,
      headers: { Accept: "application/json", "Xero-Tenant-Id": "t-1" },
    });
    expect(parseHeaderLines("Accept application/json")).toEqual({
      ok: false,
      problem: 'Header line 1 is not "Name: value": "Accept application/json".',
    });
    expect(parseHeaderLines("A: 1\na: 2")).toMatchObject({
      ok: false,
      problem: expect.stringContaining("twice (line 2)"),
    });
  });

  it("checks a JSON body only when Content-Type says JSON, and says where it broke", () => {
    expect(jsonBodyProblem('{"a":1}', "application/json")).toBeNull();
    expect(jsonBodyProblem("not json", "text/plain")).toBeNull();
    expect(jsonBodyProblem('{\n  "a": 1,\n}', "application/vnd.api+json; charset=utf-8")).toMatch(
      /^The body is not valid JSON: the parser stopped at line 3, column 1\./,
    );
  });

  it("says what each writing method may change", () => {
    expect(whatItMayChange("DELETE", "https://api.example.test/v2/invoices/7?x=1", "FreeAgent")).toBe(
      "A DELETE may remove what api.example.test/v2/invoices/7 names at FreeAgent, for good, as the user who authorized this token.",
    );
    expect(whatItMayChange("PATCH", "not a url", "X")).toContain("not a url");
  });
});

describe("samples", () => {
  it("fill QuickBooks' realmId from the redirect's parameters", () => {
    const sample = quickbooks.api?.samples[0];
    if (sample === undefined) throw new Error("no sample");
    const bases = ["https://sandbox-quickbooks.api.intuit.com/v3/"];
    expect(fillSample(sample, bases, { callback: { realmId: "9130 35" }, answers: {} })).toEqual({
      ok: true,
      url: "https://sandbox-quickbooks.api.intuit.com/v3/company/9130%2035/companyinfo/9130%2035",
      headers: { Accept: "application/json" },
    });
    expect(fillSample(sample, bases, { callback: {}, answers: {} })).toMatchObject({
      ok: false,
      missing: [{ name: "realmId" }],
    });
  });

  it("fill Xero's tenant header from the /connections answer", () => {
    const sample = xero.api?.samples.find((s) => s.id === "organisation");
    if (sample === undefined) throw new Error("no sample");
    const answers = {
      connections: [{ tenantId: "70784a63-d24b-46a9-a4db-0e70a274b056", tenantName: "Demo" }],
    };
    expect(fillSample(sample, ["https://api.xero.com/"], { callback: {}, answers })).toEqual({
      ok: true,
      url: "https://api.xero.com/api.xro/2.0/Organisation",
      headers: { "Xero-Tenant-Id": "70784a63-d24b-46a9-a4db-0e70a274b056" },
    });
  });

  it("read values by dotted path, strings and numbers only", () => {
    const json = { a: [{ b: { c: "x" } }, { n: 7 }], o: { toString: "no" } };
    expect(valueAt(json, "a.0.b.c")).toBe("x");
    expect(valueAt(json, "a.1.n")).toBe("7");
    expect(valueAt(json, "a.0.b")).toBeNull();
    expect(valueAt(json, "a.9.b")).toBeNull();
    expect(valueAt(json, "o.constructor")).toBeNull();
  });
});

describe("curl", () => {
  const request = {
    method: "POST" as const,
    url: "https://api.example.test/v1/notes?tag=a b",
    headers: { "Content-Type": "application/json" },
    body: `{"text":"it's"}`,
  };

  it("writes $ACCESS_TOKEN for the shell to expand, quoting everything else", () => {
    expect(curlCommand(request, null)).toBe(
      `curl -X POST 'https://api.example.test/v1/notes?tag=a b' -H "Authorization: Bearer $ACCESS_TOKEN" -H 'Accept: application/json' -H 'Content-Type: application/json' --data-raw '{"text":"it'\\''s"}'`,
    );
  });

  it("writes the real token only when given it, in single quotes", () => {
    expect(curlCommand({ ...request, method: "GET", body: null }, TOKEN)).toBe(
      `curl 'https://api.example.test/v1/notes?tag=a b' -H 'Authorization: Bearer ${TOKEN}' -H 'Accept: application/json' -H 'Content-Type: application/json'`,
    );
    expect(curlCommand({ ...request, method: "HEAD", body: null }, null)).toMatch(/^curl --head /);
  });
});

const ENVELOPE: Envelope = {
  sent: {
    method: "GET",
    url: "https://api.example.test/v2/users?email=dana@example.test&page=2",
    headers: {
      accept: "application/json",
      "user-agent": "tokendesk-relay/0.1",
      authorization: "Bearer [redacted]",
    },
    body: "",
  },
  upstream: {
    status: 302,
    headers: {
      "content-type": "application/json",
      location: "https://api.example.test/v2/next?cursor=c-9",
      "x-ratelimit-remaining": "99",
      "x-secret-header": "s-1",
    },
    body: JSON.stringify({ access_token: TOKEN, email: "dana@example.test" }),
  },
  ms: 12,
};

describe("what is kept of a call", () => {
  it("keeps the method, the URL without query values, the status and the time; never a body", () => {
    const kept = historyEnvelope(ENVELOPE);
    expect(kept).toEqual({
      sent: {
        method: "GET",
        url: "https://api.example.test/v2/users?email=[…]&page=[…]",
        headers: ENVELOPE.sent.headers,
        body: "",
      },
      upstream: {
        status: 302,
        headers: {
          "content-type": "application/json",
          location: "https://api.example.test/v2/next?cursor=[…]",
          "x-ratelimit-remaining": "99",
        },
        body: "",
      },
      ms: 12,
    });
    expect(withoutQueryValues("https://a.test/x?y#z")).toBe("https://a.test/x?[…]");
    expect(
      apiSummary(
        { method: "GET", url: ENVELOPE.sent.url, headers: {}, body: null },
        { kind: "envelope", envelope: ENVELOPE },
      ),
    ).toBe("API call GET https://api.example.test/v2/users?email=[…]&page=[…]: 302 in 12 ms.");
    expect(
      apiSummary(
        { method: "DELETE", url: "https://a.test/x?id=1", headers: {}, body: null },
        {
          kind: "unknown",
          status: 504,
          sent: null,
          error: { error: "upstream_timeout", error_description: "" },
        },
      ),
    ).toBe(
      "API call DELETE https://a.test/x?id=[…]: outcome unknown (upstream_timeout); the API may or may not have carried it out.",
    );
  });

  it("is an API mark on the timeline, and the access token's trail to the API host", async () => {
    const line = event("c1", Date.parse("2026-01-02T03:04:05Z"), "api", "API call GET …: 302 in 12 ms.", {
      exchange: historyEnvelope(ENVELOPE),
    });
    const drawn: TimelineEvent = {
      ref: line.id,
      at: line.at,
      type: line.type,
      summary: line.summary,
      refreshTokenFingerprint: null,
      previousRefreshTokenFingerprint: null,
      answer: null,
      sentBody: null,
    };
    expect(markKind(drawn)).toBe("api");
    expect(MARK_STYLES.api).toMatchObject({ one: "API call", failure: false });
    const shapes = Object.values(MARK_STYLES).map((s) => s.shape);
    expect(new Set(shapes).size, "each kind has its own shape").toBe(shapes.length);

    const connection = {
      ...newConnection("c1", Date.now(), { clientId: "demo", provider: "demo" }),
      tokenSet: {
        accessToken: TOKEN,
        tokenType: "Bearer",
        scope: null,
        refreshToken: null,
        idToken: null,
        receivedAt: 0,
        accessExpiresAt: null,
        refreshExpiresAt: null,
        refreshExpirySource: "none" as const,
        refreshReceivedAt: null,
        raw: {},
      },
    };
    const bundle = await buildDiagnosticBundle(connection, [line], {
      now: Date.now(),
      client: null,
      appOrigin: "http://127.0.0.1:5173",
      relayBase: "/relay",
    });
    const text = JSON.stringify(bundle);
    for (const secret of [TOKEN, encodeURIComponent(TOKEN), "dana@example.test", "c-9", "s-1"]) {
      expect(text.includes(secret), secret).toBe(false);
    }
    const entry = bundle.log.entries[0];
    expect(entry?.event.type).toBe("api");
    expect(entry?.request?.url).toBe("https://api.example.test/v2/users?email=[…]&page=[…]");
    expect(entry?.request?.headers).toContainEqual({ name: "authorization", value: "Bearer [redacted]" });
    expect(entry?.response?.status).toBe(302);

    const [row] = credentialTrail(bundle);
    expect(row?.step).toBe("GET api.example.test/v2/users (API call)");
    expect(row?.seen.access_token.map((h) => h.role)).toEqual(["this browser", "the relay", "the provider"]);
    expect(row?.seen.client_secret).toEqual([]);
  });

  it("reads an answer's facts: size in bytes, JSON by type or by look, and a cut body as text", () => {
    const json = answerFacts({
      ...ENVELOPE,
      upstream: { ...ENVELOPE.upstream, status: 200, body: '{"é":1}' },
    });
    expect(json).toMatchObject({ status: 200, ms: 12, bytes: 8, json: { é: 1 }, truncated: false });
    const cut = answerFacts({ ...ENVELOPE, truncated: true });
    expect(cut.json).toBeUndefined();
    expect(cut.truncated).toBe(true);
  });
});
