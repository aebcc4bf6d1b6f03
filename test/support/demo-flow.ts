// Drives the demo authorization server (src/dev/demo-server.ts) from Node with plain fetch: authorization
// request with PKCE, the built-in login and consent pages, and token requests. No browser involved.
import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomState } from "oauth4webapi";
import type { DemoServer } from "../../src/dev/demo-server.ts";

/** A minimal cookie jar: name, value and path, enough for oidc-provider's interaction cookies. */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = "/";
      let expired = value === "";
      for (const attribute of attributes) {
        const [key = "", attributeValue = ""] = attribute.split("=", 2);
        const lower = key.toLowerCase();
        if (lower === "path") path = attributeValue || "/";
        else if (lower === "max-age" && Number(attributeValue) <= 0) expired = true;
        else if (lower === "expires" && Date.parse(attributeValue) <= Date.now()) expired = true;
      }
      const id = `${path}\n${name}`;
      if (expired) this.#cookies.delete(id);
      else this.#cookies.set(id, { value, path });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.#cookies]
      .filter(
        ([, { path }]) => pathname === path || pathname.startsWith(path.endsWith("/") ? path : `${path}/`),
      )
      .map(([id, { value }]) => `${id.slice(id.indexOf("\n") + 1)}=${value}`)
      .join("; ");
  }
}

export interface AuthorizationRequest {
  url: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

/** An authorization URL for the demo client with PKCE (S256) and state. */
export async function buildAuthorizationRequest(
  server: DemoServer,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<AuthorizationRequest> {
  const codeVerifier = generateRandomCodeVerifier();
  const state = generateRandomState();
  const url = new URL(server.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: server.clientId,
    redirect_uri: redirectUri,
    scope: server.scope,
    state,
    code_challenge: await calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    ...extra,
  }).toString();
  return { url: url.href, state, codeVerifier, redirectUri };
}

function decodeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/**
 * Follows an authorization request through the demo server's login and consent pages (any login is
 * accepted) until it redirects to `redirectUri`, and returns that callback URL (code/state/iss, or error).
 */
export async function authorizeThroughForms(
  authorizationUrl: string,
  redirectUri: string,
  { login = "alice", jar = new CookieJar() }: { login?: string; jar?: CookieJar } = {},
): Promise<URL> {
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let hop = 0; hop < 20; hop++) {
    const cookie = jar.header(url);
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string> | undefined), ...(cookie ? { cookie } : {}) },
    });
    jar.store(response);
    init = {};

    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (`${next.origin}${next.pathname}` === redirectUri.split(/[?#]/)[0]) return next;
      url = next.href;
      continue;
    }

    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`unexpected ${response.status} from ${url}: ${html.slice(0, 500)}`);
    const action = /<form[^>]*\saction="([^"]*)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]*)"/.exec(html)?.[1];
    if (action === undefined || prompt === undefined) throw new Error(`no interaction form at ${url}`);

    const form = new URLSearchParams({ prompt });
    if (prompt === "login") {
      form.set("login", login);
      form.set("password", "any password");
    }
    url = new URL(decodeHtml(action), url).href;
    init = {
      method: "POST",
      body: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    };
  }
  throw new Error("too many hops before reaching the redirect URI");
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

export type ClientAuth =
  | { method: "basic"; clientId?: string; clientSecret?: string }
  | { method: "post"; clientId?: string; clientSecret?: string }
  | { method: "none" };

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString("base64")}`;
}

/** POSTs to the token endpoint, authenticating as the demo client with HTTP Basic unless told otherwise. */
export async function tokenRequest(
  server: DemoServer,
  params: Record<string, string>,
  auth: ClientAuth = { method: "basic" },
): Promise<TokenResponse> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (auth.method === "basic") {
    headers.authorization = basicAuthorization(
      auth.clientId ?? server.clientId,
      auth.clientSecret ?? server.clientSecret,
    );
  } else if (auth.method === "post") {
    body.set("client_id", auth.clientId ?? server.clientId);
    body.set("client_secret", auth.clientSecret ?? server.clientSecret);
  } else {
    body.set("client_id", server.clientId);
  }
  const response = await fetch(server.token_endpoint, { method: "POST", headers, body: body.toString() });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export function exchangeCode(
  server: DemoServer,
  request: AuthorizationRequest,
  code: string,
): Promise<TokenResponse> {
  return tokenRequest(server, {
    grant_type: "authorization_code",
    code,
    redirect_uri: request.redirectUri,
    code_verifier: request.codeVerifier,
  });
}

export function refreshTokens(server: DemoServer, refreshToken: string): Promise<TokenResponse> {
  return tokenRequest(server, { grant_type: "refresh_token", refresh_token: refreshToken });
}

/** The whole front channel: a fresh authorization request, login and consent; returns the code. */
export async function authorizeForCode(
  server: DemoServer,
  redirectUri: string,
  options: { login?: string } = {},
): Promise<{ request: AuthorizationRequest; callback: URL; code: string }> {
  const request = await buildAuthorizationRequest(server, redirectUri);
  const callback = await authorizeThroughForms(request.url, redirectUri, options);
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`no code in callback ${callback.href}`);
  return { request, callback, code };
}
