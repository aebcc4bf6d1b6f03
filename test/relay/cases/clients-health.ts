/** Relay cases: clients and health. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { BEHAVIOURS, one } from "./_build.ts";
import { _jwksClients } from "./jwks.ts";

export const CASES: readonly _Case[] = [
  one(
    "lists the clients' public facts, never a secret",
    { path: "/relay/clients" },
    {
      status: 200,
      upstreamHits: 0,
      log: /^GET \/relay\/clients 200 ms=\d+$/,
      check: (answer) => {
        const clients = answer.body?.clients as { id: string; token_endpoint_auth_method: string }[];
        expect(clients.map((c) => c.id)).toEqual([
          "ok",
          "special",
          "post",
          "json",
          ...BEHAVIOURS,
          "unreachable",
          ..._jwksClients("http://127.0.0.1:1", 1).map((c) => c.id),
          "api",
        ]);
        expect(answer.text).not.toContain('client_secret"');
      },
    },
  ),
  one(
    "answers HEAD with headers and no body",
    { method: "HEAD", path: "/relay/clients" },
    {
      status: 200,
      upstreamHits: 0,
      check: (answer) => expect(answer.text).toBe(""),
    },
  ),
  one(
    "answers the health check",
    { path: "/relay/health" },
    {
      status: 200,
      upstreamHits: 0,
      check: (answer) => expect(answer.body).toEqual({ ok: true }),
    },
  ),
];
