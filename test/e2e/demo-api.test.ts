/**
 * The demo server's protected resource (`/api/`), driven at the HTTP level: it answers only Bearer
 * tokens it issued and that are still valid, as RFC 6750 §3 says, and keeps a list of notes per user.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type DemoServer, startDemoServer } from "../../src/dev/demo-server.ts";
import { authorizeForCode, exchangeCode, refreshTokens } from "../support/demo-flow.ts";

const REDIRECT_URI = "http://127.0.0.1:5173/callback/";
const ACCESS_TTL = 60;

let server: DemoServer;
let accessToken = "";
let refreshToken = "";

beforeAll(async () => {
  server = await startDemoServer({ redirectUris: [REDIRECT_URI], accessTtl: ACCESS_TTL });
  const { request, code } = await authorizeForCode(server, REDIRECT_URI, { login: "dana" });
  const exchanged = await exchangeCode(server, request, code);
  accessToken = String(exchanged.body.access_token);
  refreshToken = String(exchanged.body.refresh_token);
});

afterAll(async () => {
  await server?.close();
});

afterEach(() => {
  vi.useRealTimers();
});

function _get(path: string, token: string | null, init: RequestInit = {}) {
  return fetch(`${server.api_base_url}${path}`, {
    ...init,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...init.headers },
  });
}

describe("the demo server's protected resource", () => {
  it("lives under /api/ on the issuer's origin", () => {
    expect(server.api_base_url).toBe(`${server.issuer}/api/`);
  });

  it("answers whose token it is", async () => {
    const answer = await _get("profile", accessToken);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      sub: "dana",
      client_id: server.clientId,
      scope: expect.stringContaining("demo:read"),
    });
    expect(Date.parse(String(body.expires_at)) - Date.now()).toBeLessThanOrEqual(ACCESS_TTL * 1000);
  });

  it("asks for a Bearer token when there is none, and refuses one it never issued", async () => {
    const none = await _get("profile", null);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="demo"');
    const unknown = await _get("profile", "not-a-token-it-issued");
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("www-authenticate")).toMatch(/^Bearer realm="demo", error="invalid_token"/);
    expect(await unknown.json()).toMatchObject({ error: "invalid_token" });
  });

  it("refuses an expired access token with 401 invalid_token, and takes the refreshed one", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + (ACCESS_TTL + 5) * 1000);
    const expired = await _get("profile", accessToken);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({
      error: "invalid_token",
      error_description: "The access token expired, was revoked, or was not issued here.",
    });
    const refreshed = await refreshTokens(server, refreshToken);
    expect(refreshed.status).toBe(200);
    accessToken = String(refreshed.body.access_token);
    expect((await _get("profile", accessToken)).status).toBe(200);
  });

  it("keeps notes per user: POST adds one, GET lists them", async () => {
    expect(await (await _get("notes", accessToken)).json()).toEqual({ notes: [] });
    const added = await _get("notes", accessToken, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "first note" }),
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ note: { id: 1, text: "first note" } });
    expect(await (await _get("notes", accessToken)).json()).toMatchObject({
      notes: [{ id: 1, text: "first note" }],
    });
    const bad = await _get("notes", accessToken, { method: "POST", body: "not json" });
    expect(bad.status).toBe(400);
  });

  it("says which methods a resource takes, and what is not there", async () => {
    const put = await _get("profile", accessToken, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD");
    expect((await _get("nothing-here", accessToken)).status).toBe(404);
    expect(server.apiRequests.map((r) => r.status)).toContain(405);
    expect(server.apiRequests.every((r) => r.path.startsWith("/api/"))).toBe(true);
  });
});
