/**
 * Filling a `custom` client from an issuer's published metadata: RFC 8414 (OAuth 2.0 Authorization
 * Server Metadata) or OpenID Connect Discovery 1.0. Pure functions: the page or the relay fetches.
 */

/** The two well-known documents tokendesk reads, and nothing else. */
export type WellKnown = "oauth-authorization-server" | "openid-configuration";

export const WELL_KNOWN: readonly WellKnown[] = ["oauth-authorization-server", "openid-configuration"];

/** Whether a host is loopback: 127.0.0.0/8, [::1] or localhost (RFC 6761 §6.3, RFC 8252 §8.3). */
export function isLoopbackHostname(hostname: string): boolean {
  return (
    hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Checks an issuer identifier (RFC 8414 §2): an https URL without query or fragment; http only on a
 * loopback host, for local development. Returns the problem, if any.
 */
export function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return "must be an absolute URL such as https://auth.example.com";
  }
  if (url.protocol === "http:" && !isLoopbackHostname(url.hostname)) {
    return "must use https (http only for a loopback host such as 127.0.0.1)";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must use https";
  if (url.username !== "" || url.password !== "") return "must not contain a user name or password";
  if (url.search !== "" || issuer.includes("?")) return "must not have a query (RFC 8414 §2)";
  if (url.hash !== "" || issuer.includes("#")) return "must not have a fragment (RFC 8414 §2)";
  return undefined;
}

/**
 * Where a well-known document of `issuer` lives. RFC 8414 §3.1 inserts `/.well-known/…` between the
 * host and the issuer's path; OpenID Connect Discovery §4 appends it to the issuer.
 */
export function discoveryUrl(issuer: string, wellKnown: WellKnown): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname =
    wellKnown === "oauth-authorization-server"
      ? `/.well-known/oauth-authorization-server${path}`
      : `${path}/.well-known/openid-configuration`;
  return url.href;
}

/** The metadata tokendesk uses, validated. */
export interface DiscoveredMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly revocation_endpoint: string | null;
  readonly userinfo_endpoint: string | null;
  /** RFC 8414 §2: absent means `client_secret_basic`. */
  readonly token_endpoint_auth_methods_supported: readonly string[];
  readonly code_challenge_methods_supported: readonly string[];
  readonly scopes_supported: readonly string[];
}

export type MetadataResult =
  | { readonly ok: true; readonly metadata: DiscoveredMetadata }
  | { readonly ok: false; readonly problem: string };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * Reads a metadata document. Its `issuer` must equal the issuer asked for, byte for byte (RFC 8414
 * §3.3, OpenID Connect Discovery §4.3): otherwise another server's metadata could be passed off as
 * this one's. Endpoints must be https (http on loopback).
 */
export function parseMetadata(body: string, expectedIssuer: string): MetadataResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, problem: "The answer is not JSON, so it is not authorization server metadata." };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { ok: false, problem: "The answer is not a JSON object." };
  }
  const doc = parsed as Record<string, unknown>;
  if (doc.issuer !== expectedIssuer) {
    return {
      ok: false,
      problem: `The metadata names issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(expectedIssuer)}: RFC 8414 §3.3 says not to use it.`,
    };
  }
  const endpoint = (name: string, required: boolean): string | null | { problem: string } => {
    const value = doc[name];
    if (value === undefined) return required ? { problem: `The metadata has no "${name}".` } : null;
    if (typeof value !== "string" || issuerProblem(value.split(/[?#]/)[0] ?? value) !== undefined) {
      return { problem: `"${name}" must be an https URL (http only on loopback).` };
    }
    return value;
  };
  const authorization = endpoint("authorization_endpoint", true);
  const token = endpoint("token_endpoint", true);
  const revocation = endpoint("revocation_endpoint", false);
  const userinfo = endpoint("userinfo_endpoint", false);
  for (const found of [authorization, token, revocation, userinfo]) {
    if (found !== null && typeof found === "object") return { ok: false, problem: found.problem };
  }
  return {
    ok: true,
    metadata: {
      issuer: expectedIssuer,
      authorization_endpoint: authorization as string,
      token_endpoint: token as string,
      revocation_endpoint: revocation as string | null,
      userinfo_endpoint: userinfo as string | null,
      token_endpoint_auth_methods_supported:
        doc.token_endpoint_auth_methods_supported === undefined
          ? ["client_secret_basic"]
          : strings(doc.token_endpoint_auth_methods_supported),
      code_challenge_methods_supported: strings(doc.code_challenge_methods_supported),
      scopes_supported: strings(doc.scopes_supported),
    },
  };
}

/** A `custom` client for `TOKENDESK_CLIENTS`, filled from metadata; the id and secret are placeholders. */
export interface CustomClientDraft {
  readonly id: string;
  readonly provider: "custom";
  readonly client_id: string;
  readonly client_secret: string;
  readonly redirect_uris: readonly string[];
  readonly scope?: string;
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly identity_endpoint?: string;
  readonly revocation_endpoint?: string;
  readonly token_endpoint_auth_method: "client_secret_basic" | "client_secret_post";
  readonly body_encoding: "form";
}

export type DraftResult =
  | { readonly ok: true; readonly client: CustomClientDraft; readonly pkce: boolean }
  | { readonly ok: false; readonly problem: string };

/**
 * Drafts the client configuration: Basic when the server takes it (RFC 6749 §2.3.1 says servers MUST
 * support it for secrets), else secrets in the body; form bodies (RFC 6749 §4.1.3).
 */
export function draftCustomClient(
  metadata: DiscoveredMetadata,
  options: { readonly id: string; readonly redirectUri: string },
): DraftResult {
  const methods = metadata.token_endpoint_auth_methods_supported;
  const method = methods.includes("client_secret_basic")
    ? "client_secret_basic"
    : methods.includes("client_secret_post")
      ? "client_secret_post"
      : null;
  if (method === null) {
    return {
      ok: false,
      problem: `The token endpoint takes only ${methods.join(", ") || "no client secret"}; the relay can send a client secret with client_secret_basic or client_secret_post only.`,
    };
  }
  const scope = ["openid", "offline_access"].filter((s) => metadata.scopes_supported.includes(s)).join(" ");
  return {
    ok: true,
    pkce: metadata.code_challenge_methods_supported.includes("S256"),
    client: {
      id: options.id,
      provider: "custom",
      client_id: "<client id from the provider>",
      client_secret: "<client secret from the provider>",
      redirect_uris: [options.redirectUri],
      ...(scope === "" ? {} : { scope }),
      issuer: metadata.issuer,
      authorization_endpoint: metadata.authorization_endpoint,
      token_endpoint: metadata.token_endpoint,
      ...(metadata.userinfo_endpoint === null ? {} : { identity_endpoint: metadata.userinfo_endpoint }),
      ...(metadata.revocation_endpoint === null ? {} : { revocation_endpoint: metadata.revocation_endpoint }),
      token_endpoint_auth_method: method,
      body_encoding: "form",
    },
  };
}
