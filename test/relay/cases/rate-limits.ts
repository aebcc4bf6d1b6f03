/** Relay cases: rate limits, per address and per client. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { _ALLOWED_ORIGIN } from "../_helpers.ts";
import { _refresh, introspect, revoke, token } from "./_build.ts";

export const CASES: readonly _Case[] = [
  {
    name: "answers 429 with Retry-After once an address has used its allowance, and calls nobody",
    relay: "limits",
    steps: [
      ...[1, 2, 3].map(() => ({
        request: token(_refresh("ok"), { ip: "127.0.1.1" }),
        status: 200,
        upstreamHits: 1,
      })),
      {
        request: token(_refresh("ok"), { ip: "127.0.1.1" }),
        status: 429,
        error: "rate_limited",
        upstreamHits: 0,
        log: /^POST \/relay\/token 429 error=rate_limited ms=\d+$/,
        check: (answer) => {
          const seconds = Number(answer.headers["retry-after"]);
          expect(
            Number.isInteger(seconds) && seconds >= 1 && seconds <= 1200,
            answer.headers["retry-after"],
          ).toBe(true);
          expect(answer.body?.error_description).toBe(
            `Too many token requests for this address; nothing was sent to the provider. Try again in ${seconds} s.`,
          );
        },
      },
      { request: token(_refresh("ok"), { ip: "127.0.1.2" }), status: 200, upstreamHits: 1 },
    ],
  },
  {
    name: "answers 429 per client from any address, and other clients still answer",
    relay: "limits",
    steps: [
      ...[1, 2, 3, 4, 5].map((n) => ({
        request: token(_refresh("ok-2"), { ip: `127.0.2.${n}` }),
        status: 200,
        upstreamHits: 1,
      })),
      {
        request: token(_refresh("ok-2"), { ip: "127.0.2.6" }),
        status: 429,
        error: "rate_limited",
        upstreamHits: 0,
        log: /^POST \/relay\/token 429 error=rate_limited client=ok-2 grant=refresh_token ms=\d+$/,
        check: (answer) => {
          expect(answer.headers["retry-after"]).toMatch(/^\d+$/);
          expect(answer.body?.error_description).toMatch(/^Too many token requests for client "ok-2"; /);
        },
      },
      { request: token(_refresh("ok-3"), { ip: "127.0.2.6" }), status: 200, upstreamHits: 1 },
    ],
  },
  {
    name: "counts refused requests against the address, so probing costs the prober",
    relay: "limits",
    steps: [
      ...[1, 2, 3].map(() => ({
        request: token(_refresh("nope"), { ip: "127.0.3.1" }),
        status: 400,
        error: "unknown_client",
        upstreamHits: 0,
      })),
      {
        request: token(_refresh("ok-3"), { ip: "127.0.3.1" }),
        status: 429,
        error: "rate_limited",
        upstreamHits: 0,
      },
    ],
  },
  {
    name: "counts revocations against the same allowances as token requests",
    relay: "limits",
    steps: [
      ...[1, 2].map(() => ({
        request: revoke("ok-3", {}, { ip: "127.0.5.1" }),
        status: 200,
        upstreamHits: 1,
      })),
      { request: token(_refresh("ok-3"), { ip: "127.0.5.1" }), status: 200, upstreamHits: 1 },
      {
        request: revoke("ok", {}, { ip: "127.0.5.1" }),
        status: 429,
        error: "rate_limited",
        upstreamHits: 0,
        log: /^POST \/relay\/revoke 429 error=rate_limited ms=\d+$/,
      },
    ],
  },
  {
    name: "counts introspections against the same allowances, though they only read",
    relay: "limits",
    steps: [
      { request: introspect("ok-4", {}, { ip: "127.0.6.1" }), status: 200, upstreamHits: 1 },
      { request: token(_refresh("ok-4"), { ip: "127.0.6.1" }), status: 200, upstreamHits: 1 },
      { request: introspect("ok-4", {}, { ip: "127.0.6.1" }), status: 200, upstreamHits: 1 },
      {
        request: introspect("ok-4", {}, { ip: "127.0.6.1" }),
        status: 429,
        error: "rate_limited",
        upstreamHits: 0,
        log: /^POST \/relay\/introspect 429 error=rate_limited ms=\d+$/,
      },
    ],
  },
  {
    name: "lets a page on an allowed origin read Retry-After",
    relay: "limits",
    steps: [
      ...[1, 2, 3].map(() => ({
        request: token(_refresh("nope"), { ip: "127.0.4.1", headers: { origin: _ALLOWED_ORIGIN } }),
        status: 400,
        error: "unknown_client",
        upstreamHits: 0,
      })),
      {
        request: token(_refresh("nope"), { ip: "127.0.4.1", headers: { origin: _ALLOWED_ORIGIN } }),
        status: 429,
        error: "rate_limited",
        upstreamHits: 0,
        check: (answer) => {
          expect(answer.headers["access-control-allow-origin"]).toBe(_ALLOWED_ORIGIN);
          expect(answer.headers["access-control-expose-headers"]).toBe("Retry-After");
        },
      },
    ],
  },
];
