/**
 * How the relay makes a client's token request: its client authentication method and body encoding
 * (stated per client for configurable recipes such as custom, fixed by the recipe otherwise) and the
 * recipe's extra outbound headers. Called by resolveClient in clients.ts after the endpoints.
 */
import type { BodyEncoding, ClientAuthMethod, Recipe } from "../../providers/types.ts";
import { RESERVED_OUTBOUND_HEADERS } from "../policy.ts";
import { RelayConfigError } from "./error.ts";
import type { ClientFail } from "./fields.ts";

const AUTH_METHODS: readonly ClientAuthMethod[] = ["client_secret_basic", "client_secret_post"];
const BODY_ENCODINGS: readonly BodyEncoding[] = ["form", "json"];
// Recipes whose client authentication and body encoding the operator states per client.
const CONFIGURABLE_RECIPES: readonly string[] = ["custom"];

/** The client's `token_endpoint_auth_method` and `body_encoding` as given, and as the relay uses them. */
export interface TokenRequestShape {
  readonly authOption: ClientAuthMethod | undefined;
  readonly encodingOption: BodyEncoding | undefined;
  readonly authMethod: ClientAuthMethod;
  readonly bodyEncoding: BodyEncoding;
}

/** Reads `token_endpoint_auth_method` and `body_encoding` against the recipe; throws a {@link RelayConfigError}. */
export function resolveTokenRequest(
  raw: Record<string, unknown>,
  recipe: Recipe,
  fail: ClientFail,
): TokenRequestShape {
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
  return {
    authOption: authOption as ClientAuthMethod | undefined,
    encodingOption: encodingOption as BodyEncoding | undefined,
    authMethod,
    bodyEncoding,
  };
}

/** The recipe's extra outbound headers, names lower-cased; a reserved one is the recipe's error. */
export function recipeRequestHeaders(recipe: Recipe, f: string): Record<string, string> {
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
  return requestHeaders;
}
