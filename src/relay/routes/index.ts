/**
 * The relay's routes, as data: each path under `/relay/`, the methods it takes and its handler. A new
 * route is one file in this folder and one entry here.
 */
import type { RelayCall, RouteHandler } from "../call.ts";
import { api } from "./api.ts";
import { discovery } from "./discovery.ts";
import { introspect } from "./introspect.ts";
import { jwks } from "./jwks.ts";
import { probe } from "./probe.ts";
import { revoke } from "./revoke.ts";
import { token } from "./token.ts";

export interface RouteSpec {
  readonly methods: readonly string[];
  readonly handle: RouteHandler;
}

export const ROUTES = {
  token: { methods: ["POST"], handle: token },
  revoke: { methods: ["POST"], handle: revoke },
  introspect: { methods: ["POST"], handle: introspect },
  probe: { methods: ["POST"], handle: probe },
  discovery: { methods: ["POST"], handle: discovery },
  jwks: { methods: ["POST"], handle: jwks },
  api: { methods: ["POST"], handle: api },
  clients: {
    methods: ["GET", "HEAD"],
    handle: async (call: RelayCall) => call.exchange.json(200, call.clientsBody),
  },
  health: {
    methods: ["GET", "HEAD"],
    handle: async (call: RelayCall) => call.exchange.json(200, { ok: true }),
  },
} as const satisfies Readonly<Record<string, RouteSpec>>;

export type Route = keyof typeof ROUTES;

/** The route a path names: the part after the last `/relay/`, wherever the relay is mounted. */
export function routeOf(pathname: string): Route | undefined {
  const index = pathname.lastIndexOf("/relay/");
  if (index < 0) return undefined;
  const rest = pathname.slice(index + "/relay/".length);
  return Object.hasOwn(ROUTES, rest) ? (rest as Route) : undefined;
}

/** Every route as a user would call it, for the 404's description. */
export function routeList(): string {
  const all = Object.entries(ROUTES).map(([name, spec]) => `${spec.methods[0]} /relay/${name}`);
  return `${all.slice(0, -1).join(", ")} or ${all.at(-1)}`;
}
