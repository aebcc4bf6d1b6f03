import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TokenSet } from "../../src/oauth/token-set.ts";
import { custom } from "../../src/providers/custom.ts";
import type { Recipe } from "../../src/providers/types.ts";
import { createAutoRefresher, MIN_SPACING_MS, planAutoRefresh } from "../../src/store/auto-refresh.ts";
import { rateLimitWait } from "../../src/store/lifecycle.ts";
import { type Connection, DEFAULT_SETTINGS } from "../../src/store/records.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function _tokens(overrides: Partial<TokenSet> = {}): TokenSet {
  return {
    accessToken: "at",
    tokenType: "Bearer",
    scope: null,
    refreshToken: "rt",
    idToken: null,
    receivedAt: T0,
    accessExpiresAt: T0 + 3_600_000,
    refreshExpiresAt: null,
    refreshExpirySource: "none",
    refreshReceivedAt: T0,
    raw: {},
    ...overrides,
  };
}

function _connection(overrides: Partial<Connection> = {}): Connection {
  return {
    id: "c1",
    name: "c1",
    clientId: "x",
    provider: "custom",
    scopeRequested: "",
    createdAt: T0,
    updatedAt: T0,
    revision: 1,
    authorization: null,
    tokenSet: _tokens(),
    refreshTokenStatus: "active",
    lastExchange: null,
    problem: null,
    settings: { autoRefresh: true, autoRefreshLeadSeconds: 60 },
    handedOffAt: null,
    inFlight: null,
    recentRefreshes: [],
    retryAfterUntil: null,
    ...overrides,
  };
}

const freeAgentLike: Recipe = { ...custom, refreshRateLimit: { requests: 15, perSeconds: 60 } };

describe("planAutoRefresh", () => {
  it("plans the set time before the access token expires", () => {
    expect(planAutoRefresh(_connection(), custom, T0)).toEqual({
      kind: "at",
      at: T0 + 3_540_000,
      why: "60 s before the access token expires",
    });
  });

  it("is off by default and for every state that needs a person", () => {
    const off = (c: Partial<Connection>) => planAutoRefresh(_connection(c), custom, T0);
    expect(off({ settings: DEFAULT_SETTINGS })).toEqual({ kind: "off", why: "Auto-refresh is off." });
    expect(off({ handedOffAt: T0 })).toEqual({ kind: "off", why: "Handed off to a server." });
    expect(off({ refreshTokenStatus: "dead" }).kind).toBe("off");
    expect(off({ refreshTokenStatus: "unknown" }).kind).toBe("off");
    expect(off({ inFlight: { grantType: "refresh_token", startedAt: T0 } }).kind).toBe("off");
    expect(off({ tokenSet: _tokens({ refreshToken: null }) }).kind).toBe("off");
    expect(off({ tokenSet: _tokens({ refreshExpiresAt: T0 - 1 }) }).why).toBe(
      "The refresh token has expired.",
    );
    expect(off({ tokenSet: _tokens({ accessExpiresAt: null }) }).why).toBe(
      "The access token states no expiry.",
    );
  });

  it("never uses more than half the token's life as lead, so it cannot refresh in a loop", () => {
    const c = _connection({ tokenSet: _tokens({ accessExpiresAt: T0 + 20_000 }) });
    expect(planAutoRefresh(c, custom, T0)).toMatchObject({ kind: "at", at: T0 + 10_000 });
  });

  it("waits for the provider's Retry-After", () => {
    const c = _connection({ retryAfterUntil: T0 + 4_000_000 });
    expect(planAutoRefresh(c, custom, T0)).toMatchObject({
      at: T0 + 4_000_000,
      why: "when the provider's rate limit allows",
    });
  });

  it("waits until the recipe's rate limit window has room", () => {
    const recent = Array.from({ length: 15 }, (_, i) => T0 - 50_000 + i * 1000);
    const c = _connection({ recentRefreshes: recent, tokenSet: _tokens({ accessExpiresAt: T0 + 10_000 }) });
    expect(rateLimitWait(c, freeAgentLike, T0)).toBe(10_000);
    expect(planAutoRefresh(c, freeAgentLike, T0)).toMatchObject({ at: T0 + 10_000 });
    expect(rateLimitWait(c, freeAgentLike, T0 + 10_000)).toBe(0);
    expect(rateLimitWait(c, custom, T0)).toBe(0);
  });

  it(`keeps at least ${MIN_SPACING_MS / 1000} s between automatic refreshes`, () => {
    const c = _connection({
      recentRefreshes: [T0 - 1000],
      tokenSet: _tokens({ accessExpiresAt: T0 + 1000 }),
    });
    expect(planAutoRefresh(c, custom, T0)).toMatchObject({ at: T0 - 1000 + MIN_SPACING_MS });
  });
});

describe("createAutoRefresher", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  function _refresher() {
    const calls: Array<[string, string]> = [];
    const refresher = createAutoRefresher({
      now: Date.now,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
      refresh: async (id, token) => {
        calls.push([id, token]);
      },
    });
    return { refresher, calls };
  }

  it("refreshes at the planned instant with the refresh token it planned for, and not before", () => {
    const { refresher, calls } = _refresher();
    refresher.update([_connection()]);
    vi.advanceTimersByTime(3_539_999);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([["c1", "rt"]]);
  });

  it("cancels the timer when auto-refresh is turned off, handed off or forgotten", () => {
    const { refresher, calls } = _refresher();
    refresher.update([_connection()]);
    refresher.update([_connection({ handedOffAt: T0 + 1 })]);
    vi.advanceTimersByTime(4_000_000);
    refresher.update([_connection()]);
    refresher.update([]);
    vi.advanceTimersByTime(4_000_000);
    expect(calls).toEqual([]);
    expect(refresher.scheduled().size).toBe(0);
  });

  it("replans when another tab's refresh stored a new token set", () => {
    const { refresher, calls } = _refresher();
    refresher.update([_connection()]);
    vi.advanceTimersByTime(1_000_000);
    refresher.update([
      _connection({
        tokenSet: _tokens({
          refreshToken: "rt2",
          receivedAt: T0 + 1_000_000,
          accessExpiresAt: T0 + 4_600_000,
        }),
      }),
    ]);
    vi.advanceTimersByTime(2_540_000);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1_000_000);
    expect(calls).toEqual([["c1", "rt2"]]);
  });
});
