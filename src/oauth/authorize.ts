/**
 * Building the authorization request (RFC 6749 §4.1.1) with PKCE (RFC 7636) and state.
 * Randomness and S256 come from oauth4webapi, which uses WebCrypto.
 */
import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomState } from "oauth4webapi";

/** A fresh PKCE pair: a 32-byte random verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export async function createPkce(): Promise<{ codeVerifier: string; codeChallenge: string }> {
  const codeVerifier = generateRandomCodeVerifier();
  return { codeVerifier, codeChallenge: await calculatePKCECodeChallenge(codeVerifier) };
}

/** A fresh one-time `state` of 256 random bits (RFC 6749 §10.12 asks for at least 128). */
export function createState(): string {
  return generateRandomState();
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
  for (const [name, value] of Object.entries(input.extraParams ?? {})) {
    if ((OWN_PARAMS as readonly string[]).includes(name)) {
      throw new TypeError(`extra parameter "${name}" would override one tokendesk sets itself; remove it`);
    }
    params.set(name, value);
  }
  return url;
}
