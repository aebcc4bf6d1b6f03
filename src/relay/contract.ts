/**
 * The relay's wire contract (../shared/DESIGN.md, "The relay's contract"). Types only: the page
 * imports these to speak to the relay, the relay to answer; neither imports the other's code.
 */
import type { BodyEncoding, ClientAuthMethod } from "../providers/types.ts";

/** One client as `GET {base}/clients` lists it. Never carries the secret. */
export interface PublicClient {
  readonly id: string;
  readonly provider: string;
  readonly environment: string | null;
  readonly client_id: string;
  readonly redirect_uris: readonly string[];
  readonly scope: string | null;
  /**
   * Endpoints as the relay will use them. Added to the contract (v1.1) because clients whose recipe
   * has no fixed endpoints (`custom`, and the demo server on a port chosen at start) need the page to
   * know where to send the browser; all of these are public facts about the provider.
   */
  readonly issuer: string | null;
  readonly authorization_endpoint: string | null;
  readonly token_endpoint: string;
  /**
   * The identity probe's URL (v1.2): `POST {base}/probe` calls it and nothing else for this client.
   * Null when the provider has no "who am I" endpoint tokendesk knows.
   */
  readonly identity_endpoint: string | null;
  /**
   * The RFC 7009 revocation endpoint (v1.3): `POST {base}/revoke` calls it and nothing else for this
   * client. Null when the provider has none tokendesk knows, and then the relay refuses to revoke.
   */
  readonly revocation_endpoint: string | null;
  /**
   * The RFC 7662 introspection endpoint (v1.4): `POST {base}/introspect` calls it and nothing else for
   * this client. Null when there is none, and then the relay refuses to introspect.
   */
  readonly introspection_endpoint: string | null;
  /**
   * The issuer's JWKS (v1.4), for verifying ID token signatures: the page reads it directly when CORS
   * allows, else `POST {base}/jwks` reads it, and only it. Null when none is configured or known.
   */
  readonly jwks_uri: string | null;
  readonly token_endpoint_auth_method: ClientAuthMethod;
  readonly body_encoding: BodyEncoding;
  /**
   * (v1.5) `POST {base}/api` calls only URLs under these, with the caller's access token. Empty when
   * none is configured or known; absent from relays older than 1.5.
   */
  readonly api_base_urls?: readonly string[];
}

/** `GET {base}/clients` */
export interface ClientsResponse {
  readonly clients: readonly PublicClient[];
  /**
   * (v1.4) Why these clients are the last good ones: the relay's configuration changed and was
   * refused (`npm start` and `npm run relay` reload `.env.local`). Names the field at fault, never a
   * secret. Absent while the configuration in use is the latest.
   */
  readonly configuration_error?: string;
}

/** `POST {base}/token` body for a code exchange. */
export interface CodeGrantRequest {
  readonly client: string;
  readonly grant_type: "authorization_code";
  readonly code: string;
  readonly redirect_uri: string;
  readonly code_verifier?: string;
}

/** `POST {base}/token` body for a refresh. */
export interface RefreshGrantRequest {
  readonly client: string;
  readonly grant_type: "refresh_token";
  readonly refresh_token: string;
  readonly scope?: string;
}

export type TokenRequest = CodeGrantRequest | RefreshGrantRequest;

/** The kinds of token `POST {base}/revoke` names as `token_type_hint` (RFC 7009 §2.1). */
export type RevocationTokenType = "refresh_token" | "access_token";

/**
 * `POST {base}/revoke` body (v1.3): the relay sends `token` (and the hint) to the client's revocation
 * endpoint, authenticated as for the token endpoint (RFC 7009 §2.1).
 */
export interface RevocationRequest {
  readonly client: string;
  readonly token: string;
  readonly token_type_hint?: RevocationTokenType;
}

/**
 * `POST {base}/introspect` body (v1.4): the relay sends `token` (and the hint) to the client's
 * introspection endpoint, authenticated as for the token endpoint (RFC 7662 §2.1).
 */
export interface IntrospectionRequest {
  readonly client: string;
  readonly token: string;
  readonly token_type_hint?: RevocationTokenType;
}

/** `POST {base}/jwks` body (v1.4): the relay GETs the client's JWKS, and nothing else. */
export interface JwksRequest {
  readonly client: string;
}

/**
 * `POST {base}/jwks`'s `200` answer (v1.4): the envelope of the JWKS GET, and, when the `jwks_uri` came
 * from the issuer's OpenID Connect metadata rather than the configuration, the envelope of that GET.
 */
export interface JwksEnvelope extends Envelope {
  readonly metadata?: Envelope;
}

/** The methods `POST {base}/api` sends (v1.5). */
export type ApiCallMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * `POST {base}/api` body (v1.5): one request to the provider's API, under one of the client's
 * `api_base_urls`, with `access_token` as a Bearer token the relay sets. `headers` only from the
 * relay's allow-list; `body` at most 64 KiB of UTF-8, not with GET or HEAD.
 */
export interface ApiCallRequest {
  readonly client: string;
  readonly access_token: string;
  readonly method: ApiCallMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** `POST {base}/probe` body (v1.2): the relay GETs the client's identity endpoint with this token. */
export interface ProbeRequest {
  readonly client: string;
  readonly access_token: string;
}

/**
 * `POST {base}/discovery` body (v1.2): the relay GETs this one well-known document of the issuer, and
 * (v1.4) follows one redirect that adds or removes a trailing slash on the same origin.
 */
export interface DiscoveryRequest {
  readonly issuer: string;
  readonly well_known: "oauth-authorization-server" | "openid-configuration";
}

/** The request as the relay sent it upstream, with the secret replaced by `[redacted]`. */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The provider's answer, body as raw text (JSON, HTML or anything). */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** `200` answer of every POST route whenever its upstream request got an answer. */
export interface Envelope {
  readonly sent: SentRequest;
  readonly upstream: UpstreamResponse;
  /** Milliseconds from sending the upstream request to reading its whole body. */
  readonly ms: number;
  /**
   * Discovery only (v1.4): the first request and its redirect, when the relay followed it; `sent` and
   * `upstream` above are then the request to the redirect's target and its answer. The relay follows
   * at most one redirect, and only one that adds or removes a trailing slash on the same origin.
   */
  readonly redirected_from?: RedirectHop;
  /**
   * Discovery only (v1.4): why the redirect in `upstream` was not followed, in words (another origin,
   * another path, a second redirect…). Its target was never called.
   */
  readonly redirect_refused?: string;
  /**
   * API calls only (v1.5): the answer's body was longer than the relay reads (1 MiB); `upstream.body`
   * holds its beginning and the rest was not read.
   */
  readonly truncated?: true;
}

/** One upstream request and its redirect answer, as an {@link Envelope} shows it. */
export interface RedirectHop {
  readonly sent: SentRequest;
  readonly upstream: UpstreamResponse;
  readonly ms: number;
}

/** Every refusal or failure of the relay itself. */
export interface RelayErrorBody {
  readonly error: string;
  readonly error_description: string;
  /** Present when the upstream request may or may not have been processed (timeout, reset). */
  readonly outcome?: "unknown";
  /** On `upstream_*` failures: the request as it was sent, secret redacted. */
  readonly sent?: SentRequest;
}

/** The placeholder that stands wherever a secret was. */
export const REDACTED = "[redacted]";
