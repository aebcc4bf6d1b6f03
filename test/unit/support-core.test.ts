/**
 * The support desk's pure core, where the component tests do not reach: the .env form of an export,
 * origin guesses from endpoints and token shapes, clock skew from Date headers, and a refresh token's
 * state from the evidence alone.
 */
import { describe, expect, it } from "vitest";
import { assessRefreshToken, classifyFailure, clockSkew, rankCauses } from "../../src/oauth/causes.ts";
import { sameRequestForm } from "../../src/oauth/explain.ts";
import { guessOrigin, inspectPaste, parseEnvLines } from "../../src/oauth/inspect.ts";
import { readJwt } from "../../src/oauth/jwt.ts";
import { freshbooks } from "../../src/providers/freshbooks.ts";
import { findRecipe, recipes } from "../../src/providers/index.ts";

const T = Date.UTC(2026, 10, 23, 12, 0, 0);

describe("inspectPaste", () => {
  it("reads the hand-off's .env lines as an exported connection, quoted values included", () => {
    const env = [
      "# FreeAgent: refresh with grant_type=refresh_token at the token endpoint.",
      "OAUTH_TOKEN_ENDPOINT=https://api.sandbox.freeagent.com/v2/token_endpoint",
      "OAUTH_CLIENT_ID=fa-client",
      "OAUTH_CLIENT_SECRET=<your client secret>",
      "OAUTH_REFRESH_POLICY=rotating",
      'OAUTH_REFRESH_TOKEN="1 2=3"',
      "OAUTH_REFRESH_TOKEN_EXPIRES_AT=2046-11-23T12:00:00.000Z",
      "OAUTH_ACCESS_TOKEN=at-123456",
      "OAUTH_ACCESS_TOKEN_EXPIRES_AT=",
    ].join("\n");
    const inspection = inspectPaste(env);
    expect(inspection.kind).toBe("handoff");
    expect(inspection.containsSecret).toBe(false);
    expect(inspection.tokens.map((t) => [t.role, t.value])).toEqual([
      ["access_token", "at-123456"],
      ["refresh_token", "1 2=3"],
    ]);
    expect(inspection.facts.refreshExpiresAt).toBe(Date.UTC(2046, 10, 23, 12, 0, 0));
    const [first] = guessOrigin(inspection, [], recipes);
    expect(first?.recipeId).toBe("freeagent");
    expect(first?.reasons).toContain("Its token endpoint is on api.sandbox.freeagent.com, a FreeAgent host.");
  });

  it("refuses lines that are not KEY=value", () => {
    expect(parseEnvLines("OAUTH_REFRESH_TOKEN=x\nnot a line")).toBeNull();
  });

  it("names GitHub App tokens by their prefixes", () => {
    const guesses = guessOrigin(
      inspectPaste('{"access_token":"ghu_abc","refresh_token":"ghr_def"}'),
      [],
      recipes,
    );
    expect(guesses[0]?.recipeId).toBe("github-app");
    expect(guesses[0]?.reasons).toEqual([
      "The access token looks like a GitHub App user access token (ghu_ prefix).",
      "The refresh token looks like a GitHub App refresh token (ghr_ prefix).",
    ]);
  });

  it("reads the RFC 7519 example JWT's claims", () => {
    // RFC 7519 §3.1, whose header is {"typ":"JWT",\r\n "alg":"HS256"}.
    const reading = readJwt(
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    );
    expect(reading.kind).toBe("jwt");
    if (reading.kind !== "jwt") return;
    expect(reading.jwt.issuer).toBe("joe");
    expect(reading.jwt.expiresAt).toBe(1_300_819_380_000);
    expect(reading.jwt.algorithm).toBe("HS256");
  });
});

describe("clockSkew", () => {
  it("takes the median of Date headers against the middle of each round trip", () => {
    const at = (offset: number, ms: number) => ({
      receivedAt: T + ms,
      ms,
      headers: { date: new Date(T + ms / 2 + offset).toUTCString() },
    });
    expect(clockSkew([at(120_000, 2000), at(121_000, 4000), at(600_000, 6000)])).toBe(121_000);
    expect(clockSkew([{ receivedAt: T, ms: 0, headers: {} }])).toBeNull();
  });
});

describe("classifyFailure", () => {
  it("tells FreeAgent's HTML 401 from an OAuth error, and reads GitHub's form-encoded errors", () => {
    expect(
      classifyFailure({
        status: 401,
        headers: { "content-type": "text/html" },
        body: "HTTP Basic: Access denied.\n",
      }).kind,
    ).toBe("html_401");
    expect(
      classifyFailure({
        status: 200,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "error=redirect_uri_mismatch&error_description=The+redirect_uri+MUST+match",
      }),
    ).toEqual({
      kind: "redirect_uri_mismatch",
      error: "redirect_uri_mismatch",
      description: "The redirect_uri MUST match",
    });
    expect(
      classifyFailure({ status: 429, headers: {}, body: "You must not exceed 15 requests per 60 seconds" })
        .kind,
    ).toBe("rate_limited");
  });
});

describe("assessRefreshToken", () => {
  it("calls a FreshBooks refresh token spent once its access token is refused before expiry, usable while it works", () => {
    const base = { grantType: "refresh_token" as const, recipe: freshbooks };
    expect(
      assessRefreshToken({ ...base, probe: { status: 401, at: T, accessExpiresAt: T + 3_600_000 } }, T).state,
    ).toBe("spent");
    expect(
      assessRefreshToken({ ...base, probe: { status: 200, at: T, accessExpiresAt: T + 3_600_000 } }, T).state,
    ).toBe("probably-usable");
    // An access token past its expiry says nothing about the refresh token.
    expect(
      assessRefreshToken({ ...base, probe: { status: 401, at: T, accessExpiresAt: T - 1000 } }, T).state,
    ).toBe("unknown");
  });
});

describe("sameRequestForm", () => {
  const _sent = (body: string, headers: Record<string, string> = {}) => ({
    method: "POST",
    url: "https://as.test/token",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });

  it("compares endpoints, parameter names and header names, never values", () => {
    const a = _sent("grant_type=refresh_token&refresh_token=rt-1", { authorization: "Basic [redacted]" });
    expect(
      sameRequestForm(a, _sent("refresh_token=rt-2&grant_type=refresh_token", { Authorization: "Basic x" })),
    ).toBe(true);
    // A scope added, another client authentication, another endpoint: another form.
    expect(
      sameRequestForm(
        a,
        _sent("grant_type=refresh_token&refresh_token=rt-1&scope=a", { authorization: "x" }),
      ),
    ).toBe(false);
    expect(sameRequestForm(a, _sent("grant_type=refresh_token&refresh_token=rt-1&client_secret=s"))).toBe(
      false,
    );
    expect(sameRequestForm(a, { ...a, url: "https://as.test/other" })).toBe(false);
    const json = {
      ...a,
      headers: { "content-type": "application/json" },
      body: '{"refresh_token":"x","grant_type":"refresh_token"}',
    };
    expect(
      sameRequestForm(json, { ...json, body: '{"grant_type":"refresh_token","refresh_token":"y"}' }),
    ).toBe(true);
  });
});

describe("rankCauses for invalid_request", () => {
  it("ranks the refresh token's own causes above a malformed request on a refresh", () => {
    const recipe = findRecipe("custom");
    if (recipe === undefined) throw new Error("no recipe");
    const refresh = rankCauses("invalid_request", { grantType: "refresh_token", recipe });
    expect(refresh.map((c) => c.id).at(-1)).toBe("request_malformed");
    expect(refresh.map((c) => c.id)).toContain("refresh_token_revoked");
    const exchange = rankCauses("invalid_request", { grantType: "authorization_code", recipe });
    expect(exchange[0]?.id).toBe("request_malformed");
    expect(classifyFailure({ status: 400, headers: {}, body: '{"error":"invalid_request"}' }).kind).toBe(
      "invalid_request",
    );
  });
});
