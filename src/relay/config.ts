/**
 * The relay's configuration: clients (with their secrets) and allowed origins, read from the
 * environment (`TOKENDESK_CLIENTS`, `TOKENDESK_ALLOWED_ORIGINS`) or passed in by a runtime entry.
 * Every problem is a {@link RelayConfigError} whose message names the field and what to do.
 * This file is the entry point: the option types, the environment and options readers, and
 * re-exports. Per-client parsing lives in config/clients.ts (with config/endpoints.ts,
 * config/token-request.ts and config/fields.ts); what `GET {base}/clients` shows, config/public-client.ts.
 */
import { recipes as builtInRecipes } from "../providers/index.ts";
import type { BodyEncoding, ClientAuthMethod, Recipe } from "../providers/types.ts";
import { parseClients, resolveClients } from "./config/clients.ts";
import { RelayConfigError } from "./config/error.ts";
import { describe } from "./config/fields.ts";
import { parseExactOrigin } from "./policy.ts";
import { createTokenBucketLimiter, parseRate, type Rate, type RelayRateLimits } from "./rate-limit.ts";

export { parseClients } from "./config/clients.ts";
export { RelayConfigError, type RelayConfigErrorCode } from "./config/error.ts";
export { toPublicClient } from "./config/public-client.ts";

/** One client as the operator configures it (DESIGN.md, "The relay's contract"). Holds the secret. */
export interface RelayClientConfig {
  id: string;
  provider: string;
  environment?: string;
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  scope?: string;
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  /** The identity probe's URL, for providers whose endpoints come from this configuration (custom, demo). */
  identity_endpoint?: string;
  /** The RFC 7009 revocation endpoint, for providers whose endpoints come from this configuration. */
  revocation_endpoint?: string;
  /** The RFC 7662 introspection endpoint, for providers whose endpoints come from this configuration. */
  introspection_endpoint?: string;
  /** The issuer's JWKS, for providers whose endpoints come from this configuration. */
  jwks_uri?: string;
  /**
   * OpenID Connect's name for the identity endpoint (drafted clients carry it from discovery): the same
   * setting as `identity_endpoint`; give one of the two.
   */
  userinfo_endpoint?: string;
  token_endpoint_auth_method?: ClientAuthMethod;
  body_encoding?: BodyEncoding;
  /**
   * (v1.5) Where `POST {base}/api` may call with a caller's access token, for providers whose
   * endpoints come from this configuration (custom, demo): https, or http on loopback.
   */
  api_base_urls?: string[];
}

/** What `createRelay` needs; every runtime entry builds one. */
export interface RelayOptions {
  clients: readonly RelayClientConfig[];
  allowedOrigins: readonly string[];
  /** The fetch used for upstream requests; tests pass a recording one. Default: the global fetch. */
  fetch?: typeof fetch;
  /** Upstream timeout covering the request and reading the response body. Default 10 000. */
  timeoutMs?: number;
  /** Largest accepted request body. Default 16 KiB. */
  maxRequestBytes?: number;
  /** Largest accepted upstream response body. Default 256 KiB. */
  maxResponseBytes?: number;
  /** Receives one line per request; never a secret, code, token or `Authorization` value. */
  log?: (line: string) => void;
  /** The outbound `User-Agent`. Default `tokendesk-relay/0.1`. */
  userAgent?: string;
  /** Provider recipes by id. Default: every recipe in `src/providers`. Tests pass their own. */
  recipes?: Readonly<Record<string, Recipe>>;
  /** Limits on `POST {base}/token`. Default none; {@link loadRelayOptions} sets the operator's. */
  rateLimit?: RelayRateLimits;
  /**
   * Why these options are the last good ones: a newer configuration was refused (see
   * `reloadable.ts`). `GET {base}/clients` reports it as `configuration_error`; it must hold no secret.
   */
  configurationError?: string;
}

/** Per-address limit when `TOKENDESK_RATE_LIMIT_PER_IP` is unset: a person clicking never meets it. */
export const DEFAULT_RATE_PER_IP: Rate = { requests: 30, seconds: 60 };
/** Per-client limit when `TOKENDESK_RATE_LIMIT_PER_CLIENT` is unset: every caller of a client shares it. */
export const DEFAULT_RATE_PER_CLIENT: Rate = { requests: 120, seconds: 60 };

/** A configured client with everything its recipe decides worked out once, at start. */
export interface ResolvedClient {
  readonly id: string;
  readonly config: RelayClientConfig;
  readonly recipe: Recipe;
  readonly redirect_uris: readonly string[];
  readonly environment: string | null;
  readonly issuer: string | null;
  readonly authorizationEndpoint: string | null;
  readonly tokenEndpoint: string;
  /** The only URL `POST {base}/probe` calls for this client; null when there is none. */
  readonly identityEndpoint: string | null;
  /** The only URL `POST {base}/revoke` calls for this client; null when there is none. */
  readonly revocationEndpoint: string | null;
  /** The only URL `POST {base}/introspect` calls for this client; null when there is none. */
  readonly introspectionEndpoint: string | null;
  /** The only JWKS the relay reads for this client; null when none is configured or known. */
  readonly jwksUri: string | null;
  readonly authMethod: ClientAuthMethod;
  readonly bodyEncoding: BodyEncoding;
  /** The recipe's extra outbound headers, names lower-cased. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The only URLs `POST {base}/api` calls for this client are under these; none: the route refuses. */
  readonly apiBaseUrls: readonly string[];
  /** Request headers of the provider's API a caller may set, beyond the ones every API takes. */
  readonly apiHeaders: readonly string[];
}

/** {@link RelayOptions} validated, with defaults applied. */
export interface ResolvedRelayOptions {
  readonly clients: ReadonlyMap<string, ResolvedClient>;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly log: ((line: string) => void) | undefined;
  readonly userAgent: string;
  readonly rateLimit: RelayRateLimits;
}

/**
 * Reads `TOKENDESK_ALLOWED_ORIGINS`: comma-separated exact origins (`scheme://host[:port]`, RFC 6454).
 * Unset or empty means none: only same-origin pages may call the relay.
 */
export function parseAllowedOrigins(value: string | undefined): string[] {
  if (value === undefined) return [];
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  return checkOrigins(items, "TOKENDESK_ALLOWED_ORIGINS");
}

/**
 * Reads the relay's options from environment variables: `TOKENDESK_CLIENTS`,
 * `TOKENDESK_ALLOWED_ORIGINS`, and the optional `TOKENDESK_TIMEOUT_MS` (upstream timeout),
 * `TOKENDESK_RATE_LIMIT_PER_IP` and `TOKENDESK_RATE_LIMIT_PER_CLIENT` (`<requests>/<seconds>s` or
 * `off`; defaults {@link DEFAULT_RATE_PER_IP}, {@link DEFAULT_RATE_PER_CLIENT}, counted in memory).
 */
export function loadRelayOptions(
  env: Record<string, string | undefined>,
  recipes: Readonly<Record<string, Recipe>> = builtInRecipes,
): RelayOptions {
  const options: RelayOptions = {
    clients: parseClients(env.TOKENDESK_CLIENTS, recipes),
    allowedOrigins: parseAllowedOrigins(env.TOKENDESK_ALLOWED_ORIGINS),
    recipes,
  };
  const timeout = env.TOKENDESK_TIMEOUT_MS?.trim();
  if (timeout !== undefined && timeout !== "") {
    if (!/^\d{1,9}$/.test(timeout) || Number(timeout) < 1) {
      throw new RelayConfigError(
        "invalid_option",
        "TOKENDESK_TIMEOUT_MS",
        `TOKENDESK_TIMEOUT_MS must be a whole number of milliseconds (e.g. 10000), not ${JSON.stringify(timeout.slice(0, 40))}.`,
      );
    }
    options.timeoutMs = Number(timeout);
  }
  const perIp = readRate(env, "TOKENDESK_RATE_LIMIT_PER_IP", DEFAULT_RATE_PER_IP);
  const perClient = readRate(env, "TOKENDESK_RATE_LIMIT_PER_CLIENT", DEFAULT_RATE_PER_CLIENT);
  options.rateLimit = {
    ...(perIp === null ? {} : { perIp: createTokenBucketLimiter(perIp) }),
    ...(perClient === null ? {} : { perClient: createTokenBucketLimiter(perClient) }),
  };
  return options;
}

function readRate(env: Record<string, string | undefined>, name: string, fallback: Rate): Rate | null {
  const parsed = parseRate(env[name], fallback);
  if (!parsed.ok) throw new RelayConfigError("invalid_option", name, `${name} ${parsed.problem}.`);
  return parsed.rate;
}

/** Validates {@link RelayOptions} and applies defaults; throws a {@link RelayConfigError}. */
export function resolveRelayOptions(options: RelayOptions): ResolvedRelayOptions {
  const recipes = options.recipes ?? builtInRecipes;
  if (!Array.isArray(options.clients)) {
    throw new RelayConfigError(
      "invalid_client",
      "clients",
      "clients must be an array of client configurations.",
    );
  }
  if (!Array.isArray(options.allowedOrigins)) {
    throw new RelayConfigError(
      "invalid_origin",
      "allowedOrigins",
      "allowedOrigins must be an array of exact origins such as https://app.example.",
    );
  }
  const clients = new Map(resolveClients(options.clients, "clients", recipes).map((c) => [c.id, c]));
  const allowedOrigins = new Set(checkOrigins(options.allowedOrigins, "allowedOrigins"));
  const upstreamFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return {
    clients,
    allowedOrigins,
    fetch: upstreamFetch,
    timeoutMs: positiveInteger(options.timeoutMs, 10_000, "timeoutMs"),
    maxRequestBytes: positiveInteger(options.maxRequestBytes, 16 * 1024, "maxRequestBytes"),
    maxResponseBytes: positiveInteger(options.maxResponseBytes, 256 * 1024, "maxResponseBytes"),
    log: options.log,
    userAgent: options.userAgent ?? "tokendesk-relay/0.1",
    rateLimit: options.rateLimit ?? {},
  };
}
function checkOrigins(items: readonly unknown[], label: string): string[] {
  const origins = new Set<string>();
  items.forEach((item, index) => {
    if (typeof item !== "string") {
      throw new RelayConfigError(
        "invalid_origin",
        `${label}[${index}]`,
        `${label}[${index}] must be a string such as https://app.example, not ${describe(item)}.`,
      );
    }
    const parsed = parseExactOrigin(item);
    if (!parsed.ok) {
      throw new RelayConfigError(
        "invalid_origin",
        label,
        `${label}: ${JSON.stringify(item.slice(0, 200))} ${parsed.problem}.`,
      );
    }
    origins.add(parsed.origin);
  });
  return [...origins];
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RelayConfigError(
      "invalid_option",
      name,
      `${name} must be a positive integer, not ${String(value)}.`,
    );
  }
  return value;
}
