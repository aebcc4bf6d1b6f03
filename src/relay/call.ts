/**
 * One request being answered (a "call"): what every route receives, and the steps every POST route
 * shares — the rate limits and reading a bounded JSON body under the relay's rules.
 */
import type { ResolvedRelayOptions } from "./config.ts";
import type { ClientsResponse } from "./contract.ts";
import { checkJsonContentType, REFUSED_REQUEST_HEADERS } from "./policy.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { ErrorResponseInit, RelayErrorCode } from "./responses.ts";
import { type BodyReader, TOO_LARGE } from "./upstream-body.ts";

/** What one request's log line reports. Holds only values that cannot be secrets. */
export interface LogFacts {
  route: string;
  status: number;
  error?: string;
  client?: string;
  grant?: string;
  /** A `token_type_hint`, once it passed the check (a closed set, never free text). */
  hint?: string;
  upstream?: number;
  /** Discovery: whether a redirect was followed, refused, or followed and then a second one refused. */
  redirect?: "followed" | "refused" | "followed,refused";
  /** API calls: the method sent upstream, once it passed the check (a closed set). Never the URL. */
  api?: string;
}

/** The state of one request being answered. */
export interface Exchange {
  readonly corsOrigin: string | undefined;
  readonly facts: LogFacts;
  /** The caller's address as a rate-limit key (`ipRateLimitKey`). */
  readonly ipKey: string;
  /** Whether an upstream request was started: from then on a failure's outcome is unknown. */
  upstreamStarted: boolean;
  fail(status: number, error: RelayErrorCode, description: string, init?: ErrorResponseInit): Response;
  json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): Response;
}

/** Everything a route needs: the request, the relay's settings and the exchange it answers through. */
export interface RelayCall {
  readonly request: Request;
  readonly settings: ResolvedRelayOptions;
  readonly exchange: Exchange;
  /** `GET {base}/clients`'s answer, built once when the relay starts. */
  readonly clientsBody: ClientsResponse;
  /** The runtime's word that the caller reached the relay on loopback (`RelayRequestContext.loopback`). */
  readonly loopback: boolean;
  /** Reads the request's body within a limit (`RelayRequestContext.readBody`, or `request.body`). */
  readonly readBody: BodyReader;
}

/** A route: one call in, one answer out. Routes never throw on bad input; they answer 4xx. */
export type RouteHandler = (call: RelayCall) => Promise<Response>;

/** A `429` with `Retry-After` when `limiter` refuses one more request under `key`. */
export async function limited(
  limiter: RateLimiter | undefined,
  key: string,
  exchange: Exchange,
  who: string,
): Promise<Response | undefined> {
  if (limiter === undefined) return undefined;
  const verdict = await limiter.take(key);
  if (verdict.ok) return undefined;
  const seconds = String(verdict.retryAfterSeconds);
  return exchange.fail(
    429,
    "rate_limited",
    `Too many token requests for ${who}; nothing was sent to the provider. Try again in ${seconds} s.`,
    {
      headers: {
        "retry-after": seconds,
        // Retry-After is not a CORS-safelisted response header: a page on another origin needs this to read it.
        ...(exchange.corsOrigin === undefined ? {} : { "access-control-expose-headers": "Retry-After" }),
      },
    },
  );
}

/** The per-address limit: checked before anything else is read, so refused callers cost nothing. */
export function limitedByAddress(call: RelayCall): Promise<Response | undefined> {
  return limited(call.settings.rateLimit.perIp, call.exchange.ipKey, call.exchange, "this address");
}

/** The per-client limit: checked only when a request is about to go upstream. */
export function limitedByClient(call: RelayCall, clientId: string): Promise<Response | undefined> {
  return limited(call.settings.rateLimit.perClient, clientId, call.exchange, `client "${clientId}"`);
}

/**
 * Reads the JSON body of a POST under the relay's rules: no caller `Authorization`, JSON content
 * type, bounded size, valid UTF-8 JSON. Every route that takes a body reads it here.
 */
export async function readJson(
  call: RelayCall,
  shape: {
    readonly name: string;
    readonly example: string;
    /** A route whose requests may be larger than the relay's default bound (API calls carry a body). */
    readonly maxBytes?: number;
  },
): Promise<
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly response: Response }
> {
  const { request, settings, exchange } = call;
  const maxBytes = Math.max(shape.maxBytes ?? 0, settings.maxRequestBytes);
  const refuse = (response: Response) => ({ ok: false, response }) as const;
  const refusedHeader = REFUSED_REQUEST_HEADERS.find((name) => request.headers.has(name));
  if (refusedHeader !== undefined) {
    return refuse(
      exchange.fail(
        400,
        "credentials_not_allowed",
        "Remove the Authorization header: the relay authenticates to the provider with the configured client's own credentials.",
      ),
    );
  }
  const contentTypeProblem = checkJsonContentType(request.headers.get("content-type"));
  if (contentTypeProblem !== undefined) {
    return refuse(exchange.fail(415, "unsupported_media_type", contentTypeProblem));
  }
  const tooLarge = () =>
    refuse(
      exchange.fail(
        413,
        "request_too_large",
        `The request body is larger than ${maxBytes} bytes; ${shape.name} is a small JSON object.`,
      ),
    );
  const declared = request.headers.get("content-length")?.trim();
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    return tooLarge();
  }
  let bytes: Uint8Array | typeof TOO_LARGE;
  try {
    bytes = await call.readBody(maxBytes);
  } catch {
    return refuse(
      exchange.fail(400, "invalid_request", "The request body could not be read; send it again."),
    );
  }
  if (bytes === TOO_LARGE) return tooLarge();
  try {
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch {
    // The engine's message quotes the input, which may hold a code: describe the problem instead.
    return refuse(
      exchange.fail(
        400,
        "invalid_request",
        `The body is not valid UTF-8 JSON; send one JSON object such as ${shape.example}.`,
      ),
    );
  }
}
