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
  readonly introspection_endpoint: string | null;
  readonly userinfo_endpoint: string | null;
  readonly jwks_uri: string | null;
  /** RFC 8414 §2: absent means `client_secret_basic`. */
  readonly token_endpoint_auth_methods_supported: readonly string[];
  /** Whether the metadata listed its methods, or the list above is RFC 8414's default. */
  readonly authMethodsStated: boolean;
  readonly code_challenge_methods_supported: readonly string[];
  /** Empty when the metadata lists none (the field is only RECOMMENDED). */
  readonly scopes_supported: readonly string[];
  /**
   * Whether this is an OpenID provider's metadata: it names `id_token_signing_alg_values_supported`,
   * which OpenID Connect Discovery §3 requires and RFC 8414 does not define.
   */
  readonly openIdProvider: boolean;
}

/** The metadata's `issuer` is not the one asked for (RFC 8414 §3.3, OpenID Connect Discovery §4.3). */
export interface IssuerMismatch {
  /** The issuer the metadata names, when it names one as a string. */
  readonly named: string | null;
  /**
   * The issuer to discover instead, offered to the user: the named one when it is on the asked
   * issuer's origin. Null otherwise: metadata at one server naming another is what the check is for.
   */
  readonly suggestion: string | null;
}

export type MetadataResult =
  | { readonly ok: true; readonly metadata: DiscoveredMetadata }
  | { readonly ok: false; readonly problem: string; readonly mismatch?: IssuerMismatch };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A URL from a document, cut short for words. */
function short(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

const EXACT =
  "Issuers are compared character for character (RFC 8414 §3.3, OpenID Connect Discovery §4.3): the issuer is what tokens and authorization responses will name, so tokendesk uses no metadata that names another.";

/** How two issuer URLs differ, in words. */
function issuerDifferences(asked: URL, named: URL, askedText: string, namedText: string): string[] {
  const parts: string[] = [];
  if (asked.protocol !== named.protocol) {
    parts.push(`the scheme (${named.protocol.slice(0, -1)}, not ${asked.protocol.slice(0, -1)})`);
  }
  if (asked.hostname !== named.hostname) parts.push(`the host (${named.hostname}, not ${asked.hostname})`);
  if (asked.port !== named.port) {
    parts.push(`the port (${named.port || "the default"}, not ${asked.port || "the default"})`);
  }
  const askedPath = asked.pathname.replace(/\/+$/, "");
  const namedPath = named.pathname.replace(/\/+$/, "");
  if (askedPath !== namedPath) {
    parts.push(`the path (${namedPath || "none"}, not ${askedPath || "none"})`);
  } else if (askedText.endsWith("/") !== namedText.endsWith("/")) {
    parts.push(`the trailing slash (the metadata's issuer has ${namedText.endsWith("/") ? "one" : "none"})`);
  }
  if (parts.length === 0) parts.push("how the URL is written (letter case or escaping)");
  return parts;
}

/**
 * Explains metadata whose `issuer` is not `asked`, and says what to type instead. The named issuer
 * is offered only on the same origin: there the same server vouches for both, whereas following a
 * document to another origin's issuer would let one server send the user to another.
 */
export function explainIssuerMismatch(
  asked: string,
  named: unknown,
): { readonly problem: string; readonly mismatch: IssuerMismatch } {
  if (typeof named !== "string" || named === "") {
    return {
      problem: `The metadata names no issuer (RFC 8414 §2 requires "issuer"), so tokendesk cannot tell whose it is and does not use it.`,
      mismatch: { named: null, suggestion: null },
    };
  }
  let askedUrl: URL;
  let namedUrl: URL;
  try {
    askedUrl = new URL(asked);
    namedUrl = new URL(named);
  } catch {
    return {
      problem: `The metadata names issuer ${JSON.stringify(short(named))}, which is not a URL, while you asked for ${asked}. ${EXACT}`,
      mismatch: { named, suggestion: null },
    };
  }
  const differences = issuerDifferences(askedUrl, namedUrl, asked, named).join(", ");
  const sameOrigin = askedUrl.origin === namedUrl.origin && issuerProblem(named) === undefined;
  const next = sameOrigin
    ? `If ${named} is the issuer you mean, discover it instead.`
    : `It is on another origin, so tokendesk does not offer it: if ${short(named)} really is your issuer, type it yourself.`;
  return {
    problem: `The metadata names issuer ${short(named)}, not ${asked}: they differ in ${differences}. ${EXACT} ${next}`,
    mismatch: { named, suggestion: sameOrigin ? named : null },
  };
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
    return { ok: false, ...explainIssuerMismatch(expectedIssuer, doc.issuer) };
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
  const introspection = endpoint("introspection_endpoint", false);
  const userinfo = endpoint("userinfo_endpoint", false);
  const jwks = endpoint("jwks_uri", false);
  for (const found of [authorization, token, revocation, introspection, userinfo, jwks]) {
    if (found !== null && typeof found === "object") return { ok: false, problem: found.problem };
  }
  const authMethodsStated = doc.token_endpoint_auth_methods_supported !== undefined;
  return {
    ok: true,
    metadata: {
      issuer: expectedIssuer,
      authorization_endpoint: authorization as string,
      token_endpoint: token as string,
      revocation_endpoint: revocation as string | null,
      introspection_endpoint: introspection as string | null,
      userinfo_endpoint: userinfo as string | null,
      jwks_uri: jwks as string | null,
      token_endpoint_auth_methods_supported: authMethodsStated
        ? strings(doc.token_endpoint_auth_methods_supported)
        : ["client_secret_basic"],
      authMethodsStated,
      code_challenge_methods_supported: strings(doc.code_challenge_methods_supported),
      scopes_supported: strings(doc.scopes_supported),
      openIdProvider: Array.isArray(doc.id_token_signing_alg_values_supported),
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
  /** OpenID Connect's name for the identity probe's endpoint; the relay takes it as `identity_endpoint`. */
  readonly userinfo_endpoint?: string;
  readonly revocation_endpoint?: string;
  readonly introspection_endpoint?: string;
  readonly jwks_uri?: string;
  readonly token_endpoint_auth_method: "client_secret_basic" | "client_secret_post";
  readonly body_encoding: "form";
}

export type DraftResult =
  | {
      readonly ok: true;
      readonly client: CustomClientDraft;
      readonly pkce: boolean;
      /** Why this client authentication, in words. */
      readonly authMethodReason: string;
    }
  | { readonly ok: false; readonly problem: string };

/** Why the drafted client authenticates as it does, or why it cannot. */
function chooseAuthMethod(
  metadata: DiscoveredMetadata,
):
  | { readonly method: "client_secret_basic" | "client_secret_post"; readonly reason: string }
  | { readonly problem: string } {
  const methods = metadata.token_endpoint_auth_methods_supported;
  if (!metadata.authMethodsStated) {
    return {
      method: "client_secret_basic",
      reason:
        "client_secret_basic: the metadata lists no methods, and RFC 8414 §2 makes Basic the default then.",
    };
  }
  if (methods.includes("client_secret_basic")) {
    const also = methods.includes("client_secret_post") ? " (client_secret_post is listed too)" : "";
    return {
      method: "client_secret_basic",
      reason: `client_secret_basic: the server lists it${also}, and it is OAuth's default, which every server that issues secrets must support (RFC 6749 §2.3.1); the secret travels in the Authorization header, not in the body.`,
    };
  }
  if (methods.includes("client_secret_post")) {
    return {
      method: "client_secret_post",
      reason:
        "client_secret_post: the server lists it and not client_secret_basic, so the relay sends the secret in the body.",
    };
  }
  return {
    problem: `The token endpoint takes only ${methods.join(", ") || "no client secret (its list of methods is empty)"}; the relay can send a client secret with client_secret_basic or client_secret_post only.`,
  };
}

/**
 * Drafts the client configuration from validated metadata: every endpoint it names (the userinfo
 * endpoint as the identity probe's), Basic when the server takes it, else secrets in the body, form
 * bodies (RFC 6749 §4.1.3), and `openid offline_access` when the server offers them.
 */
export function draftCustomClient(
  metadata: DiscoveredMetadata,
  options: { readonly id: string; readonly redirectUri: string },
): DraftResult {
  const auth = chooseAuthMethod(metadata);
  if ("problem" in auth) return { ok: false, problem: auth.problem };
  // An OpenID provider must support `openid` (OpenID Connect Discovery §3, scopes_supported), listed or
  // not; Django OAuth Toolkit, for one, lists no scopes. offline_access only when offered.
  const offered = (scope: string) =>
    metadata.scopes_supported.includes(scope) ||
    (scope === "openid" && metadata.scopes_supported.length === 0 && metadata.openIdProvider);
  const scope = ["openid", "offline_access"].filter(offered).join(" ");
  const optional = (name: string, value: string | null) => (value === null ? {} : { [name]: value });
  return {
    ok: true,
    pkce: metadata.code_challenge_methods_supported.includes("S256"),
    authMethodReason: auth.reason,
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
      ...optional("userinfo_endpoint", metadata.userinfo_endpoint),
      ...optional("revocation_endpoint", metadata.revocation_endpoint),
      ...optional("introspection_endpoint", metadata.introspection_endpoint),
      ...optional("jwks_uri", metadata.jwks_uri),
      token_endpoint_auth_method: auth.method,
      body_encoding: "form",
    },
  };
}
