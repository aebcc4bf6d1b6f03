/**
 * The page's side of the relay contract (../shared/DESIGN.md). Returns what happened in full so the
 * page can show it; the one distinction that matters for safety is whether the outcome is known.
 */
import type {
  ApiCallRequest,
  ClientsResponse,
  DiscoveryRequest,
  Envelope,
  IntrospectionRequest,
  JwksRequest,
  ProbeRequest,
  RelayErrorBody,
  RevocationRequest,
  SentRequest,
  TokenRequest,
} from "../relay/contract.ts";
import { fetchClients, isErrorBody } from "./relay-clients.ts";

export { RelayUnavailableError } from "./relay-clients.ts";

export type RelayTokenResult =
  /**
   * The upstream request was made and answered; the envelope holds both sides (discovery may have
   * followed one trailing-slash redirect first: `redirected_from`).
   */
  | { readonly kind: "envelope"; readonly envelope: Envelope }
  /** The relay refused without calling the provider: nothing was spent. */
  | { readonly kind: "refused"; readonly status: number; readonly error: RelayErrorBody }
  /**
   * The request may or may not have reached the provider (relay unreachable, upstream timeout or
   * reset). A code or single-use refresh token may have been spent: never retry blindly.
   */
  | {
      readonly kind: "unknown";
      readonly status: number | null;
      readonly error: RelayErrorBody;
      readonly sent: SentRequest | null;
    };

export interface RelayClient {
  readonly base: string;
  /** `GET {base}/clients`: the clients, and why they are the last good ones when the relay says so. */
  clients(): Promise<ClientsResponse>;
  token(request: TokenRequest): Promise<RelayTokenResult>;
  /**
   * Revokes a token at the client's RFC 7009 revocation endpoint (`POST {base}/revoke`). An answer
   * that never came is `unknown`: the token may or may not be revoked, and revoking again is safe.
   */
  revoke(request: RevocationRequest): Promise<RelayTokenResult>;
}

/**
 * How long the page waits for the relay's answer to a token request. Longer than the relay's own
 * upstream timeout (10 s), so the relay normally answers first with a precise error; bounded so a
 * tab never holds a connection's refresh lock forever.
 */
export const RELAY_TOKEN_TIMEOUT_MS = 25_000;

/** A client for the relay at `base` (e.g. `http://127.0.0.1:5173/relay`). */
export function createRelayClient(base: string, fetchImpl: typeof fetch = fetch): RelayClient {
  const root = base.replace(/\/+$/, "");
  return {
    base: root,
    clients: () => fetchClients(root, fetchImpl),
    token: (request) => postToRelay(fetchImpl, `${root}/token`, request),
    revoke: (request) => postToRelay(fetchImpl, `${root}/revoke`, request),
  };
}

/** The relay's read-only calls: `POST {base}/probe`, `POST {base}/discovery`, `POST {base}/introspect` and `POST {base}/jwks`. */
export interface RelayLookups {
  /** Who the access token belongs to: one GET to the client's identity endpoint, through the relay. */
  probe(request: ProbeRequest): Promise<RelayTokenResult>;
  /** One well-known metadata document of an issuer, read by the relay (for issuers without CORS). */
  discover(request: DiscoveryRequest): Promise<RelayTokenResult>;
  /**
   * Asks the client's RFC 7662 introspection endpoint whether a token is active. A read: an answer
   * that never came (`unknown`) spent nothing, and introspecting again is always safe.
   */
  introspect(request: IntrospectionRequest): Promise<RelayTokenResult>;
  /** The client's JWK Set, read by the relay from its configured or discovered `jwks_uri` (v1.4). */
  jwks(request: JwksRequest): Promise<RelayTokenResult>;
}

/** The lookups of the relay at `base`. */
export function createRelayLookups(base: string, fetchImpl: typeof fetch = fetch): RelayLookups {
  const root = base.replace(/\/+$/, "");
  return {
    probe: (request) => postToRelay(fetchImpl, `${root}/probe`, request),
    discover: (request) => postToRelay(fetchImpl, `${root}/discovery`, request),
    introspect: (request) => postToRelay(fetchImpl, `${root}/introspect`, request),
    jwks: (request) => postToRelay(fetchImpl, `${root}/jwks`, request),
  };
}

/**
 * `POST {base}/api` (v1.5): one call to the provider's API with the connection's access token, through
 * the relay (browsers cannot call most of these APIs: no CORS, and FreeAgent wants a User-Agent). A
 * `refused` result sent nothing; `unknown` may have reached the API.
 */
export function createRelayApi(
  base: string,
  fetchImpl: typeof fetch = fetch,
): (request: ApiCallRequest) => Promise<RelayTokenResult> {
  const root = base.replace(/\/+$/, "");
  return (request) => postToRelay(fetchImpl, `${root}/api`, request);
}

/** POSTs one JSON request to the relay and sorts the answer: envelope, refusal, or outcome unknown. */
async function postToRelay(fetchImpl: typeof fetch, url: string, request: object): Promise<RelayTokenResult> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(request),
      cache: "no-store",
      signal: AbortSignal.timeout(RELAY_TOKEN_TIMEOUT_MS),
    });
  } catch (cause) {
    return {
      kind: "unknown",
      status: null,
      sent: null,
      error: {
        error: "relay_unreachable",
        error_description: `The request to the relay failed (${cause instanceof Error ? cause.message : "network error"}); it may or may not have reached the provider.`,
        outcome: "unknown",
      },
    };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 200 && body !== null && typeof body === "object" && "upstream" in body) {
    return { kind: "envelope", envelope: body as Envelope };
  }
  const error: RelayErrorBody = isErrorBody(body)
    ? body
    : {
        error: "relay_bad_answer",
        error_description: `The relay answered ${response.status} with something that is not a relay answer.`,
        outcome: "unknown",
      };
  if (error.outcome === "unknown" || response.status >= 500) {
    return { kind: "unknown", status: response.status, error, sent: error.sent ?? null };
  }
  return { kind: "refused", status: response.status, error };
}
