/**
 * The upstream request a call makes: sent once (no retries, no redirects followed by fetch), within
 * the deadline, its answer bounded and wrapped in the envelope; and the client-authenticated POSTs
 * the token, revocation and introspection routes build from scratch. Only discovery makes a second
 * request, to a redirect's target that its own rule allows (routes/discovery.ts).
 */
import type { RelayCall } from "./call.ts";
import type { ResolvedClient } from "./config.ts";
import { type Envelope, REDACTED, type SentRequest } from "./contract.ts";
import type { LookupRequest } from "./lookups.ts";
import { basicAuthorization, formUrlEncode, passUpstreamHeaders } from "./policy.ts";
import { bodyOf, decodeText, readCapped, readWithin, TOO_LARGE } from "./upstream-body.ts";

/** An outbound POST, and the same request as the page may see it. */
export interface UpstreamRequest {
  readonly method: "POST";
  readonly url: string;
  readonly headers: Headers;
  readonly body: string;
  readonly sent: SentRequest;
}

/** An API call as it goes upstream (`POST {base}/api`, routes/api.ts): any of the API methods, a body or none. */
export interface ApiUpstreamRequest {
  readonly method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly url: string;
  readonly headers: Headers;
  /** Null for GET and HEAD, and for a call without a body. */
  readonly body: string | null;
  readonly sent: SentRequest;
}

/** Any request the relay sends upstream. */
export type OutboundRequest = UpstreamRequest | LookupRequest | ApiUpstreamRequest;

/** How a call's failures are worded, and what must never appear in them. */
export interface UpstreamWords {
  readonly what: string;
  /** For requests that spend something: what a failure after sending leaves unknown. Reads have none. */
  readonly unknown?: string;
  /**
   * For a read that authenticates as the client (introspection): what to do after a failure, said
   * instead of `unknown`, since nothing was spent and nothing may be unknown about it.
   */
  readonly nothingSpent?: string;
  /** Added when the answer was too large to read: what may have been lost with it. */
  readonly tooLarge?: string;
  readonly redact: (text: string) => string;
}

/**
 * Sends exactly one upstream request (no retries, no redirects followed) within the deadline and
 * answers with the envelope, or with an `upstream_*` error that says whether anything may have been
 * spent: a code or refresh token may have been, a token revoked; a GET or an introspection never
 * spends anything.
 */
export async function send(
  call: RelayCall,
  outbound: OutboundRequest,
  words: UpstreamWords,
  options: SendOptions = {},
): Promise<Response> {
  const outcome = await sendOnce(call, outbound, words, options);
  return outcome.ok ? call.exchange.json(200, outcome.envelope) : outcome.response;
}

/** One upstream request's outcome: the envelope and the answer's Location, or the failure to answer with. */
export type UpstreamOutcome =
  | { readonly ok: true; readonly envelope: Envelope; readonly location: string | null }
  | { readonly ok: false; readonly response: Response };

/** How one upstream request reads its answer. */
export interface SendOptions {
  /** May only lower the relay's own bound on the answer's body. */
  readonly maxBytes?: number;
  /**
   * Keep the first `truncateAt` bytes of a longer body and mark the envelope `truncated`, instead of
   * failing with `upstream_response_too_large` (API calls, whose answers a person reads). Overrides
   * `maxBytes` and the relay's bound.
   */
  readonly truncateAt?: number;
  /** Applied to the envelope before it is answered: what must not appear in it (an API call's token). */
  readonly scrub?: (envelope: Envelope) => Envelope;
}

/**
 * {@link send}'s one request, without answering: for routes that look at the answer before they
 * answer (discovery, which may follow one redirect; the JWKS lookup, which may read the issuer's
 * metadata first). `maxBytes` may only lower the relay's own bound.
 */
export async function sendOnce(
  call: RelayCall,
  outbound: OutboundRequest,
  words: UpstreamWords,
  options: SendOptions = {},
): Promise<UpstreamOutcome> {
  const { settings, exchange } = call;
  const { sent } = outbound;
  const maxBytes = Math.min(options.maxBytes ?? settings.maxResponseBytes, settings.maxResponseBytes);
  // Said after every failure: what it leaves unknown for a spending request, what to do for a read.
  const after = words.unknown ?? words.nothingSpent ?? "";
  const outcome = words.unknown === undefined ? {} : ({ outcome: "unknown" } as const);
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Rejects on timeout even if a fetch or its body ignores the signal, so the deadline always holds.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      reject(new Error("upstream timeout"));
    }, settings.timeoutMs);
  });
  deadline.catch(() => undefined);
  const failure = (error: unknown) => {
    if (timedOut) {
      return exchange.fail(
        504,
        "upstream_timeout",
        `${words.what} did not answer within ${settings.timeoutMs} ms.${after}`,
        { ...outcome, sent },
      );
    }
    return exchange.fail(
      502,
      "upstream_unreachable",
      `${words.what} could not be reached (${words.redact(reasonOf(error))}).${after}`,
      { ...outcome, sent },
    );
  };
  const failed = (error: unknown): UpstreamOutcome => ({ ok: false, response: failure(error) });

  const started = Date.now();
  try {
    exchange.upstreamStarted = true;
    let response: Response;
    try {
      response = await Promise.race([
        settings.fetch(outbound.url, {
          method: outbound.method,
          headers: outbound.headers,
          ...("body" in outbound && typeof outbound.body === "string" ? { body: outbound.body } : {}),
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
    let truncated = false;
    try {
      if (options.truncateAt === undefined) {
        bytes = await readWithin(response, maxBytes, deadline);
      } else {
        ({ bytes, truncated } = await readCapped(bodyOf(response), options.truncateAt, deadline));
      }
    } catch (error) {
      return failed(error);
    }
    if (bytes === TOO_LARGE) {
      return {
        ok: false,
        response: exchange.fail(
          502,
          "upstream_response_too_large",
          `${words.what} answered ${response.status} with a body larger than ${maxBytes} bytes; the relay stopped reading.${words.tooLarge ?? after}`,
          { ...outcome, sent },
        ),
      };
    }
    const envelope: Envelope = {
      sent,
      upstream: {
        status: response.status,
        headers: passUpstreamHeaders(response.headers),
        body: decodeText(bytes, response.headers.get("content-type")),
      },
      ms: Date.now() - started,
      ...(truncated ? { truncated: true } : {}),
    };
    return {
      ok: true,
      envelope: options.scrub === undefined ? envelope : options.scrub(envelope),
      location: response.headers.get("location"),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A POST of `fields` to `url` authenticated as the client: its recipe's client authentication and
 * body encoding, the recipe's extra headers, and the same request with the secret redacted.
 */
export function buildClientPost(
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

/** A network failure's reason, short and printable: this text reaches the page and is shown as is. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return "network error";
  const cause: unknown = error.cause;
  let reason = error.message;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    reason = typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
  }
  return reason.replace(/[^\x20-\x7e]/g, " ").slice(0, 200) || "network error";
}

/** `text` with the client's secret, in every form it may have been sent in, replaced by `[redacted]`. */
export function redactClientSecret(text: string, client: ResolvedClient): string {
  const secrets = [
    basicAuthorization(client.config.client_id, client.config.client_secret).slice("Basic ".length),
    formUrlEncode(client.config.client_secret),
    client.config.client_secret,
  ];
  return secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
