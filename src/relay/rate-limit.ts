/**
 * Rate limits for the relay: per caller address and per configured client, answered with `429` and
 * `Retry-After` (RFC 6585 §4, RFC 9110 §10.2.3). The limiter is injected, so a runtime can use a shared
 * one (Cloudflare's Rate Limiting binding, a WAF rule in front); the in-memory token bucket here
 * counts within one process or isolate only, which bounds one caller's burst but is no global quota.
 * Web APIs only.
 */

/** What a limiter says about one more request under a key. */
export type RateLimitVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Whole seconds until a request under this key would be accepted again, at least 1. */
      readonly retryAfterSeconds: number;
    };

/** Takes one request's worth from a key's allowance. */
export interface RateLimiter {
  take(key: string): RateLimitVerdict | Promise<RateLimitVerdict>;
}

/** The limits a relay applies to `POST {base}/token`; an absent limiter means no limit of that kind. */
export interface RelayRateLimits {
  /** Keyed by the caller's address ({@link ipRateLimitKey}); checked before the body is read. */
  readonly perIp?: RateLimiter;
  /** Keyed by the configured client's id; checked just before the upstream request. */
  readonly perClient?: RateLimiter;
}

/** A rate: `requests` per `seconds`, also the bucket's burst size. */
export interface Rate {
  readonly requests: number;
  readonly seconds: number;
}

/** Options of {@link createTokenBucketLimiter}. */
export interface TokenBucketOptions extends Rate {
  /** Milliseconds since the epoch; tests pass a fake clock. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Most keys remembered at once; the least recently used is forgotten first, so a flood of
   * addresses costs bounded memory. Default 10 000.
   */
  readonly maxKeys?: number;
}

/**
 * An in-memory token bucket per key: a burst of `requests`, refilled continuously at
 * `requests / seconds` per second. Counts only what this process or isolate sees.
 */
export function createTokenBucketLimiter(options: TokenBucketOptions): RateLimiter {
  const { requests, seconds } = checkRate(options, "rate");
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const perMs = requests / (seconds * 1000);
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      const previous = buckets.get(key);
      // Re-inserting keeps the Map in least-recently-used order for eviction.
      buckets.delete(key);
      const refilled =
        previous === undefined
          ? requests
          : Math.min(requests, previous.tokens + Math.max(0, t - previous.at) * perMs);
      if (refilled >= 1) {
        buckets.set(key, { tokens: refilled - 1, at: t });
        evict(buckets, maxKeys);
        return { ok: true };
      }
      buckets.set(key, { tokens: refilled, at: t });
      evict(buckets, maxKeys);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - refilled) / perMs / 1000)) };
    },
  };
}

function evict(buckets: Map<string, unknown>, maxKeys: number): void {
  for (const key of buckets.keys()) {
    if (buckets.size <= maxKeys) return;
    buckets.delete(key);
  }
}

/** The part of Cloudflare's Rate Limiting binding the relay uses (`env.X.limit({ key })`). */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/**
 * Adapts Cloudflare's Rate Limiting binding, which counts per Cloudflare location rather than per
 * isolate. It does not say when the window ends, so `Retry-After` is the configured period.
 */
export function bindingRateLimiter(binding: RateLimitBinding, periodSeconds: number): RateLimiter {
  return {
    async take(key) {
      const { success } = await binding.limit({ key });
      return success ? { ok: true } : { ok: false, retryAfterSeconds: periodSeconds };
    },
  };
}

/** The outcome of {@link parseRate}. */
export type RateParse =
  | { readonly ok: true; readonly rate: Rate | null }
  | { readonly ok: false; readonly problem: string };

/**
 * Reads a rate as an operator writes it: `<requests>/<seconds>s` (e.g. `30/60s`), or `off`.
 * Unset or empty gives `fallback`.
 */
export function parseRate(value: string | undefined, fallback: Rate | null): RateParse {
  const text = value?.trim() ?? "";
  if (text === "") return { ok: true, rate: fallback };
  if (text.toLowerCase() === "off") return { ok: true, rate: null };
  const match = /^(\d{1,9})\s*\/\s*(\d{1,9})\s*s$/.exec(text);
  const requests = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (match === null || requests < 1 || seconds < 1) {
    return {
      ok: false,
      problem: `must be <requests>/<seconds>s with both at least 1 (e.g. 30/60s), or off, not ${JSON.stringify(text.slice(0, 40))}`,
    };
  }
  return { ok: true, rate: { requests, seconds } };
}

/**
 * The key a caller's address is counted under. IPv6 callers usually hold a whole /64, so they are
 * counted per /64 prefix; an IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function ipRateLimitKey(address: string | null | undefined): string {
  const text = (address ?? "").trim().toLowerCase();
  if (text === "") return "unknown";
  const mapped = /^(?:::ffff:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!text.includes(":")) return text;
  const groups = expandIpv6(text.replace(/%.*$/, ""));
  return groups === null ? text : `${groups.slice(0, 4).join(":")}::/64`;
}

/** The eight hextets of an IPv6 address, or null when it is not one. */
function expandIpv6(address: string): string[] | null {
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const split = (part: string | undefined) => (part === undefined || part === "" ? [] : part.split(":"));
  const head = split(halves[0]);
  const tail = split(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return groups.map((group) => group.replace(/^0+(?=.)/, ""));
}

function checkRate(rate: Rate, name: string): Rate {
  if (!Number.isSafeInteger(rate.requests) || rate.requests < 1) {
    throw new RangeError(`${name}.requests must be a positive integer, not ${String(rate.requests)}.`);
  }
  if (!Number.isSafeInteger(rate.seconds) || rate.seconds < 1) {
    throw new RangeError(`${name}.seconds must be a positive integer, not ${String(rate.seconds)}.`);
  }
  return rate;
}
