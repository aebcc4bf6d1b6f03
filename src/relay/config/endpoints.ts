/**
 * Where a client's URLs come from: its own configuration (recipes without environments, e.g. custom)
 * or its recipe's chosen environment, which the configuration may repeat but not override. Covers the
 * endpoint fields, `environment` (and templated environments such as a Microsoft tenant) and
 * `api_base_urls`. Called by resolveClient in clients.ts, in the order its errors are reported.
 */
import type { Endpoints, Recipe } from "../../providers/types.ts";
import { readApiBaseUrls } from "../api-config.ts";
import { RelayConfigError } from "./error.ts";
import { type ClientFail, optionalEndpoint, optionalString } from "./fields.ts";

/** The endpoint fields as the client configured them; undefined where not set. */
export interface EndpointOptions {
  readonly environment: string | undefined;
  readonly issuer: string | undefined;
  readonly authorization_endpoint: string | undefined;
  readonly token_endpoint: string | undefined;
  readonly identity_endpoint: string | undefined;
  readonly userinfo_endpoint: string | undefined;
  readonly revocation_endpoint: string | undefined;
  readonly introspection_endpoint: string | undefined;
  readonly jwks_uri: string | undefined;
}

/** The URLs the relay uses for the client, worked out from its configuration and recipe. */
export interface ClientEndpoints {
  readonly environment: string | null;
  readonly issuer: string | null;
  readonly authorizationEndpoint: string | null;
  readonly tokenEndpoint: string;
  readonly identityEndpoint: string | null;
  readonly revocationEndpoint: string | null;
  readonly introspectionEndpoint: string | null;
  readonly jwksUri: string | null;
  readonly apiBaseUrls: readonly string[];
}

/** Reads and checks the client's endpoint fields against its recipe; throws a {@link RelayConfigError}. */
export function resolveEndpoints(
  raw: Record<string, unknown>,
  f: string,
  recipe: Recipe,
  fail: ClientFail,
): { options: EndpointOptions; endpoints: ClientEndpoints } {
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

  return {
    options: {
      environment: environmentOption,
      issuer: issuerOption,
      authorization_endpoint: authorizationOption,
      token_endpoint: tokenOption,
      identity_endpoint: identityOnly,
      userinfo_endpoint: userinfoOption,
      revocation_endpoint: revocationOption,
      introspection_endpoint: introspectionOption,
      jwks_uri: jwksOption,
    },
    endpoints: {
      environment,
      issuer,
      authorizationEndpoint,
      tokenEndpoint,
      identityEndpoint,
      revocationEndpoint,
      introspectionEndpoint,
      jwksUri,
      apiBaseUrls,
    },
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
