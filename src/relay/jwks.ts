/**
 * `POST {base}/jwks {client}`: the relay reads a client's JSON Web Key Set (RFC 7517 §5), so the page
 * can check an ID token's signature when the issuer does not let pages read its keys (no CORS). As
 * narrow as discovery: the only URL it reads is the client's `jwks_uri`, either configured (the
 * recipe's, or `jwks_uri` in TOKENDESK_CLIENTS) or, for a client with an issuer but no `jwks_uri`,
 * the one the issuer's OpenID Connect metadata names, read from `{issuer}/.well-known/openid-configuration`
 * (which must name the same issuer, OpenID Connect Discovery §4.3). GETs only, no credentials, no
 * redirects followed, bounded. Policy and outbound requests here, pure; the route is routes/jwks.ts.
 */
import { discoveryUrl } from "../providers/discovery.ts";
import { findNamedClient, type LookupRequest } from "./lookups.ts";
import { CREDENTIAL_BODY_FIELDS, checkEndpointUrl, isLoopbackHost } from "./policy.ts";

/** The largest JWK Set the relay reads: a few keys take a few kilobytes. */
export const JWKS_MAX_BYTES = 64 * 1024;

/** What the JWKS route needs to know of a configured client. */
export interface JwksClient {
  readonly id: string;
  readonly issuer: string | null;
  readonly jwksUri: string | null;
}

/** Where a client's keys are: a configured URL, or the one its issuer's metadata names. */
export type JwksSource =
  | { readonly kind: "configured"; readonly url: string }
  | { readonly kind: "discover"; readonly issuer: string; readonly metadataUrl: string };

/** A JWKS request refused before anything is sent: the `error` and description of a 400 answer. */
export interface JwksRefusal {
  readonly ok: false;
  readonly error: "invalid_request" | "unknown_client" | "credentials_not_allowed" | "jwks_unknown";
  readonly description: string;
  /** Set once known, for the log line. */
  readonly client?: string;
}

/**
 * Checks `POST {base}/jwks`: one JSON object naming a configured client, and nothing else (caller
 * credentials are refused as on every route). Nothing in the request says where the relay reads.
 */
export function checkJwksRequest<C extends JwksClient>(
  body: unknown,
  clients: ReadonlyMap<string, C>,
): { readonly ok: true; readonly client: C; readonly source: JwksSource } | JwksRefusal {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      ok: false,
      error: "invalid_request",
      description: 'The body must be one JSON object: {"client":"…"}.',
    };
  }
  const names = Object.keys(body);
  const smuggled = CREDENTIAL_BODY_FIELDS.filter((name) => names.includes(name));
  if (smuggled.length > 0) {
    return {
      ok: false,
      error: "credentials_not_allowed",
      description: `Remove ${smuggled.map((n) => `"${n}"`).join(", ")}: reading a client's public keys takes no credentials; name the client with "client".`,
    };
  }
  const unknown = names.find((name) => name !== "client");
  if (unknown !== undefined) {
    return {
      ok: false,
      error: "invalid_request",
      description: `Unknown field ${JSON.stringify(unknown.slice(0, 64))}; remove it: the only field is "client" (the relay reads no URL a caller names).`,
    };
  }
  const named = findNamedClient((body as { client?: unknown }).client, clients);
  if (!named.ok) return named;
  const client = named.client;
  if (client.jwksUri !== null)
    return { ok: true, client, source: { kind: "configured", url: client.jwksUri } };
  // A recipe's issuer may be a template (Microsoft's {tenantid}); such a recipe configures its jwks_uri.
  if (client.issuer === null || client.issuer.includes("{")) {
    return {
      ok: false,
      error: "jwks_unknown",
      client: client.id,
      description: `Client "${client.id}" has no jwks_uri and no issuer to discover one from, and the relay reads no other URL. Add "jwks_uri" (or "issuer") to the client in TOKENDESK_CLIENTS.`,
    };
  }
  return {
    ok: true,
    client,
    source: {
      kind: "discover",
      issuer: client.issuer,
      metadataUrl: discoveryUrl(client.issuer, "openid-configuration"),
    },
  };
}

function lookup(url: string, accept: string, userAgent: string): LookupRequest {
  const headers = { accept, "user-agent": userAgent };
  return {
    method: "GET",
    url,
    headers: new Headers(headers),
    sent: { method: "GET", url, headers, body: "" },
  };
}

/** The GET of a JWK Set: no credentials of any kind. */
export function buildJwksLookup(url: string, userAgent: string): LookupRequest {
  return lookup(url, "application/jwk-set+json, application/json", userAgent);
}

/** The GET of the issuer's OpenID Connect metadata, to find its `jwks_uri`. */
export function buildMetadataLookup(url: string, userAgent: string): LookupRequest {
  return lookup(url, "application/json", userAgent);
}

function hostOf(url: string): string {
  // A trailing dot and *.localhost (RFC 6761 §6.3) reach loopback too: count them as loopback.
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, "");
  return host.endsWith(".localhost") ? "localhost" : host;
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith("[");
}

/**
 * The `jwks_uri` an issuer's metadata names, if the relay may read it: the metadata is the issuer's own
 * (its `issuer` equals the configured one byte for byte), and the URL is https (http only on loopback)
 * and names a host. A loopback or IP-address URL is read only when the issuer itself is on that host
 * or on loopback: metadata from the internet cannot point the relay into its own network by address.
 */
export function jwksUriFromMetadata(
  status: number,
  body: string,
  issuer: string,
  metadataUrl: string,
): { readonly ok: true; readonly url: string } | { readonly ok: false; readonly problem: string } {
  const fail = (why: string) =>
    ({
      ok: false,
      problem: `The issuer's metadata at ${metadataUrl} ${why}; the relay read no keys.`,
    }) as const;
  if (status !== 200) return fail(`answered ${status}, not 200 with OpenID Connect metadata`);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return fail("is not JSON");
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return fail("is not a JSON object");
  const fields = doc as Record<string, unknown>;
  if (fields.issuer !== issuer) {
    return fail(
      `names the issuer ${JSON.stringify(fields.issuer)}, not ${JSON.stringify(issuer)} (OpenID Connect Discovery §4.3 says not to use it)`,
    );
  }
  const url = fields.jwks_uri;
  if (typeof url !== "string" || url === "") return fail('names no "jwks_uri"');
  const problem = checkEndpointUrl(url);
  if (problem !== undefined) return fail(`names a jwks_uri that ${problem}`);
  const host = hostOf(url);
  const issuerHost = hostOf(issuer);
  const local = isLoopbackHost(host) || isIpLiteral(host);
  if (local && host !== issuerHost && !isLoopbackHost(issuerHost)) {
    return fail(
      `names a jwks_uri on ${isLoopbackHost(host) ? "a loopback host" : "an IP address"} (${JSON.stringify(url.slice(0, 200))}), not on a host name`,
    );
  }
  return { ok: true, url };
}
