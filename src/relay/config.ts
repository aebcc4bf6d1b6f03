/**
 * The relay's configuration: clients (with their secrets) and allowed origins, read from the
 * environment (`TOKENDESK_CLIENTS`, `TOKENDESK_ALLOWED_ORIGINS`) or passed in by a runtime entry.
 * Every problem is a {@link RelayConfigError} whose message names the field and what to do.
 */
import { recipes as builtInRecipes } from "../providers/index.ts";
import type { BodyEncoding, ClientAuthMethod, Endpoints, Recipe } from "../providers/types.ts";
import { readApiBaseUrls } from "./api-config.ts";
import type { PublicClient } from "./contract.ts";
import { checkEndpointUrl, parseExactOrigin, RESERVED_OUTBOUND_HEADERS } from "./policy.ts";
import { createTokenBucketLimiter, parseRate, type Rate, type RelayRateLimits } from "./rate-limit.ts";

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

/** Stable codes of {@link RelayConfigError}. */
export type RelayConfigErrorCode =
  | "missing"
  | "invalid_json"
  | "invalid_client"
  | "duplicate_client"
  | "unknown_provider"
  | "invalid_origin"
  | "invalid_option";

/** A configuration problem; `message` names the field and says what to do, and never holds a secret. */
export class RelayConfigError extends Error {
  override readonly name = "RelayConfigError";
  readonly code: RelayConfigErrorCode;
  /** The field at fault, e.g. `TOKENDESK_CLIENTS[1].redirect_uris`. */
  readonly field: string;

  constructor(code: RelayConfigErrorCode, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

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

const CLIENT_FIELDS: readonly string[] = [
  "id",
  "provider",
  "environment",
  "client_id",
  "client_secret",
  "redirect_uris",
  "scope",
  "issuer",
  "authorization_endpoint",
  "token_endpoint",
  "identity_endpoint",
  "revocation_endpoint",
  "introspection_endpoint",
  "jwks_uri",
  "userinfo_endpoint",
  "token_endpoint_auth_method",
  "body_encoding",
  "api_base_urls",
];
const AUTH_METHODS: readonly ClientAuthMethod[] = ["client_secret_basic", "client_secret_post"];
const BODY_ENCODINGS: readonly BodyEncoding[] = ["form", "json"];
// Recipes whose client authentication and body encoding the operator states per client.
const CONFIGURABLE_RECIPES: readonly string[] = ["custom"];
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Reads `TOKENDESK_CLIENTS`: a JSON array of clients (DESIGN.md, "The relay's contract").
 * Throws a {@link RelayConfigError} naming the first problem.
 */
export function parseClients(
  json: string | undefined,
  recipes: Readonly<Record<string, Recipe>> = builtInRecipes,
): RelayClientConfig[] {
  const field = "TOKENDESK_CLIENTS";
  if (json === undefined || json.trim() === "") {
    throw new RelayConfigError(
      "missing",
      field,
      `${field} is not set: set it to a JSON array of clients, each {"id","provider","client_id","client_secret","redirect_uris":[…]} (see DESIGN.md, "The relay's contract").`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    // The engine's message quotes the input, which holds secrets: keep only the position.
    const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    throw new RelayConfigError(
      "invalid_json",
      field,
      `${field} is not valid JSON${position === undefined ? "" : ` (at position ${position})`}; it must be a JSON array of clients (in a .env file, wrap the value in single quotes).`,
    );
  }
  if (!Array.isArray(parsed)) {
    throw new RelayConfigError(
      "invalid_client",
      field,
      `${field} must be a JSON array of clients, e.g. [{"id":"my-app",…}], not ${describe(parsed)}.`,
    );
  }
  return resolveClients(parsed, field, recipes).map((client) => client.config);
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

/** A client as `GET {base}/clients` lists it: public facts only, never the secret. */
export function toPublicClient(client: ResolvedClient): PublicClient {
  return {
    id: client.id,
    provider: client.recipe.id,
    environment: client.environment,
    client_id: client.config.client_id,
    redirect_uris: [...client.redirect_uris],
    scope: client.config.scope ?? null,
    issuer: client.issuer,
    authorization_endpoint: client.authorizationEndpoint,
    token_endpoint: client.tokenEndpoint,
    identity_endpoint: client.identityEndpoint,
    revocation_endpoint: client.revocationEndpoint,
    introspection_endpoint: client.introspectionEndpoint,
    jwks_uri: client.jwksUri,
    token_endpoint_auth_method: client.authMethod,
    body_encoding: client.bodyEncoding,
    api_base_urls: [...client.apiBaseUrls],
  };
}

function resolveClients(
  items: readonly unknown[],
  label: string,
  recipes: Readonly<Record<string, Recipe>>,
): ResolvedClient[] {
  const seen = new Map<string, number>();
  return items.map((item, index) => {
    const client = resolveClient(item, `${label}[${index}]`, recipes);
    const first = seen.get(client.id);
    if (first !== undefined) {
      throw new RelayConfigError(
        "duplicate_client",
        `${label}[${index}].id`,
        `${label}[${index}].id "${client.id}" is already used by ${label}[${first}]; give each client its own id.`,
      );
    }
    seen.set(client.id, index);
    return client;
  });
}

function resolveClient(item: unknown, f: string, recipes: Readonly<Record<string, Recipe>>): ResolvedClient {
  const fail = (field: string, message: string, code: RelayConfigErrorCode = "invalid_client") =>
    new RelayConfigError(code, `${f}${field}`, `${f}${field} ${message}`);
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw fail("", "must be a JSON object with id, provider, client_id, client_secret and redirect_uris.");
  }
  const raw = item as Record<string, unknown>;
  const unknown = Object.keys(raw).find((key) => !CLIENT_FIELDS.includes(key));
  if (unknown !== undefined) {
    throw fail(
      "",
      `has an unknown field ${JSON.stringify(unknown.slice(0, 64))}; remove it (allowed fields: ${CLIENT_FIELDS.join(", ")}).`,
    );
  }

  const id = raw.id;
  if (typeof id !== "string" || !ID_PATTERN.test(id)) {
    throw fail(".id", 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.');
  }
  const providerId = raw.provider;
  const known = Object.keys(recipes).join(", ");
  if (typeof providerId !== "string" || providerId === "") {
    throw fail(".provider", `must be a string naming a provider recipe: one of ${known}.`);
  }
  const recipe = Object.hasOwn(recipes, providerId) ? recipes[providerId] : undefined;
  if (recipe === undefined) {
    throw fail(
      ".provider",
      `${JSON.stringify(providerId.slice(0, 64))} is not a known provider; use one of ${known}.`,
      "unknown_provider",
    );
  }
  const clientId = raw.client_id;
  if (typeof clientId !== "string" || clientId === "") {
    throw fail(".client_id", "must be a non-empty string: the client identifier the provider issued.");
  }
  if (typeof raw.client_secret !== "string" || raw.client_secret === "") {
    throw fail(".client_secret", "must be a non-empty string: the client secret the provider issued.");
  }
  const clientSecret = raw.client_secret;
  const redirectUris = raw.redirect_uris;
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) {
    throw fail(".redirect_uris", "must be a non-empty array of absolute URLs.");
  }
  redirectUris.forEach((uri: unknown, i) => {
    const problem = checkRedirectUri(uri);
    if (problem !== undefined) throw fail(`.redirect_uris[${i}]`, problem);
  });
  const scope = optionalString(raw, "scope", f);

  const issuerOption = optionalEndpoint(raw, "issuer", f);
  const authorizationOption = optionalEndpoint(raw, "authorization_endpoint", f);
  const tokenOption = optionalEndpoint(raw, "token_endpoint", f);
  const identityOnly = optionalEndpoint(raw, "identity_endpoint", f);
  const userinfoOption = optionalEndpoint(raw, "userinfo_endpoint", f);
  if (identityOnly !== undefined && userinfoOption !== undefined && identityOnly !== userinfoOption) {
    throw fail(
      ".userinfo_endpoint",
      "differs from identity_endpoint; they name the same endpoint, so give only one of them.",
    );
  }
  const identityOption = identityOnly ?? userinfoOption;
  const revocationOption = optionalEndpoint(raw, "revocation_endpoint", f);
  const introspectionOption = optionalEndpoint(raw, "introspection_endpoint", f);
  const jwksOption = optionalEndpoint(raw, "jwks_uri", f);
  const apiOption = readApiBaseUrls(raw.api_base_urls);
  if (!apiOption.ok) {
    throw fail(
      `.api_base_urls${apiOption.at === undefined ? "" : `[${apiOption.at}]`}`,
      `${apiOption.problem}.`,
    );
  }
  let apiBaseUrls = apiOption.bases;

  let environment: string | null = null;
  let issuer = issuerOption ?? null;
  let authorizationEndpoint = authorizationOption ?? null;
  let identityEndpoint = identityOption ?? null;
  let revocationEndpoint = revocationOption ?? null;
  let introspectionEndpoint = introspectionOption ?? null;
  let jwksUri = jwksOption ?? null;
  let tokenEndpoint: string;
  const environmentOption = optionalString(raw, "environment", f);
  if (recipe.environments === null) {
    if (environmentOption !== undefined) {
      throw fail(
        ".environment",
        `cannot be set for provider ${recipe.id}: it has no environments, its endpoints come from this client's configuration; remove it.`,
      );
    }
    if (tokenOption === undefined) {
      throw fail(
        ".token_endpoint",
        `is required for provider ${recipe.id} (its endpoints come from the client configuration): an https URL, or http on a loopback host.`,
      );
    }
    tokenEndpoint = tokenOption;
  } else {
    if (raw.api_base_urls !== undefined) {
      throw fail(
        ".api_base_urls",
        `cannot be set for provider ${recipe.id}: its API base URLs come from the recipe; remove it, or use provider custom for another API.`,
      );
    }
    const names = Object.keys(recipe.environments);
    const chosen = environmentOption ?? recipe.defaultEnvironment ?? names[0];
    const endpoints =
      chosen !== undefined && Object.hasOwn(recipe.environments, chosen)
        ? recipe.environments[chosen]
        : templateEndpoints(recipe, chosen);
    if (chosen === undefined || endpoints === undefined) {
      const template =
        recipe.environmentTemplate === undefined ? "" : `, or ${recipe.environmentTemplate.example}`;
      throw fail(
        ".environment",
        `${JSON.stringify((chosen ?? "").slice(0, 64))} is not an environment of provider ${recipe.id}; use one of ${names.join(", ")}${template}.`,
      );
    }
    const recipeSays = (field: string, ours: string | undefined, theirs: string | undefined) => {
      if (ours !== undefined && ours !== theirs) {
        throw fail(
          `.${field}`,
          `cannot override provider ${recipe.id}'s "${chosen}" environment (${theirs ?? "none"}); remove it, or use provider custom for other endpoints.`,
        );
      }
    };
    recipeSays("token_endpoint", tokenOption, endpoints.token_endpoint);
    recipeSays("authorization_endpoint", authorizationOption, endpoints.authorization_endpoint);
    recipeSays("issuer", issuerOption, endpoints.issuer);
    recipeSays(
      identityOnly === undefined ? "userinfo_endpoint" : "identity_endpoint",
      identityOption,
      endpoints.identity_endpoint,
    );
    recipeSays("revocation_endpoint", revocationOption, endpoints.revocation_endpoint);
    recipeSays("introspection_endpoint", introspectionOption, endpoints.introspection_endpoint);
    recipeSays("jwks_uri", jwksOption, endpoints.jwks_uri);
    environment = chosen;
    tokenEndpoint = endpoints.token_endpoint;
    identityEndpoint = endpoints.identity_endpoint ?? null;
    revocationEndpoint = endpoints.revocation_endpoint ?? null;
    introspectionEndpoint = endpoints.introspection_endpoint ?? null;
    jwksUri = endpoints.jwks_uri ?? null;
    authorizationEndpoint = endpoints.authorization_endpoint;
    issuer = endpoints.issuer ?? null;
    const recipeApi = readApiBaseUrls(endpoints.api_base_urls);
    if (!recipeApi.ok) {
      throw new RelayConfigError(
        "invalid_client",
        `${f}.provider`,
        `${f}.provider ${recipe.id}'s recipe has an API base URL that ${recipeApi.problem}; fix the recipe.`,
      );
    }
    apiBaseUrls = recipeApi.bases;
  }

  const authOption = raw.token_endpoint_auth_method;
  const encodingOption = raw.body_encoding;
  if (authOption !== undefined && !AUTH_METHODS.includes(authOption as ClientAuthMethod)) {
    throw fail(".token_endpoint_auth_method", 'must be "client_secret_basic" or "client_secret_post".');
  }
  if (encodingOption !== undefined && !BODY_ENCODINGS.includes(encodingOption as BodyEncoding)) {
    throw fail(".body_encoding", 'must be "form" or "json".');
  }
  let authMethod = recipe.tokenEndpointAuthMethod;
  let bodyEncoding = recipe.bodyEncoding;
  if (CONFIGURABLE_RECIPES.includes(recipe.id)) {
    if (authOption === undefined) {
      throw fail(
        ".token_endpoint_auth_method",
        `is required for provider ${recipe.id}: "client_secret_basic" or "client_secret_post".`,
      );
    }
    if (encodingOption === undefined) {
      throw fail(".body_encoding", `is required for provider ${recipe.id}: "form" or "json".`);
    }
    authMethod = authOption as ClientAuthMethod;
    bodyEncoding = encodingOption as BodyEncoding;
  } else {
    if (authOption !== undefined && authOption !== recipe.tokenEndpointAuthMethod) {
      throw fail(
        ".token_endpoint_auth_method",
        `cannot override provider ${recipe.id}'s "${recipe.tokenEndpointAuthMethod}"; remove it.`,
      );
    }
    if (encodingOption !== undefined && encodingOption !== recipe.bodyEncoding) {
      throw fail(
        ".body_encoding",
        `cannot override provider ${recipe.id}'s "${recipe.bodyEncoding}"; remove it.`,
      );
    }
  }

  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(recipe.requestHeaders ?? {})) {
    const lower = name.toLowerCase();
    if ((RESERVED_OUTBOUND_HEADERS as readonly string[]).includes(lower)) {
      throw new RelayConfigError(
        "invalid_client",
        `${f}.provider`,
        `${f}.provider ${recipe.id}'s recipe sets the reserved header ${name}; the relay owns it, so fix the recipe.`,
      );
    }
    requestHeaders[lower] = value;
  }

  const config: RelayClientConfig = {
    id,
    provider: recipe.id,
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [...(redirectUris as string[])],
  };
  if (environmentOption !== undefined) config.environment = environmentOption;
  if (scope !== undefined) config.scope = scope;
  if (issuerOption !== undefined) config.issuer = issuerOption;
  if (authorizationOption !== undefined) config.authorization_endpoint = authorizationOption;
  if (tokenOption !== undefined) config.token_endpoint = tokenOption;
  if (identityOnly !== undefined) config.identity_endpoint = identityOnly;
  if (userinfoOption !== undefined) config.userinfo_endpoint = userinfoOption;
  if (revocationOption !== undefined) config.revocation_endpoint = revocationOption;
  if (introspectionOption !== undefined) config.introspection_endpoint = introspectionOption;
  if (jwksOption !== undefined) config.jwks_uri = jwksOption;
  if (authOption !== undefined) config.token_endpoint_auth_method = authOption as ClientAuthMethod;
  if (encodingOption !== undefined) config.body_encoding = encodingOption as BodyEncoding;
  if (raw.api_base_urls !== undefined) config.api_base_urls = [...apiBaseUrls];

  return {
    id,
    config,
    recipe,
    redirect_uris: config.redirect_uris,
    environment,
    issuer,
    authorizationEndpoint,
    tokenEndpoint,
    identityEndpoint,
    revocationEndpoint,
    introspectionEndpoint,
    jwksUri,
    authMethod,
    bodyEncoding,
    requestHeaders,
    apiBaseUrls,
    apiHeaders: (recipe.api?.headers ?? []).map((name) => name.toLowerCase()),
  };
}

/**
 * The endpoints of an environment a recipe lets the client name freely (a Microsoft tenant), or
 * undefined. The name must match the recipe's pattern in full, so it stays one path segment.
 */
function templateEndpoints(recipe: Recipe, name: string | undefined): Endpoints | undefined {
  const template = recipe.environmentTemplate;
  if (template === undefined || name === undefined) return undefined;
  if (!new RegExp(`^(?:${template.pattern})$`).test(name)) return undefined;
  const fill = (url: string) => url.replaceAll("{environment}", name);
  const { endpoints } = template;
  return {
    authorization_endpoint: fill(endpoints.authorization_endpoint),
    token_endpoint: fill(endpoints.token_endpoint),
    ...(endpoints.issuer === undefined ? {} : { issuer: fill(endpoints.issuer) }),
    ...(endpoints.revocation_endpoint === undefined
      ? {}
      : { revocation_endpoint: fill(endpoints.revocation_endpoint) }),
    ...(endpoints.identity_endpoint === undefined
      ? {}
      : { identity_endpoint: fill(endpoints.identity_endpoint) }),
    ...(endpoints.introspection_endpoint === undefined
      ? {}
      : { introspection_endpoint: fill(endpoints.introspection_endpoint) }),
    ...(endpoints.jwks_uri === undefined ? {} : { jwks_uri: fill(endpoints.jwks_uri) }),
    ...(endpoints.api_base_urls === undefined ? {} : { api_base_urls: endpoints.api_base_urls.map(fill) }),
  };
}

function checkRedirectUri(uri: unknown): string | undefined {
  const rule =
    "must be an absolute http or https URL (redirect_uris must be a non-empty array of absolute URLs)";
  if (typeof uri !== "string") return `${rule}, not ${describe(uri)}.`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `${JSON.stringify(uri.slice(0, 200))} ${rule}.`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `${JSON.stringify(uri.slice(0, 200))} ${rule}: the page receives the callback.`;
  }
  if (uri.includes("#")) {
    return `${JSON.stringify(uri.slice(0, 200))} must not contain a fragment (RFC 6749 §3.1.2); remove the #… part.`;
  }
  return undefined;
}

function optionalString(raw: Record<string, unknown>, name: string, f: string): string | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new RelayConfigError(
      "invalid_client",
      `${f}.${name}`,
      `${f}.${name} must be a non-empty string when present; remove it or give it a value.`,
    );
  }
  return value;
}

function optionalEndpoint(raw: Record<string, unknown>, name: string, f: string): string | undefined {
  const value = optionalString(raw, name, f);
  if (value === undefined) return undefined;
  const problem = checkEndpointUrl(value);
  if (problem !== undefined) {
    throw new RelayConfigError("invalid_client", `${f}.${name}`, `${f}.${name} ${problem}.`);
  }
  return value;
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

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
