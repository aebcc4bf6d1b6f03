import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_RATE_PER_CLIENT, loadRelayOptions, RelayConfigError } from "../../src/relay/config.ts";
import { createRelay } from "../../src/relay/handler.ts";
import {
  bindingRateLimiter,
  createTokenBucketLimiter,
  ipRateLimitKey,
  parseRate,
  type RateLimiter,
} from "../../src/relay/rate-limit.ts";
import {
  _ALLOWED_ORIGIN,
  _assertNoSecretLeaked,
  _codeBody,
  _DEMO,
  _expectBaseHeaders,
  _read,
  _recordingFetch,
  _relay,
  _tokenRequest,
} from "./_helpers.ts";

afterEach(_assertNoSecretLeaked);

/** A clock the test moves by hand. */
function _clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Takes from `limiter` `count` times under `key` and returns the verdicts. */
async function _take(limiter: RateLimiter, key: string, count: number) {
  const verdicts = [];
  for (let i = 0; i < count; i++) verdicts.push(await limiter.take(key));
  return verdicts;
}

describe("createTokenBucketLimiter", () => {
  it("allows a burst of `requests`, then refuses with the seconds until the next one", async () => {
    const clock = _clock();
    const limiter = createTokenBucketLimiter({ requests: 3, seconds: 60, now: clock.now });
    expect(await _take(limiter, "a", 4)).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, retryAfterSeconds: 20 },
    ]);
    clock.advance(15_000);
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 5 });
  });

  it("refills continuously, one request per seconds/requests", async () => {
    const clock = _clock();
    const limiter = createTokenBucketLimiter({ requests: 3, seconds: 60, now: clock.now });
    await _take(limiter, "a", 3);
    clock.advance(20_000);
    expect(await _take(limiter, "a", 2)).toEqual([{ ok: true }, { ok: false, retryAfterSeconds: 20 }]);
  });

  it("never refills beyond the burst size", async () => {
    const clock = _clock();
    const limiter = createTokenBucketLimiter({ requests: 2, seconds: 10, now: clock.now });
    await limiter.take("a");
    clock.advance(3_600_000);
    expect(await _take(limiter, "a", 3)).toEqual([
      { ok: true },
      { ok: true },
      { ok: false, retryAfterSeconds: 5 },
    ]);
  });

  it("counts each key alone", async () => {
    const limiter = createTokenBucketLimiter({ requests: 1, seconds: 60, now: _clock().now });
    expect((await limiter.take("a")).ok).toBe(true);
    expect((await limiter.take("a")).ok).toBe(false);
    expect((await limiter.take("b")).ok).toBe(true);
  });

  it("says at least one second, never zero", async () => {
    const clock = _clock();
    const limiter = createTokenBucketLimiter({ requests: 1000, seconds: 1, now: clock.now });
    await _take(limiter, "a", 1000);
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it("forgets the least recently used key beyond maxKeys, so a flood of addresses costs bounded memory", async () => {
    const limiter = createTokenBucketLimiter({ requests: 1, seconds: 60, now: _clock().now, maxKeys: 2 });
    await limiter.take("a");
    await limiter.take("b");
    expect((await limiter.take("a")).ok).toBe(false); // a is now the most recent
    await limiter.take("c"); // forgets b
    expect((await limiter.take("a")).ok).toBe(false);
    expect((await limiter.take("b")).ok).toBe(true);
  });

  it.each([
    [{ requests: 0, seconds: 60 }, "rate.requests must be a positive integer, not 0."],
    [{ requests: 1.5, seconds: 60 }, "rate.requests must be a positive integer, not 1.5."],
    [{ requests: 5, seconds: -1 }, "rate.seconds must be a positive integer, not -1."],
  ])("refuses the rate %j", (rate, message) => {
    expect(() => createTokenBucketLimiter(rate)).toThrow(message);
  });
});

describe("bindingRateLimiter (Cloudflare's Rate Limiting binding)", () => {
  it("asks the binding per key and answers the configured period as Retry-After", async () => {
    const asked: string[] = [];
    const limiter = bindingRateLimiter(
      {
        limit: async ({ key }) => {
          asked.push(key);
          return { success: asked.length < 2 };
        },
      },
      60,
    );
    expect(await _take(limiter, "203.0.113.7", 2)).toEqual([
      { ok: true },
      { ok: false, retryAfterSeconds: 60 },
    ]);
    expect(asked).toEqual(["203.0.113.7", "203.0.113.7"]);
  });
});

describe("parseRate", () => {
  it.each([
    ["30/60s", { requests: 30, seconds: 60 }],
    [" 5 / 1s ", { requests: 5, seconds: 1 }],
    ["off", null],
    ["OFF", null],
  ])("reads %j", (value, rate) => {
    expect(parseRate(value, { requests: 1, seconds: 1 })).toEqual({ ok: true, rate });
  });

  it.each([undefined, "", "  "])("gives the fallback for %j", (value) => {
    expect(parseRate(value, { requests: 9, seconds: 9 })).toEqual({
      ok: true,
      rate: { requests: 9, seconds: 9 },
    });
  });

  it.each(["30", "30/60", "30/min", "0/60s", "30/0s", "-1/60s", "1.5/60s", "30 per 60s", "on"])(
    "refuses %j, saying what to write",
    (value) => {
      expect(parseRate(value, null)).toEqual({
        ok: false,
        problem: `must be <requests>/<seconds>s with both at least 1 (e.g. 30/60s), or off, not ${JSON.stringify(value)}`,
      });
    },
  );
});

describe("ipRateLimitKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::9", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
    ["2001:db8::", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
  ])("counts %s as %s", (address, key) => {
    expect(ipRateLimitKey(address)).toBe(key);
  });

  it.each([undefined, null, "", " "])("counts an unknown address (%j) under one key", (address) => {
    expect(ipRateLimitKey(address)).toBe("unknown");
  });

  it("keeps text that is not an IPv6 address as it is, rather than guessing", () => {
    expect(ipRateLimitKey("1:2:3")).toBe("1:2:3");
    expect(ipRateLimitKey("1::2::3")).toBe("1::2::3");
  });
});

describe("the relay's rate limits", () => {
  const refresh = { client: "demo", grant_type: "refresh_token", refresh_token: "rt-limit" };

  function _limitedRelay(perIp: number | null, perClient: number | null) {
    const clock = _clock();
    return _relay({
      rateLimit: {
        ...(perIp === null
          ? {}
          : { perIp: createTokenBucketLimiter({ requests: perIp, seconds: 60, now: clock.now }) }),
        ...(perClient === null
          ? {}
          : { perClient: createTokenBucketLimiter({ requests: perClient, seconds: 60, now: clock.now }) }),
      },
    });
  }

  it("answers 429 with Retry-After once an address has used its allowance, without reading the body or calling upstream", async () => {
    const relay = _limitedRelay(2, null);
    const ip = { clientIp: "203.0.113.7" };
    expect((await relay.handle(_tokenRequest(refresh), ip)).status).toBe(200);
    expect((await relay.handle(_tokenRequest(refresh), ip)).status).toBe(200);
    const request = _tokenRequest(refresh);
    const answer = await _read(await relay.handle(request, ip));
    expect(answer.status).toBe(429);
    _expectBaseHeaders(answer.headers);
    expect(answer.headers["retry-after"]).toBe("30");
    expect(answer.headers["access-control-expose-headers"]).toBeUndefined();
    expect(answer.body).toEqual({
      error: "rate_limited",
      error_description:
        "Too many token requests for this address; nothing was sent to the provider. Try again in 30 s.",
    });
    expect(request.bodyUsed).toBe(false);
    expect(relay.fetch.calls).toHaveLength(2);
    expect(relay.logs.at(-1)).toMatch(/^POST \/relay\/token 429 error=rate_limited ms=\d+$/);
  });

  it("counts each address alone, and an IPv6 caller per /64", async () => {
    const relay = _limitedRelay(1, null);
    expect((await relay.handle(_tokenRequest(refresh), { clientIp: "2001:db8::1" })).status).toBe(200);
    expect((await relay.handle(_tokenRequest(refresh), { clientIp: "2001:db8::2" })).status).toBe(429);
    expect((await relay.handle(_tokenRequest(refresh), { clientIp: "2001:db8:0:1::1" })).status).toBe(200);
    expect((await relay.handle(_tokenRequest(refresh), { clientIp: "198.51.100.1" })).status).toBe(200);
    expect(relay.fetch.calls).toHaveLength(3);
  });

  it("counts refused requests against the address too, so probing costs the prober", async () => {
    const relay = _limitedRelay(2, null);
    const ip = { clientIp: "203.0.113.7" };
    await relay.handle(_tokenRequest({ ...refresh, client: "nope" }), ip);
    await relay.handle(_tokenRequest(_codeBody({ redirect_uri: "https://evil.example.test/" })), ip);
    expect((await relay.handle(_tokenRequest(refresh), ip)).status).toBe(429);
    expect(relay.fetch.calls).toHaveLength(0);
  });

  it("limits only token requests: the client list and health answer over the limit", async () => {
    const relay = _limitedRelay(1, null);
    const ip = { clientIp: "203.0.113.7" };
    await relay.handle(_tokenRequest(refresh), ip);
    expect((await relay.handle(_tokenRequest(refresh), ip)).status).toBe(429);
    expect((await relay.handle(new Request("http://127.0.0.1:5173/relay/clients"), ip)).status).toBe(200);
    expect((await relay.handle(new Request("http://127.0.0.1:5173/relay/health"), ip)).status).toBe(200);
  });

  it("answers 429 per client from any address, naming the client, after the request is checked", async () => {
    const relay = _limitedRelay(null, 2);
    expect((await relay.handle(_tokenRequest(refresh), { clientIp: "203.0.113.1" })).status).toBe(200);
    // A refused request spends nothing of the client's allowance.
    expect(
      (await relay.handle(_tokenRequest({ ...refresh, scope: 5 }), { clientIp: "203.0.113.2" })).status,
    ).toBe(400);
    expect((await relay.handle(_tokenRequest(refresh), { clientIp: "203.0.113.3" })).status).toBe(200);
    const answer = await _read(await relay.handle(_tokenRequest(refresh), { clientIp: "203.0.113.4" }));
    expect(answer.status).toBe(429);
    expect(answer.headers["retry-after"]).toBe("30");
    expect(answer.body?.error_description).toBe(
      'Too many token requests for client "demo"; nothing was sent to the provider. Try again in 30 s.',
    );
    expect(relay.logs.at(-1)).toMatch(
      /^POST \/relay\/token 429 error=rate_limited client=demo grant=refresh_token ms=\d+$/,
    );
    const other = await relay.handle(
      _tokenRequest({ client: "special", grant_type: "refresh_token", refresh_token: "rt" }),
      { clientIp: "203.0.113.4" },
    );
    expect(other.status).toBe(200);
    expect(relay.fetch.calls).toHaveLength(3);
  });

  it("lets a page on an allowed origin read Retry-After", async () => {
    const relay = _limitedRelay(1, null);
    const headers = { origin: _ALLOWED_ORIGIN };
    await relay.handle(_tokenRequest(refresh, { headers }));
    const answer = await _read(await relay.handle(_tokenRequest(refresh, { headers })));
    expect(answer.status).toBe(429);
    expect(answer.headers["access-control-allow-origin"]).toBe(_ALLOWED_ORIGIN);
    expect(answer.headers["access-control-expose-headers"]).toBe("Retry-After");
  });

  it("awaits a limiter that answers asynchronously", async () => {
    const relay = _relay({
      rateLimit: { perIp: bindingRateLimiter({ limit: async () => ({ success: false }) }, 10) },
    });
    const answer = await _read(await relay.handle(_tokenRequest(refresh)));
    expect(answer.status).toBe(429);
    expect(answer.headers["retry-after"]).toBe("10");
    expect(relay.fetch.calls).toHaveLength(0);
  });
});

describe("loadRelayOptions: timeout and rate limits from the environment", () => {
  const clients = JSON.stringify([_DEMO]);
  // The limits count with Date.now: hold it still, so no refill happens however slow the machine is.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Sends `count` refreshes from one address through a relay built from `env`; returns the statuses. */
  async function _statuses(env: Record<string, string>, count: number, ip = "203.0.113.7") {
    const fetch = _recordingFetch();
    const relay = createRelay({ ...loadRelayOptions({ TOKENDESK_CLIENTS: clients, ...env }), fetch });
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const response = await relay(
        _tokenRequest({ client: "demo", grant_type: "refresh_token", refresh_token: "rt" }),
        { clientIp: ip },
      );
      statuses.push(response.status);
    }
    return { statuses, upstream: fetch.calls.length };
  }

  it("limits each address to 30 token requests a minute by default", async () => {
    const { statuses, upstream } = await _statuses({}, 31);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.at(-1)).toBe(429);
    expect(upstream).toBe(30);
  });

  it("limits each client to 120 token requests a minute by default, across addresses", async () => {
    expect(DEFAULT_RATE_PER_CLIENT).toEqual({ requests: 120, seconds: 60 });
    const fetch = _recordingFetch();
    const relay = createRelay({ ...loadRelayOptions({ TOKENDESK_CLIENTS: clients }), fetch });
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) {
      const response = await relay(
        _tokenRequest({ client: "demo", grant_type: "refresh_token", refresh_token: "rt" }),
        { clientIp: `198.51.100.${i % 100}` },
      );
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 120).every((s) => s === 200)).toBe(true);
    expect(statuses[120]).toBe(429);
    expect(fetch.calls).toHaveLength(120);
  });

  it("takes the operator's rates", async () => {
    const { statuses } = await _statuses({ TOKENDESK_RATE_LIMIT_PER_IP: "2/60s" }, 3);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("turns a limit off with off", async () => {
    const { statuses } = await _statuses(
      { TOKENDESK_RATE_LIMIT_PER_IP: "off", TOKENDESK_RATE_LIMIT_PER_CLIENT: "off" },
      40,
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it.each(["TOKENDESK_RATE_LIMIT_PER_IP", "TOKENDESK_RATE_LIMIT_PER_CLIENT"])(
    "refuses a malformed %s, naming it",
    (name) => {
      const load = () => loadRelayOptions({ TOKENDESK_CLIENTS: clients, [name]: "lots" });
      expect(load).toThrow(RelayConfigError);
      expect(load).toThrow(
        `${name} must be <requests>/<seconds>s with both at least 1 (e.g. 30/60s), or off, not "lots".`,
      );
    },
  );

  it("reads TOKENDESK_TIMEOUT_MS", () => {
    expect(loadRelayOptions({ TOKENDESK_CLIENTS: clients, TOKENDESK_TIMEOUT_MS: "2500" }).timeoutMs).toBe(
      2500,
    );
    expect(loadRelayOptions({ TOKENDESK_CLIENTS: clients }).timeoutMs).toBeUndefined();
  });

  it.each(["0", "10s", "-5", "1e4"])("refuses TOKENDESK_TIMEOUT_MS=%j", (value) => {
    expect(() => loadRelayOptions({ TOKENDESK_CLIENTS: clients, TOKENDESK_TIMEOUT_MS: value })).toThrow(
      `TOKENDESK_TIMEOUT_MS must be a whole number of milliseconds (e.g. 10000), not ${JSON.stringify(value)}.`,
    );
  });
});
