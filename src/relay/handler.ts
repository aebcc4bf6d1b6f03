/**
 * The relay: a Web-standard fetch handler that holds client secrets and forwards code exchanges,
 * refreshes, revocations and introspections to providers' token, revocation and introspection
 * endpoints (DESIGN.md, "The relay's contract"; SECURITY.md, "The relay"). This file checks the
 * origin, routes, and logs one line per request; each route is a file in routes/.
 * Runtime-free: Request, Response, Headers, URL, fetch, AbortController, TextEncoder/Decoder, btoa.
 */
import type { Exchange, LogFacts, RelayCall } from "./call.ts";
import { type RelayOptions, resolveRelayOptions, toPublicClient } from "./config.ts";
import type { ClientsResponse } from "./contract.ts";
import { checkOrigin, type OriginVerdict } from "./policy.ts";
import { ipRateLimitKey } from "./rate-limit.ts";
import { errorResponse, jsonResponse } from "./responses.ts";
import { ROUTES, routeList, routeOf } from "./routes/index.ts";
import { type BodyReader, readWithin } from "./upstream-body.ts";

export { type ErrorResponseInit, errorResponse, type RelayErrorCode } from "./responses.ts";

/** What the runtime knows about a request beyond the Request itself. */
export interface RelayRequestContext {
  /**
   * The caller's address as the runtime saw it (the socket's peer in Node, `CF-Connecting-IP` on
   * Cloudflare), for the per-address rate limit. Never taken from a header the caller controls.
   */
  readonly clientIp?: string;
  /**
   * Whether the caller reached the relay on a loopback address of the machine it runs on, as the
   * runtime knows it (Node: the socket's local address, and no proxy's forwarding headers; the
   * Worker: the URL Cloudflare's edge routed). Never taken from a header the caller controls, such
   * as Host. Loopback issuers are discovered only then. Absent: not on loopback.
   */
  readonly loopback?: boolean;
  /**
   * The request's body as the runtime already holds it, read within a limit; when given, the relay
   * reads the body only through it, never from `request.body`. Node's adapter gives one: making its
   * socket a Web stream costs more than the rest of a token request's handling (issue 14). Absent:
   * the Request's own body stream.
   */
  readonly readBody?: BodyReader;
}

/** A relay: one Request in, one Response out. */
export type RelayHandler = (request: Request, context?: RelayRequestContext) => Promise<Response>;

/**
 * Creates the relay's fetch handler. Validates the options at once and throws a
 * `RelayConfigError` on a bad configuration, so a misconfigured relay never starts.
 */
export function createRelay(options: RelayOptions): RelayHandler {
  const settings = resolveRelayOptions(options);
  const clientsBody: ClientsResponse = {
    clients: [...settings.clients.values()].map(toPublicClient),
    ...(options.configurationError === undefined ? {} : { configuration_error: options.configurationError }),
  };

  return async (request, context = {}) => {
    const started = Date.now();
    const facts: LogFacts = { route: "-", status: 0 };
    let verdict: OriginVerdict = { kind: "absent" };
    try {
      verdict = checkOrigin(request.headers.get("origin"), request.url, settings.allowedOrigins);
    } catch {
      // A Request always has an absolute URL; treat the impossible as a refused origin.
      verdict = { kind: "refused", origin: "" };
    }
    const corsOrigin = verdict.kind === "allowed" ? verdict.origin : undefined;
    const exchange: Exchange = {
      corsOrigin,
      facts,
      ipKey: ipRateLimitKey(context.clientIp),
      upstreamStarted: false,
      fail(status, error, description, init = {}) {
        facts.error = error;
        return errorResponse(status, error, description, { corsOrigin, ...init });
      },
      json(status, body, headers) {
        return jsonResponse(status, body, corsOrigin, headers);
      },
    };

    let response: Response;
    try {
      response = await answer(
        {
          request,
          settings,
          exchange,
          clientsBody,
          loopback: context.loopback === true,
          readBody: context.readBody ?? ((limit) => readWithin(request, limit)),
        },
        verdict,
      );
    } catch {
      response = exchange.fail(
        500,
        "internal_error",
        exchange.upstreamStarted
          ? "The relay failed after sending the request upstream; the provider may or may not have processed it. Check the connection before sending the same code or refresh token again."
          : "The relay failed before sending anything upstream; try again, and report it if it persists.",
        exchange.upstreamStarted ? { outcome: "unknown" } : {},
      );
    }
    facts.status = response.status;
    writeLog(settings.log, request.method, facts, Date.now() - started);
    return response;
  };
}

async function answer(call: RelayCall, verdict: OriginVerdict): Promise<Response> {
  const { request, exchange } = call;
  if (verdict.kind === "refused") {
    return exchange.fail(
      403,
      "origin_not_allowed",
      `Origin ${JSON.stringify(verdict.origin.slice(0, 200))} may not call this relay; the operator can add it to TOKENDESK_ALLOWED_ORIGINS (exact origins, comma separated).`,
    );
  }
  const route = routeOf(new URL(request.url).pathname);
  if (route !== undefined) exchange.facts.route = `/relay/${route}`;
  const method = request.method.toUpperCase();
  const notFound = () => exchange.fail(404, "not_found", `No such relay endpoint; use ${routeList()}.`);

  if (method === "OPTIONS") {
    if (route === undefined) return notFound();
    const allow = ROUTES[route].methods.join(", ");
    const headers: Record<string, string> = { allow: `${allow}, OPTIONS` };
    if (exchange.corsOrigin !== undefined) {
      headers["access-control-allow-methods"] = allow;
      // Only Content-Type: a browser then never sends a caller's Authorization.
      headers["access-control-allow-headers"] = "Content-Type";
      headers["access-control-max-age"] = "600";
    }
    return exchange.json(204, null, headers);
  }
  if (route === undefined) return notFound();
  const methods: readonly string[] = ROUTES[route].methods;
  if (!methods.includes(method)) {
    return exchange.fail(
      405,
      "method_not_allowed",
      `${method} is not allowed on /relay/${route}; use ${methods[0]}.`,
      { headers: { allow: `${methods.join(", ")}, OPTIONS` } },
    );
  }
  const response = await ROUTES[route].handle(call);
  return method === "HEAD"
    ? new Response(null, { status: response.status, headers: response.headers })
    : response;
}

function writeLog(
  log: ((line: string) => void) | undefined,
  method: string,
  facts: LogFacts,
  ms: number,
): void {
  if (log === undefined) return;
  const parts = [method.replace(/[^A-Z]/gi, "").slice(0, 16), facts.route, String(facts.status)];
  if (facts.error !== undefined) parts.push(`error=${facts.error}`);
  if (facts.client !== undefined) parts.push(`client=${facts.client}`);
  if (facts.grant !== undefined) parts.push(`grant=${facts.grant}`);
  if (facts.hint !== undefined) parts.push(`hint=${facts.hint}`);
  if (facts.api !== undefined) parts.push(`api=${facts.api}`);
  if (facts.upstream !== undefined) parts.push(`upstream=${facts.upstream}`);
  if (facts.redirect !== undefined) parts.push(`redirect=${facts.redirect}`);
  parts.push(`ms=${ms}`);
  try {
    log(parts.join(" "));
  } catch {
    // A failing logger must not turn an answer into an error.
  }
}
