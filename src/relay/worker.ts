/**
 * The Cloudflare Workers (workerd) entry: the relay under `/relay/` and the built app as static
 * assets on the same origin (src/relay/wrangler.jsonc, `npm run deploy`). Every request runs here
 * first, so static responses get the page's security headers whatever the host would add.
 *
 * Configuration is the Worker's environment: `TOKENDESK_CLIENTS` (a secret, put in with
 * `wrangler secret put TOKENDESK_CLIENTS`, never in a file), and the optional
 * `TOKENDESK_ALLOWED_ORIGINS`, `TOKENDESK_TIMEOUT_MS`, `TOKENDESK_RATE_LIMIT_PER_IP`,
 * `TOKENDESK_RATE_LIMIT_PER_CLIENT`, read by `loadRelayOptions`. Rate Limiting bindings named
 * `TOKENDESK_IP_LIMITER` / `TOKENDESK_CLIENT_LIMITER`, when configured, replace the in-memory limits.
 */
import type {
  ExportedHandler,
  Fetcher,
  RateLimit,
  Request as WorkerRequest,
  Response as WorkerResponse,
} from "@cloudflare/workers-types";
import { loadRelayOptions, RelayConfigError } from "./config.ts";
import { createRelay, errorResponse, type RelayHandler } from "./handler.ts";
import { inlineStyleHashes, SECURITY_HEADERS, securityHeaders } from "./headers.ts";
import { isLoopbackHost } from "./policy.ts";
import { bindingRateLimiter, type RateLimiter } from "./rate-limit.ts";

/** The Worker's bindings (wrangler.jsonc and `wrangler secret put`). */
export interface Env {
  readonly TOKENDESK_CLIENTS?: string;
  readonly TOKENDESK_ALLOWED_ORIGINS?: string;
  readonly TOKENDESK_TIMEOUT_MS?: string;
  readonly TOKENDESK_RATE_LIMIT_PER_IP?: string;
  readonly TOKENDESK_RATE_LIMIT_PER_CLIENT?: string;
  /** The built app (wrangler.jsonc `assets`); without it the Worker serves the relay alone. */
  readonly ASSETS?: Fetcher;
  /** Cloudflare's Rate Limiting bindings; they count per Cloudflare location, not per isolate. */
  readonly TOKENDESK_IP_LIMITER?: RateLimit;
  readonly TOKENDESK_CLIENT_LIMITER?: RateLimit;
}

/**
 * The period a Rate Limiting binding is configured with cannot be read from the binding; 60 s is
 * the longer of the two it allows, so a `Retry-After` of 60 never invites a retry that fails again.
 */
const BINDING_PERIOD_SECONDS = 60;

type Built = { readonly relay: RelayHandler } | { readonly problem: string };

// One relay per environment object, i.e. per isolate and deployment: the in-memory limits and the
// parsed configuration live as long as the isolate does.
const relays = new WeakMap<Env, Built>();

function relayFor(env: Env): Built {
  const cached = relays.get(env);
  if (cached !== undefined) return cached;
  let built: Built;
  try {
    // Only the string settings: the other bindings are objects, none of loadRelayOptions' business.
    const options = loadRelayOptions({
      TOKENDESK_CLIENTS: env.TOKENDESK_CLIENTS,
      TOKENDESK_ALLOWED_ORIGINS: env.TOKENDESK_ALLOWED_ORIGINS,
      TOKENDESK_TIMEOUT_MS: env.TOKENDESK_TIMEOUT_MS,
      TOKENDESK_RATE_LIMIT_PER_IP: env.TOKENDESK_RATE_LIMIT_PER_IP,
      TOKENDESK_RATE_LIMIT_PER_CLIENT: env.TOKENDESK_RATE_LIMIT_PER_CLIENT,
    });
    const perIp = limiterOf(env.TOKENDESK_IP_LIMITER) ?? options.rateLimit?.perIp;
    const perClient = limiterOf(env.TOKENDESK_CLIENT_LIMITER) ?? options.rateLimit?.perClient;
    built = {
      relay: createRelay({
        ...options,
        rateLimit: { ...(perIp && { perIp }), ...(perClient && { perClient }) },
        log: (line) => console.log(line),
      }),
    };
  } catch (error) {
    // RelayConfigError messages name the field and never quote a secret; anything else stays unsaid.
    const problem =
      error instanceof RelayConfigError ? error.message : "the relay's configuration could not be read";
    console.error(`tokendesk relay: ${problem}`);
    built = { problem };
  }
  relays.set(env, built);
  return built;
}

function limiterOf(binding: RateLimit | undefined): RateLimiter | undefined {
  return binding === undefined ? undefined : bindingRateLimiter(binding, BINDING_PERIOD_SECONDS);
}

// This module is type-checked with the DOM's Request and Response (tsconfig's lib); workerd's types
// describe the same run-time objects plus Cloudflare's extras (`cf`, `webSocket`). Cast only here.
const toWorker = (request: Request) => request as unknown as WorkerRequest;
const fromWorker = (response: WorkerResponse) => response as unknown as Response;
const fromWorkerRequest = (request: WorkerRequest) => request as unknown as Request;
const toWorkerResponse = (response: Response) => response as unknown as WorkerResponse;

/** Whether a path belongs to the relay rather than to the app's files. */
function isRelayPath(pathname: string): boolean {
  return pathname === "/relay" || pathname.startsWith("/relay/");
}

async function serveStatic(request: Request, env: Env): Promise<Response> {
  if (env.ASSETS === undefined) {
    return errorResponse(404, "not_found", "This Worker serves only the relay; use paths under /relay/.");
  }
  const upstream = fromWorker(await env.ASSETS.fetch(toWorker(request)));
  const headers = new Headers(upstream.headers);
  // A page carries its stylesheet inline (src/dev/inline-styles.ts): its CSP allows that exact text.
  const html = request.method !== "HEAD" && headers.get("content-type")?.startsWith("text/html") === true;
  const body = html ? await upstream.text() : upstream.body;
  const security =
    typeof body === "string" ? securityHeaders(await inlineStyleHashes(body)) : SECURITY_HEADERS;
  for (const [name, value] of Object.entries(security)) headers.set(name, value);
  if (typeof body === "string") headers.delete("content-length");
  return new Response(body, { status: upstream.status, statusText: upstream.statusText, headers });
}

async function handle(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (!isRelayPath(url.pathname)) return serveStatic(request, env);
  const built = relayFor(env);
  if ("problem" in built) {
    return errorResponse(503, "relay_misconfigured", `The relay could not start: ${built.problem}`);
  }
  // Cloudflare sets CF-Connecting-IP at its edge and replaces any value a caller sent. The URL, too, is
  // the platform's: the edge routes only hosts it serves to this Worker (never 127.0.0.1), so a deployed
  // Worker is never on loopback. Run locally (`wrangler dev`, workerd) it listens on loopback unless told
  // otherwise, and the URL names where it was reached.
  return built.relay(request, {
    clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
    loopback: isLoopbackHost(url.hostname),
  });
}

export default {
  fetch: async (request, env) => toWorkerResponse(await handle(fromWorkerRequest(request), env)),
} satisfies ExportedHandler<Env>;
