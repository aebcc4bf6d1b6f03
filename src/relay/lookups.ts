/**
 * The relay's two read-only lookups, policy and outbound request, apart from the orchestration:
 * - `POST {base}/probe {client, access_token}`: GET the client's identity endpoint (the recipe's, or
 *   the operator's for custom and demo clients) with the token as a Bearer token, and nothing else;
 * - `POST {base}/discovery {issuer, well_known}`: GET one of the two well-known metadata documents of
 *   an issuer, for filling a custom client when the issuer's metadata is not readable cross-origin,
 *   and (v1.4) the same path with a trailing slash added or removed when the issuer redirects there
 *   (the rule is `acceptableWellKnownRedirect`; routes/discovery.ts follows it).
 * Same envelope and refusals as `POST {base}/token` (DESIGN.md: later endpoints "follow the same
 * envelope and the same allowlists"). Pure: no I/O, Web APIs only.
 */
import { discoveryUrl, issuerProblem, WELL_KNOWN, type WellKnown } from "../providers/discovery.ts";
import { REDACTED, type SentRequest } from "./contract.ts";
import { isLoopbackHost } from "./policy.ts";

/** A GET the relay may send, and the same request as the page may see it. */
export interface LookupRequest {
  readonly method: "GET";
  readonly url: string;
  readonly headers: Headers;
  readonly sent: SentRequest;
}

/** A lookup refused before anything is sent: the `error` and description of a 400 answer. */
export interface LookupRefusal {
  readonly ok: false;
  readonly error: "invalid_request" | "unknown_client" | "no_identity_endpoint" | "issuer_not_allowed";
  readonly description: string;
  /** Set once known, for the log line. */
  readonly client?: string;
}

/** What the probe needs to know of a configured client. */
export interface ProbeClient {
  readonly id: string;
  readonly identityEndpoint: string | null;
  /** The recipe's extra outbound headers, names lower-cased. */
  readonly requestHeaders: Readonly<Record<string, string>>;
}

/**
 * RFC 6750 §2.1 limits a Bearer token to `b64token` characters; visible ASCII is enough to keep a
 * caller from adding header lines, and lenient with providers that stretch the syntax.
 */
const TOKEN_PATTERN = /^[\x21-\x7e]{1,8192}$/;

function fieldsOf(body: unknown, allowed: readonly string[]): Record<string, unknown> | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return `The body must be one JSON object with ${allowed.map((f) => `"${f}"`).join(" and ")}.`;
  }
  const unknown = Object.keys(body).find((name) => !allowed.includes(name));
  if (unknown !== undefined) {
    return `Unknown field ${JSON.stringify(unknown.slice(0, 64))}; remove it (allowed fields: ${allowed.join(", ")}).`;
  }
  return body as Record<string, unknown>;
}

/**
 * The configured client a lookup's `client` field names, or the refusal that says what is wrong with
 * it: the same words on every read-only route.
 */
export function findNamedClient<C>(
  id: unknown,
  clients: ReadonlyMap<string, C>,
):
  | { readonly ok: true; readonly client: C }
  | {
      readonly ok: false;
      readonly error: "invalid_request" | "unknown_client";
      readonly description: string;
    } {
  if (typeof id !== "string" || id === "") {
    return {
      ok: false,
      error: "invalid_request",
      description: '"client" must be a non-empty string naming one of the clients GET {base}/clients lists.',
    };
  }
  const client = clients.get(id);
  if (client === undefined) {
    return {
      ok: false,
      error: "unknown_client",
      description: `No client ${JSON.stringify(id.slice(0, 64))} is configured in this relay; use one of the ids GET {base}/clients lists.`,
    };
  }
  return { ok: true, client };
}

/**
 * Checks `POST {base}/probe`: a configured client that has an identity endpoint, and an access token
 * of header-safe characters. Nothing in the request can change where the relay sends it.
 */
export function checkProbeRequest<C extends ProbeClient>(
  body: unknown,
  clients: ReadonlyMap<string, C>,
): { readonly ok: true; readonly client: C; readonly accessToken: string } | LookupRefusal {
  const fields = fieldsOf(body, ["client", "access_token"]);
  if (typeof fields === "string") return { ok: false, error: "invalid_request", description: fields };
  const named = findNamedClient(fields.client, clients);
  if (!named.ok) return named;
  const client = named.client;
  if (client.identityEndpoint === null) {
    return {
      ok: false,
      error: "no_identity_endpoint",
      client: client.id,
      description: `Client "${client.id}" has no identity endpoint: its provider has none tokendesk knows, and the relay calls no other URL. For a custom provider, add "identity_endpoint" to the client in TOKENDESK_CLIENTS.`,
    };
  }
  const token = fields.access_token;
  if (typeof token !== "string" || !TOKEN_PATTERN.test(token)) {
    return {
      ok: false,
      error: "invalid_request",
      client: client.id,
      description:
        '"access_token" must be the access token: 1 to 8192 visible ASCII characters (RFC 6750 §2.1), no spaces or line breaks.',
    };
  }
  return { ok: true, client, accessToken: token };
}

/** The probe as sent: GET the identity endpoint with the token as a Bearer token (RFC 6750 §2.1). */
export function buildProbeRequest(
  client: ProbeClient,
  accessToken: string,
  userAgent: string,
): LookupRequest {
  const url = client.identityEndpoint ?? "";
  const common: Record<string, string> = {
    accept: "application/json",
    "user-agent": userAgent,
    ...client.requestHeaders,
  };
  return {
    method: "GET",
    url,
    headers: new Headers({ ...common, authorization: `Bearer ${accessToken}` }),
    sent: { method: "GET", url, headers: { ...common, authorization: `Bearer ${REDACTED}` }, body: "" },
  };
}

/**
 * Checks `POST {base}/discovery`: an issuer that is an https URL naming a host (no IP address), or a
 * loopback URL when the caller reached the relay on loopback (`onLoopback`, the runtime's word, never a
 * header's); one of the two well-known documents. A deployed relay so never reaches its own network's
 * addresses through this route.
 */
export function checkDiscoveryRequest(
  body: unknown,
  onLoopback: boolean,
): { readonly ok: true; readonly issuer: string; readonly wellKnown: WellKnown } | LookupRefusal {
  const fields = fieldsOf(body, ["issuer", "well_known"]);
  if (typeof fields === "string") return { ok: false, error: "invalid_request", description: fields };
  const { issuer, well_known: wellKnown } = fields;
  if (typeof wellKnown !== "string" || !(WELL_KNOWN as readonly string[]).includes(wellKnown)) {
    return {
      ok: false,
      error: "invalid_request",
      description: `"well_known" must be ${WELL_KNOWN.map((w) => `"${w}"`).join(" or ")}: the relay reads no other document.`,
    };
  }
  if (typeof issuer !== "string" || issuer === "" || issuer.length > 2048) {
    return {
      ok: false,
      error: "invalid_request",
      description: '"issuer" must be the issuer URL, e.g. "https://auth.example.com".',
    };
  }
  const problem = issuerProblem(issuer);
  if (problem !== undefined) {
    return { ok: false, error: "issuer_not_allowed", description: `The issuer ${problem}.` };
  }
  // A trailing dot and *.localhost (RFC 6761 §6.3) reach loopback too: count them as loopback.
  const hostname = new URL(issuer).hostname.toLowerCase().replace(/\.$/, "");
  if (isLoopbackHost(hostname) || hostname.endsWith(".localhost")) {
    if (!onLoopback) {
      return {
        ok: false,
        error: "issuer_not_allowed",
        description:
          "This relay does not fetch from loopback hosts: it was not reached on one of its own loopback addresses. Fetch a local issuer's metadata from the page instead.",
      };
    }
  } else if (/^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith("[")) {
    return {
      ok: false,
      error: "issuer_not_allowed",
      description:
        "The issuer must name a host, not an IP address: the relay does not fetch from raw addresses.",
    };
  }
  return { ok: true, issuer, wellKnown: wellKnown as WellKnown };
}

/** The discovery request as sent: GET the well-known document, no credentials of any kind. */
export function buildDiscoveryRequest(
  issuer: string,
  wellKnown: WellKnown,
  userAgent: string,
): LookupRequest {
  return metadataGet(discoveryUrl(issuer, wellKnown), userAgent);
}

/**
 * The request to a redirect's target, once `acceptableWellKnownRedirect` allowed it: the same GET,
 * the same headers, to the same origin.
 */
export function buildDiscoveryFollowUp(target: URL, userAgent: string): LookupRequest {
  return metadataGet(target.href, userAgent);
}

function metadataGet(url: string, userAgent: string): LookupRequest {
  const headers = { accept: "application/json", "user-agent": userAgent };
  return {
    method: "GET",
    url,
    headers: new Headers(headers),
    sent: { method: "GET", url, headers: { ...headers }, body: "" },
  };
}
