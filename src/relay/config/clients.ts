/**
 * The clients in the relay's configuration: `TOKENDESK_CLIENTS` read ({@link parseClients}) and each
 * client checked and resolved against its recipe ({@link resolveClients}). This file holds the
 * client's identity fields and redirect URIs and puts the result together; its endpoints are in
 * endpoints.ts and its token request in token-request.ts. Errors are reported in field order.
 */
import { recipes as builtInRecipes } from "../../providers/index.ts";
import type { Recipe } from "../../providers/types.ts";
import type { RelayClientConfig, ResolvedClient } from "../config.ts";
import { resolveEndpoints } from "./endpoints.ts";
import { RelayConfigError } from "./error.ts";
import { checkRedirectUri, clientFail, describe, optionalString } from "./fields.ts";
import { recipeRequestHeaders, resolveTokenRequest } from "./token-request.ts";

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

/** Resolves each client at `<label>[i]`; ids must be distinct. Throws a {@link RelayConfigError}. */
export function resolveClients(
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
  const fail = clientFail(f);
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

  const { options, endpoints } = resolveEndpoints(raw, f, recipe, fail);
  const { authOption, encodingOption, authMethod, bodyEncoding } = resolveTokenRequest(raw, recipe, fail);
  const requestHeaders = recipeRequestHeaders(recipe, f);

  // Fields in this order, so a client written back out (the client CLI) reads as before.
  const config: RelayClientConfig = {
    id,
    provider: recipe.id,
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [...(redirectUris as string[])],
  };
  if (options.environment !== undefined) config.environment = options.environment;
  if (scope !== undefined) config.scope = scope;
  if (options.issuer !== undefined) config.issuer = options.issuer;
  if (options.authorization_endpoint !== undefined)
    config.authorization_endpoint = options.authorization_endpoint;
  if (options.token_endpoint !== undefined) config.token_endpoint = options.token_endpoint;
  if (options.identity_endpoint !== undefined) config.identity_endpoint = options.identity_endpoint;
  if (options.userinfo_endpoint !== undefined) config.userinfo_endpoint = options.userinfo_endpoint;
  if (options.revocation_endpoint !== undefined) config.revocation_endpoint = options.revocation_endpoint;
  if (options.introspection_endpoint !== undefined)
    config.introspection_endpoint = options.introspection_endpoint;
  if (options.jwks_uri !== undefined) config.jwks_uri = options.jwks_uri;
  if (authOption !== undefined) config.token_endpoint_auth_method = authOption;
  if (encodingOption !== undefined) config.body_encoding = encodingOption;
  if (raw.api_base_urls !== undefined) config.api_base_urls = [...endpoints.apiBaseUrls];

  return {
    id,
    config,
    recipe,
    redirect_uris: config.redirect_uris,
    environment: endpoints.environment,
    issuer: endpoints.issuer,
    authorizationEndpoint: endpoints.authorizationEndpoint,
    tokenEndpoint: endpoints.tokenEndpoint,
    identityEndpoint: endpoints.identityEndpoint,
    revocationEndpoint: endpoints.revocationEndpoint,
    introspectionEndpoint: endpoints.introspectionEndpoint,
    jwksUri: endpoints.jwksUri,
    authMethod,
    bodyEncoding,
    requestHeaders,
    apiBaseUrls: endpoints.apiBaseUrls,
    apiHeaders: (recipe.api?.headers ?? []).map((name) => name.toLowerCase()),
  };
}
