/**
 * Building the authorization request (RFC 6749 §4.1.1) with PKCE (RFC 7636), state, and a nonce when
 * it is an OpenID Connect request (OpenID Connect Core §3.1.2.1).
 * Randomness and S256 come from oauth4webapi, which uses WebCrypto.
 */
import {
  calculatePKCECodeChallenge,
  generateRandomCodeVerifier,
  generateRandomNonce,
  generateRandomState,
} from "oauth4webapi";
import type { Recipe } from "../providers/types.ts";
import type { PublicClient } from "../relay/contract.ts";

/** A fresh PKCE pair: a 32-byte random verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export async function createPkce(): Promise<{ codeVerifier: string; codeChallenge: string }> {
  const codeVerifier = generateRandomCodeVerifier();
  return { codeVerifier, codeChallenge: await calculatePKCECodeChallenge(codeVerifier) };
}

/** A fresh one-time `state` of 256 random bits (RFC 6749 §10.12 asks for at least 128). */
export function createState(): string {
  return generateRandomState();
}

/**
 * A fresh `nonce` of 256 random bits when the scope asks for an ID token (`openid`), else null. The ID
 * token must carry it back (OpenID Connect Core §3.1.2.1, §3.1.3.7): it ties the token to this request.
 */
export function createNonceFor(scope: string): string | null {
  return scope.split(/[\s,+]+/).includes("openid") ? generateRandomNonce() : null;
}

/**
 * The client's authorization endpoint: the relay's word for it, else the recipe's for its environment.
 * Throws, saying what to configure, when there is none.
 */
export function authorizationEndpointOf(
  client: Pick<PublicClient, "id" | "authorization_endpoint" | "environment">,
  recipe: Recipe,
): string {
  const endpoint =
    client.authorization_endpoint ?? recipe.environments?.[client.environment ?? ""]?.authorization_endpoint;
  if (endpoint === undefined || endpoint === null) {
    throw new Error(
      `Client "${client.id}" has no authorization endpoint: add "authorization_endpoint" to it in TOKENDESK_CLIENTS.`,
    );
  }
  return endpoint;
}

/** The S256 challenge for a verifier (RFC 7636 §4.2). */
export function challengeFor(codeVerifier: string): Promise<string> {
  return calculatePKCECodeChallenge(codeVerifier);
}

export interface AuthorizationUrlInput {
  readonly authorizationEndpoint: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Space-separated; omitted from the URL when empty. */
  readonly scope: string;
  readonly state: string;
  readonly codeChallenge: string;
  /** Sent when not null: an OpenID Connect request's nonce ({@link createNonceFor}). */
  readonly nonce?: string | null;
  /** Provider-required or user-added parameters; they may not override the ones above. */
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** Parameters tokendesk itself sets; extra parameters naming one of these are refused. */
const OWN_PARAMS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "nonce",
] as const;

/** The authorization URL for the code grant with PKCE S256 (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export function buildAuthorizationUrl(input: AuthorizationUrlInput): URL {
  let url: URL;
  try {
    url = new URL(input.authorizationEndpoint);
  } catch {
    throw new TypeError(
      `"authorization_endpoint" must be an absolute URL, got "${input.authorizationEndpoint}"`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(
      `"authorization_endpoint" must use https (or http on loopback), got "${url.protocol}"`,
    );
  }
  const params = url.searchParams;
  params.set("response_type", "code");
  params.set("client_id", input.clientId);
  params.set("redirect_uri", input.redirectUri);
  if (input.scope.trim() !== "") params.set("scope", input.scope.trim());
  params.set("state", input.state);
  params.set("code_challenge", input.codeChallenge);
  params.set("code_challenge_method", "S256");
  if (input.nonce != null) params.set("nonce", input.nonce);
  for (const [name, value] of Object.entries(input.extraParams ?? {})) {
    if ((OWN_PARAMS as readonly string[]).includes(name)) {
      throw new TypeError(`extra parameter "${name}" would override one tokendesk sets itself; remove it`);
    }
    params.set(name, value);
  }
  return url;
}
