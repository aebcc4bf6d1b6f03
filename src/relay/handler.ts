/**
 * The relay: a Web-standard fetch handler that holds client secrets and forwards code exchanges,
 * refreshes and revocations to providers' token and revocation endpoints (DESIGN.md, "The relay's
 * contract"; SECURITY.md, "The relay").
 * Runtime-free: Request, Response, Headers, URL, fetch, AbortController, TextEncoder/Decoder, btoa.
 */
import { type RelayOptions, type ResolvedClient, resolveRelayOptions, toPublicClient } from "./config.ts";
import type { ClientsResponse, Envelope, RelayErrorBody, SentRequest } from "./contract.ts";
import { REDACTED } from "./contract.ts";
import {
  buildDiscoveryRequest,
  buildProbeRequest,
  checkDiscoveryRequest,
  checkProbeRequest,
  type LookupRequest,
} from "./lookups.ts";
import {
  basicAuthorization,
  checkJsonContentType,
  checkOrigin,
  checkRevocationRequest,
  checkTokenRequest,
  formUrlEncode,
  LOGGABLE_GRANT_TYPES,
  type OriginVerdict,
  passUpstreamHeaders,
  REFUSED_REQUEST_HEADERS,
  type Revocation,
  type TokenGrant,
} from "./policy.ts";
import { ipRateLimitKey, type RateLimiter } from "./rate-limit.ts";

/** What the runtime knows about a request beyond the Request itself. */
export interface RelayRequestContext {
  /**
   * The caller's address as the runtime saw it (the socket's peer in Node, `CF-Connecting-IP` on
   * Cloudflare), for the per-address rate limit. Never taken from a header the caller controls.
   */
  readonly clientIp?: string;
}

/** A relay: one Request in, one Response out. */
export type RelayHandler = (request: Request, context?: RelayRequestContext) => Promise<Response>;

/** Every `error` code the relay answers with. */
export type RelayErrorCode =
  | "not_found"
  | "method_not_allowed"
  | "unsupported_media_type"
  | "request_too_large"
  | "invalid_request"
  | "unknown_client"
  | "unsupported_grant_type"
  | "invalid_redirect_uri"
  | "credentials_not_allowed"
  | "no_identity_endpoint"
  | "revocation_unsupported"
  | "issuer_not_allowed"
  | "origin_not_allowed"
  | "upstream_unreachable"
  | "upstream_timeout"
  | "upstream_response_too_large"
  | "rate_limited"
  | "relay_misconfigured"
  | "internal_error";

type Route = "health" | "clients" | "token" | "revoke" | "probe" | "discovery";

const ROUTE_METHODS: Readonly<Record<Route, readonly string[]>> = {
  health: ["GET", "HEAD"],
  clients: ["GET", "HEAD"],
  token: ["POST"],
  revoke: ["POST"],
  probe: ["POST"],
  discovery: ["POST"],
};

const BASE_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-type": "application/json",
  "x-content-type-options": "nosniff",
  // Answers differ by Origin (CORS headers or a 403), so caches must key on it even without CORS.
  vary: "Origin",
};

/** Extra parts of an error answer. */
export interface ErrorResponseInit {
  /** An allowed origin to name in `Access-Control-Allow-Origin`. */
  readonly corsOrigin?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly outcome?: "unknown";
  readonly sent?: SentRequest;
}

/**
 * Builds every error answer of the relay: `{error, error_description}` JSON in the style of
 * RFC 6749 §5.2, with the relay's standard headers; never a stack trace.
 */
export function errorResponse(
  status: number,
  error: RelayErrorCode,
  description: string,
  init: ErrorResponseInit = {},
): Response {
  const body: RelayErrorBody = {
    error,
    error_description: description,
    ...(init.outcome === undefined ? {} : { outcome: init.outcome }),
    ...(init.sent === undefined ? {} : { sent: init.sent }),
  };
  return jsonResponse(status, body, init.corsOrigin, init.headers);
}

function jsonResponse(
  status: number,
  body: unknown,
  corsOrigin: string | undefined,
  extra: Readonly<Record<string, string>> = {},
): Response {
  const headers = new Headers({ ...BASE_HEADERS, ...extra });
  if (corsOrigin !== undefined) headers.set("access-control-allow-origin", corsOrigin);
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers });
}

/** What one request's log line reports. Holds only values that cannot be secrets. */
interface LogFacts {
  route: string;
  status: number;
  error?: string;
  client?: string;
  grant?: string;
  /** A revocation's `token_type_hint`, once it passed the check (a closed set, never free text). */
  hint?: string;
  upstream?: number;
}

/** The state of one request being answered. */
interface Exchange {
  readonly corsOrigin: string | undefined;
  readonly facts: LogFacts;
  /** The caller's address as a rate-limit key ({@link ipRateLimitKey}). */
  readonly ipKey: string;
  /** Whether an upstream request was started: from then on a failure's outcome is unknown. */
  upstreamStarted: boolean;
  fail(status: number, error: RelayErrorCode, description: string, init?: ErrorResponseInit): Response;
  json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): Response;
}

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
      response = await answer(request, verdict, exchange);
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

  async function answer(request: Request, verdict: OriginVerdict, exchange: Exchange): Promise<Response> {
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

    if (method === "OPTIONS") {
      if (route === undefined) return notFound(exchange);
      const allow = ROUTE_METHODS[route].join(", ");
      const headers: Record<string, string> = { allow: `${allow}, OPTIONS` };
      if (exchange.corsOrigin !== undefined) {
        headers["access-control-allow-methods"] = allow;
        // Only Content-Type: a browser then never sends a caller's Authorization.
        headers["access-control-allow-headers"] = "Content-Type";
        headers["access-control-max-age"] = "600";
      }
      return exchange.json(204, null, headers);
    }
    if (route === undefined) return notFound(exchange);
    if (!ROUTE_METHODS[route].includes(method)) {
      const allow = `${ROUTE_METHODS[route].join(", ")}, OPTIONS`;
      return exchange.fail(
        405,
        "method_not_allowed",
        `${method} is not allowed on /relay/${route}; use ${ROUTE_METHODS[route][0]}.`,
        { headers: { allow } },
      );
    }

    let response: Response;
    switch (route) {
      case "health":
        response = exchange.json(200, { ok: true });
        break;
      case "clients":
        response = exchange.json(200, clientsBody);
        break;
      case "token":
        response = await token(request, exchange);
        break;
      case "revoke":
        response = await revoke(request, exchange);
        break;
      case "probe":
        response = await probe(request, exchange);
        break;
      case "discovery":
        response = await discovery(request, exchange);
        break;
    }
    return method === "HEAD"
      ? new Response(null, { status: response.status, headers: response.headers })
      : response;
  }

  async function token(request: Request, exchange: Exchange): Promise<Response> {
    // Before reading anything: a caller over its limit costs no parsing and never reaches upstream.
    const ipLimited = await limited(settings.rateLimit.perIp, exchange.ipKey, exchange, "this address");
    if (ipLimited !== undefined) return ipLimited;
    const read = await readJson(request, exchange, {
      name: "a token request",
      example: '{"client":"…","grant_type":"refresh_token","refresh_token":"…"}',
    });
    if (!read.ok) return read.response;
    const checked = checkTokenRequest(read.value, settings.clients);
    const client = checked.client;
    if (client !== undefined) exchange.facts.client = client.id;
    const grantType = checked.ok ? checked.grant.grant_type : checked.grantType;
    if (grantType !== undefined) {
      exchange.facts.grant = LOGGABLE_GRANT_TYPES.includes(grantType) ? grantType : "other";
    }
    if (!checked.ok) return exchange.fail(400, checked.error, checked.description);
    const clientLimited = await limited(
      settings.rateLimit.perClient,
      checked.client.id,
      exchange,
      `client "${checked.client.id}"`,
    );
    if (clientLimited !== undefined) return clientLimited;
    return forward(checked.client, checked.grant, exchange);
  }

  /**
   * `POST {base}/revoke`: the token to the client's revocation endpoint and nowhere else (RFC 7009
   * §2.1), authenticated as the token endpoint is, under the same rate limits as token requests.
   */
  async function revoke(request: Request, exchange: Exchange): Promise<Response> {
    const ipLimited = await limited(settings.rateLimit.perIp, exchange.ipKey, exchange, "this address");
    if (ipLimited !== undefined) return ipLimited;
    const read = await readJson(request, exchange, {
      name: "a revocation request",
      example: '{"client":"…","token":"…","token_type_hint":"refresh_token"}',
    });
    if (!read.ok) return read.response;
    const checked = checkRevocationRequest(read.value, settings.clients);
    if (checked.client !== undefined) exchange.facts.client = checked.client.id;
    if (!checked.ok) return exchange.fail(400, checked.error, checked.description);
    const { client, endpoint, revocation } = checked;
    exchange.facts.hint = revocation.token_type_hint ?? "none";
    const clientLimited = await limited(
      settings.rateLimit.perClient,
      client.id,
      exchange,
      `client "${client.id}"`,
    );
    if (clientLimited !== undefined) return clientLimited;
    const outbound = buildRevocationRequest(client, endpoint, revocation, settings.userAgent);
    return send(outbound, exchange, {
      what: `The revocation endpoint ${outbound.url}`,
      unknown:
        " The provider may or may not have revoked the token: revoke it again, which is safe, because a provider answers 200 for a token already revoked (RFC 7009 §2.2).",
      redact: (text) => redact(text, client),
    });
  }

  /** A `429` with `Retry-After` when `limiter` refuses one more request under `key`. */
  async function limited(
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

  /**
   * Reads the JSON body of a POST under the relay's rules: no caller `Authorization`, JSON content
   * type, bounded size, valid UTF-8 JSON. Every route that takes a body reads it here.
   */
  async function readJson(
    request: Request,
    exchange: Exchange,
    shape: { readonly name: string; readonly example: string },
  ): Promise<
    { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly response: Response }
  > {
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
          `The request body is larger than ${settings.maxRequestBytes} bytes; ${shape.name} is a small JSON object.`,
        ),
      );
    const declared = request.headers.get("content-length")?.trim();
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > settings.maxRequestBytes) {
      return tooLarge();
    }
    let bytes: Uint8Array | typeof TOO_LARGE;
    try {
      bytes = await readBounded(request.body, settings.maxRequestBytes);
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

  /** `POST {base}/probe`: who the access token belongs to, from the client's identity endpoint only. */
  async function probe(request: Request, exchange: Exchange): Promise<Response> {
    const read = await readJson(request, exchange, {
      name: "a probe request",
      example: '{"client":"…","access_token":"…"}',
    });
    if (!read.ok) return read.response;
    // The same per-address limit as token requests: each probe is a request to the provider.
    const ipLimited = await limited(settings.rateLimit.perIp, exchange.ipKey, exchange, "this address");
    if (ipLimited !== undefined) return ipLimited;
    const checked = checkProbeRequest(read.value, settings.clients);
    if (!checked.ok) {
      if (checked.client !== undefined) exchange.facts.client = checked.client;
      return exchange.fail(400, checked.error, checked.description);
    }
    const { client, accessToken } = checked;
    exchange.facts.client = client.id;
    return send(buildProbeRequest(client, accessToken, settings.userAgent), exchange, {
      what: `The identity endpoint ${client.identityEndpoint}`,
      redact: (text) => text.split(accessToken).join(REDACTED),
    });
  }

  /** `POST {base}/discovery`: one well-known metadata document of an allowed issuer. */
  async function discovery(request: Request, exchange: Exchange): Promise<Response> {
    const read = await readJson(request, exchange, {
      name: "a discovery request",
      example: '{"issuer":"https://…","well_known":"openid-configuration"}',
    });
    if (!read.ok) return read.response;
    // Limited like token requests, so the relay cannot be used to hammer some issuer.
    const ipLimited = await limited(settings.rateLimit.perIp, exchange.ipKey, exchange, "this address");
    if (ipLimited !== undefined) return ipLimited;
    const checked = checkDiscoveryRequest(read.value, request.url);
    if (!checked.ok) return exchange.fail(400, checked.error, checked.description);
    const outbound = buildDiscoveryRequest(checked.issuer, checked.wellKnown, settings.userAgent);
    return send(outbound, exchange, {
      what: `The metadata URL ${outbound.url}`,
      redact: (t) => t,
    });
  }

  async function forward(client: ResolvedClient, grant: TokenGrant, exchange: Exchange): Promise<Response> {
    return send(buildUpstreamRequest(client, grant, settings.userAgent), exchange, {
      what: `The token endpoint ${client.tokenEndpoint}`,
      unknown: TOKEN_OUTCOME_UNKNOWN,
      tooLarge:
        " The provider may have issued tokens that are now lost: check the connection before retrying.",
      redact: (text) => redact(text, client),
    });
  }

  /**
   * Sends exactly one upstream request (no retries, no redirects followed) within the deadline and
   * answers with the envelope, or with an `upstream_*` error that says whether anything may have been
   * spent: a code or refresh token may have been, a token revoked; a GET never spends anything.
   */
  async function send(
    outbound: UpstreamRequest | LookupRequest,
    exchange: Exchange,
    words: {
      readonly what: string;
      /** For requests that spend something: what a failure after sending leaves unknown. Reads have none. */
      readonly unknown?: string;
      /** Added when the answer was too large to read: what may have been lost with it. */
      readonly tooLarge?: string;
      readonly redact: (text: string) => string;
    },
  ): Promise<Response> {
    const { sent } = outbound;
    const unknown = words.unknown ?? "";
    const outcome = words.unknown === undefined ? {} : ({ outcome: "unknown" } as const);
    const controller = new AbortController();
    let timedOut = false;
    // Rejects on timeout even if a fetch or its body ignores the signal, so the deadline always holds.
    const deadline = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(new Error("upstream timeout")), {
        once: true,
      });
    });
    deadline.catch(() => undefined);
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, settings.timeoutMs);
    const failed = (error: unknown) => {
      if (timedOut) {
        return exchange.fail(
          504,
          "upstream_timeout",
          `${words.what} did not answer within ${settings.timeoutMs} ms.${unknown}`,
          { ...outcome, sent },
        );
      }
      return exchange.fail(
        502,
        "upstream_unreachable",
        `${words.what} could not be reached (${words.redact(reasonOf(error))}).${unknown}`,
        { ...outcome, sent },
      );
    };

    const started = Date.now();
    try {
      exchange.upstreamStarted = true;
      let response: Response;
      try {
        response = await Promise.race([
          settings.fetch(outbound.url, {
            method: outbound.method,
            headers: outbound.headers,
            ...(outbound.method === "POST" ? { body: outbound.body } : {}),
            // Never follow: a redirect's target is not the configured endpoint (RFC 9700 §4.11).
            redirect: "manual",
            signal: controller.signal,
          }),
          deadline,
        ]);
      } catch (error) {
        return failed(error);
      }
      exchange.facts.upstream = response.status;
      let bytes: Uint8Array | typeof TOO_LARGE;
      try {
        bytes = await readBounded(response.body, settings.maxResponseBytes, controller.signal);
      } catch (error) {
        return failed(error);
      }
      if (bytes === TOO_LARGE) {
        return exchange.fail(
          502,
          "upstream_response_too_large",
          `${words.what} answered ${response.status} with a body larger than ${settings.maxResponseBytes} bytes; the relay stopped reading.${words.tooLarge ?? unknown}`,
          { ...outcome, sent },
        );
      }
      const envelope: Envelope = {
        sent,
        upstream: {
          status: response.status,
          headers: passUpstreamHeaders(response.headers),
          body: decodeText(bytes, response.headers.get("content-type")),
        },
        ms: Date.now() - started,
      };
      return exchange.json(200, envelope);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The outbound request, and the same request as the page may see it. */
interface UpstreamRequest {
  readonly method: "POST";
  readonly url: string;
  readonly headers: Headers;
  readonly body: string;
  readonly sent: SentRequest;
}

/** What a failed token request leaves unknown, said on every `upstream_*` answer of `POST {base}/token`. */
const TOKEN_OUTCOME_UNKNOWN =
  " The provider may or may not have processed the request: do not send the same code again, and with rotating refresh tokens check the connection before refreshing again.";

/**
 * Builds the token request from scratch (RFC 6749 §4.1.3, §6): the recipe's client authentication
 * and body encoding, the configured endpoint, nothing taken from the caller but the grant's fields.
 */
function buildUpstreamRequest(client: ResolvedClient, grant: TokenGrant, userAgent: string): UpstreamRequest {
  const fields: [string, string][] = [["grant_type", grant.grant_type]];
  if (grant.grant_type === "authorization_code") {
    fields.push(["code", grant.code], ["redirect_uri", grant.redirect_uri]);
    if (grant.code_verifier !== undefined) fields.push(["code_verifier", grant.code_verifier]);
  } else {
    fields.push(["refresh_token", grant.refresh_token]);
    if (grant.scope !== undefined) fields.push(["scope", grant.scope]);
  }
  return buildClientPost(client, client.tokenEndpoint, fields, userAgent);
}

/**
 * Builds the revocation request from scratch (RFC 7009 §2.1): the token and its hint, sent to the
 * configured revocation endpoint with the same client authentication and body encoding as the
 * token endpoint's.
 */
function buildRevocationRequest(
  client: ResolvedClient,
  endpoint: string,
  revocation: Revocation,
  userAgent: string,
): UpstreamRequest {
  const fields: [string, string][] = [["token", revocation.token]];
  if (revocation.token_type_hint !== undefined) fields.push(["token_type_hint", revocation.token_type_hint]);
  return buildClientPost(client, endpoint, fields, userAgent);
}

/**
 * A POST of `fields` to `url` authenticated as the client: its recipe's client authentication and
 * body encoding, the recipe's extra headers, and the same request with the secret redacted.
 */
function buildClientPost(
  client: ResolvedClient,
  url: string,
  fields: readonly [string, string][],
  userAgent: string,
): UpstreamRequest {
  const secret = client.config.client_secret;
  // RFC 6749 §2.3.1: with Basic the client_id stays out of the body; with post both go in the body.
  const post = client.authMethod === "client_secret_post";
  const bodyFields: readonly [string, string][] = post
    ? [...fields, ["client_id", client.config.client_id]]
    : fields;

  const headers: Record<string, string> = {
    "content-type": client.bodyEncoding === "json" ? "application/json" : "application/x-www-form-urlencoded",
    accept: "application/json",
    "user-agent": userAgent,
    ...client.requestHeaders,
  };
  const sentHeaders: Record<string, string> = { ...headers };
  if (!post) {
    headers.authorization = basicAuthorization(client.config.client_id, secret);
    sentHeaders.authorization = `Basic ${REDACTED}`;
  }
  const body = encodeBody(client.bodyEncoding, bodyFields, post ? secret : undefined);
  const sentBody = encodeBody(client.bodyEncoding, bodyFields, post ? REDACTED : undefined, true);
  return {
    method: "POST",
    url,
    headers: new Headers(headers),
    body,
    sent: { method: "POST", url, headers: sentHeaders, body: sentBody },
  };
}

function encodeBody(
  encoding: "form" | "json",
  fields: readonly [string, string][],
  secret: string | undefined,
  redacted = false,
): string {
  if (encoding === "json") {
    const object: Record<string, string> = Object.fromEntries(fields);
    if (secret !== undefined) object.client_secret = secret;
    return JSON.stringify(object);
  }
  const pairs = fields.map(([name, value]) => `${formUrlEncode(name)}=${formUrlEncode(value)}`);
  // The placeholder stays readable (`client_secret=[redacted]`); every other byte matches what was sent.
  if (secret !== undefined) pairs.push(`client_secret=${redacted ? secret : formUrlEncode(secret)}`);
  return pairs.join("&");
}

const TOO_LARGE = Symbol("too large");

/**
 * Reads a body to its end, or stops (and cancels it) as soon as it exceeds `limit` bytes or `signal`
 * aborts; cancelling here, not only in fetch, holds the deadline for any runtime's body stream.
 */
async function readBounded(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  signal?: AbortSignal,
): Promise<Uint8Array | typeof TOO_LARGE> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const onAbort = () => {
    void reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (signal?.aborted) throw new Error("aborted while reading the body");
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  signal?.removeEventListener("abort", onAbort);
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Decodes the provider's body as text, honouring a `charset` it names (RFC 9110 §8.3.2), else UTF-8. */
function decodeText(bytes: Uint8Array, contentType: string | null): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "")?.[1];
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // An unknown label: fall through to UTF-8 with replacement characters.
    }
  }
  return new TextDecoder().decode(bytes);
}

function routeOf(pathname: string): Route | undefined {
  const index = pathname.lastIndexOf("/relay/");
  if (index < 0) return undefined;
  const rest = pathname.slice(index + "/relay/".length);
  return rest === "health" ||
    rest === "clients" ||
    rest === "token" ||
    rest === "revoke" ||
    rest === "probe" ||
    rest === "discovery"
    ? rest
    : undefined;
}

function notFound(exchange: Exchange): Response {
  return exchange.fail(
    404,
    "not_found",
    "No such relay endpoint; use POST /relay/token, POST /relay/revoke, POST /relay/probe, POST /relay/discovery, GET /relay/clients or GET /relay/health.",
  );
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return "network error";
  const cause: unknown = error.cause;
  let reason = error.message;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    reason = typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
  }
  // Printable ASCII only, short: this text reaches the page and is shown as is.
  return reason.replace(/[^\x20-\x7e]/g, " ").slice(0, 200) || "network error";
}

function redact(text: string, client: ResolvedClient): string {
  const secrets = [
    basicAuthorization(client.config.client_id, client.config.client_secret).slice("Basic ".length),
    formUrlEncode(client.config.client_secret),
    client.config.client_secret,
  ];
  return secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
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
  if (facts.upstream !== undefined) parts.push(`upstream=${facts.upstream}`);
  parts.push(`ms=${ms}`);
  try {
    log(parts.join(" "));
  } catch {
    // A failing logger must not turn an answer into an error.
  }
}
