import { describe, expect, it } from "vitest";
import { normalizeTokenResponse, type TokenSet } from "../../src/oauth/token-set.ts";
import { custom } from "../../src/providers/custom.ts";
import { demo } from "../../src/providers/demo.ts";

const at = Date.UTC(2026, 10, 23, 12, 0, 0);
const json = (body: object) => JSON.stringify(body);

describe("normalizeTokenResponse", () => {
  it("turns expires_in and refresh_token_expires_in into instants counted from receipt", () => {
    const result = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({
        access_token: "a",
        token_type: "bearer",
        expires_in: 3600,
        refresh_token: "r",
        refresh_token_expires_in: "631151957",
      }),
      receivedAt: at,
      recipe: custom,
    });
    expect(result.kind).toBe("tokens");
    if (result.kind !== "tokens") return;
    expect(result.tokenSet.accessExpiresAt).toBe(at + 3_600_000);
    expect(result.tokenSet.refreshExpiresAt).toBe(at + 631_151_957_000);
    expect(result.tokenSet.refreshExpirySource).toBe("response");
    expect(result.tokenSet.receivedAt).toBe(at);
  });

  it("reads Intuit's x_refresh_token_expires_in where the recipe says so", () => {
    const result = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({
        access_token: "a",
        expires_in: 3600,
        refresh_token: "r",
        x_refresh_token_expires_in: 8_726_400,
      }),
      receivedAt: at,
      recipe: custom,
    });
    expect(result.kind === "tokens" && result.tokenSet.refreshExpiresAt).toBe(at + 8_726_400_000);
  });

  it("states no expiry when neither the response nor a confirmed recipe lifetime gives one", () => {
    const result = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({ access_token: "a", refresh_token: "r" }),
      receivedAt: at,
      recipe: custom,
    });
    if (result.kind !== "tokens") throw new Error(result.kind);
    expect(result.tokenSet.accessExpiresAt).toBeNull();
    expect(result.tokenSet.refreshExpiresAt).toBeNull();
    expect(result.tokenSet.refreshExpirySource).toBe("none");
  });

  it("falls back to a confirmed recipe lifetime for the refresh token", () => {
    const result = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({ access_token: "a", expires_in: 120, refresh_token: "r" }),
      receivedAt: at,
      recipe: demo,
    });
    if (result.kind !== "tokens") throw new Error(result.kind);
    expect(result.tokenSet.refreshExpiresAt).toBe(at + 86_400_000);
    expect(result.tokenSet.refreshExpirySource).toBe("recipe");
  });

  it("keeps the previous refresh token and its expiry when a refresh returns none", () => {
    const first = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({ access_token: "a1", expires_in: 60, refresh_token: "r1", refresh_token_expires_in: 1000 }),
      receivedAt: at,
      recipe: custom,
    });
    if (first.kind !== "tokens") throw new Error(first.kind);
    const second = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({ access_token: "a2", expires_in: 60 }),
      receivedAt: at + 30_000,
      recipe: custom,
      previous: first.tokenSet,
    });
    if (second.kind !== "tokens") throw new Error(second.kind);
    expect(second.rotated).toBe(false);
    expect(second.tokenSet.refreshToken).toBe("r1");
    expect(second.tokenSet.refreshExpiresAt).toBe(at + 1_000_000);
    expect(second.tokenSet.accessExpiresAt).toBe(at + 90_000);
  });

  it("keeps the latest ID token, with when it came, across refreshes that carry none", () => {
    const answer = (body: object, receivedAt: number, previous: TokenSet | null = null) => {
      const result = normalizeTokenResponse({
        status: 200,
        contentType: "application/json",
        body: json(body),
        receivedAt,
        recipe: custom,
        previous,
      });
      if (result.kind !== "tokens") throw new Error(result.kind);
      return result.tokenSet;
    };
    const exchanged = answer({ access_token: "a1", refresh_token: "r1", id_token: "id-1" }, at);
    expect(exchanged).toMatchObject({ idToken: "id-1", idTokenReceivedAt: at });
    const refreshed = answer({ access_token: "a2" }, at + 60_000, exchanged);
    expect(refreshed).toMatchObject({ idToken: "id-1", idTokenReceivedAt: at, receivedAt: at + 60_000 });
    const again = answer({ access_token: "a3", id_token: "id-2" }, at + 120_000, refreshed);
    expect(again).toMatchObject({ idToken: "id-2", idTokenReceivedAt: at + 120_000 });
    // A set stored before the receipt time was kept says its ID token came with it.
    const { idTokenReceivedAt: _, ...old } = exchanged;
    expect(answer({ access_token: "a4" }, at + 180_000, old)).toMatchObject({
      idToken: "id-1",
      idTokenReceivedAt: at,
    });
    expect(answer({ access_token: "a5" }, at)).toMatchObject({
      idToken: null,
      idTokenReceivedAt: null,
    });
  });

  it("says a refresh rotated when a new refresh token came back", () => {
    const previous = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({ access_token: "a1", refresh_token: "r1" }),
      receivedAt: at,
      recipe: custom,
    });
    if (previous.kind !== "tokens") throw new Error(previous.kind);
    const next = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({ access_token: "a2", refresh_token: "r2" }),
      receivedAt: at,
      recipe: custom,
      previous: previous.tokenSet,
    });
    expect(next.kind === "tokens" && next.rotated).toBe(true);
  });

  it("reads a form-encoded answer (GitHub without Accept: application/json)", () => {
    const result = normalizeTokenResponse({
      status: 200,
      contentType: "application/x-www-form-urlencoded; charset=utf-8",
      body: "access_token=gho_x&scope=repo&token_type=bearer",
      receivedAt: at,
      recipe: custom,
    });
    expect(result.kind === "tokens" && result.tokenSet.accessToken).toBe("gho_x");
  });

  it("reports an OAuth error with its description", () => {
    const result = normalizeTokenResponse({
      status: 400,
      contentType: "application/json",
      body: json({ error: "invalid_grant", error_description: "grant request is invalid" }),
      receivedAt: at,
      recipe: custom,
    });
    expect(result).toEqual({
      kind: "oauth_error",
      status: 400,
      error: { error: "invalid_grant", errorDescription: "grant request is invalid", errorUri: null },
    });
  });

  it("calls FreeAgent's HTML 401 unusable rather than throwing", () => {
    const result = normalizeTokenResponse({
      status: 401,
      contentType: "text/html",
      body: "HTTP Basic: Access denied.\n",
      receivedAt: at,
      recipe: custom,
    });
    expect(result).toEqual({
      kind: "unusable",
      status: 401,
      message: "The token endpoint answered 401 with text that is not JSON, not an OAuth JSON response.",
    });
  });

  it("refuses a 200 without access_token", () => {
    const result = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: json({ token_type: "bearer" }),
      receivedAt: at,
      recipe: custom,
    });
    expect(result.kind).toBe("unusable");
  });
});
