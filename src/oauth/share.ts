/**
 * Shareable configuration links: which client, provider, environment, scopes and extra
 * authorization parameters to use, opening straight at the authorize step. A link carries no
 * secret, code, token, state or PKCE value, by construction: only these fields go in, and extra
 * parameters that could carry one are refused.
 */

export interface SharedConfiguration {
  readonly clientId: string;
  readonly provider: string;
  readonly environment: string | null;
  readonly scope: string;
  readonly extraParams: Readonly<Record<string, string>>;
}

/** Parameters that carry a credential or a one-time value, or that tokendesk sets itself. */
const FORBIDDEN = new Set([
  "client_secret",
  "client_assertion",
  "code",
  "code_verifier",
  "code_challenge",
  "code_challenge_method",
  "state",
  "nonce",
  "access_token",
  "refresh_token",
  "id_token",
  "id_token_hint",
  "password",
  "assertion",
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "request",
]);

/** Why an extra parameter may not be shared, or null when it may. */
export function forbiddenExtraParam(name: string): string | null {
  const key = name.trim().toLowerCase();
  if (key === "") return "an extra parameter needs a name";
  if (FORBIDDEN.has(key) || /secret|token|password|verifier/.test(key)) {
    return `"${name}" cannot be an extra parameter: it carries a credential or a value tokendesk sets itself`;
  }
  return null;
}

/** The hash route and query for a configuration, e.g. `#/authorize/demo?provider=demo&scope=…`. */
export function buildShareLink(appRoot: string, config: SharedConfiguration): string {
  const params = new URLSearchParams();
  params.set("provider", config.provider);
  if (config.environment !== null) params.set("environment", config.environment);
  params.set("scope", config.scope);
  for (const [name, value] of Object.entries(config.extraParams)) {
    const problem = forbiddenExtraParam(name);
    if (problem !== null) throw new TypeError(problem);
    params.set(`x.${name}`, value);
  }
  return `${appRoot}#/authorize/${encodeURIComponent(config.clientId)}?${params}`;
}

/** Reads a configuration from an authorize route's query; unknown or forbidden fields are dropped. */
export function parseShareQuery(
  clientId: string,
  query: URLSearchParams,
): SharedConfiguration & { readonly dropped: readonly string[] } {
  const extraParams: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, value] of query) {
    if (!key.startsWith("x.")) {
      if (!["provider", "environment", "scope"].includes(key)) dropped.push(key);
      continue;
    }
    const name = key.slice(2);
    if (forbiddenExtraParam(name) === null) extraParams[name] = value;
    else dropped.push(name);
  }
  return {
    clientId,
    provider: query.get("provider") ?? "",
    environment: query.get("environment"),
    scope: query.get("scope") ?? "",
    extraParams,
    dropped,
  };
}
