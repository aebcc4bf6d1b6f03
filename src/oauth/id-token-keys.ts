/**
 * Reading the issuer's signing keys (a JWK Set, RFC 7517 §5) to check an ID token: from the page
 * itself when the issuer allows it (CORS), through the relay's `POST {base}/jwks` otherwise, which
 * reads only the client's configured or discovered `jwks_uri`. Pure of the DOM: runs in the page and in
 * the shared token worker alike.
 */
import type { JSONWebKeySet } from "jose";
import type { JwksRequest, PublicClient } from "../relay/contract.ts";
import type { KeysResult } from "./id-token.ts";
import type { RelayTokenResult } from "./relay-client.ts";

/** A JWK Set is a few keys: anything larger is not one (the relay stops at the same size). */
export const JWKS_MAX_CHARS = 64 * 1024;

/** How long the page waits for the issuer's keys before asking the relay. */
const PAGE_TIMEOUT_MS = 10_000;

/** Reads a JWK Set from text, or says why it is not one. */
export function parseJwks(text: string): { ok: true; jwks: JSONWebKeySet } | { ok: false; problem: string } {
  if (text.length > JWKS_MAX_CHARS) {
    return {
      ok: false,
      problem: `the answer is larger than ${JWKS_MAX_CHARS} characters, too large for a key set`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: "the answer is not JSON" };
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => k === null || typeof k !== "object" || Array.isArray(k))) {
    return {
      ok: false,
      problem: 'the answer is not a JWK Set: it has no "keys" list of objects (RFC 7517 §5)',
    };
  }
  return { ok: true, jwks: parsed as JSONWebKeySet };
}

function fromAnswer(status: number, body: string, url: string, via: "page" | "relay"): KeysResult {
  if (status !== 200) {
    return { ok: false, problem: `${url} answered ${status}${via === "relay" ? " to the relay" : ""}` };
  }
  const parsed = parseJwks(body);
  return parsed.ok
    ? { ok: true, jwks: parsed.jwks, url, via }
    : { ok: false, problem: `${url}: ${parsed.problem}` };
}

/**
 * The issuer's keys for `client`. The page reads `jwks_uri` itself first; a network failure there (most
 * often CORS) sends the relay. A client without a `jwks_uri` asks the relay at once: only it may read
 * the issuer's metadata to find one.
 */
export async function readIssuerKeys(
  client: Pick<PublicClient, "id" | "jwks_uri">,
  deps: {
    readonly fetch: typeof fetch;
    readonly jwks: (request: JwksRequest) => Promise<RelayTokenResult>;
  },
): Promise<KeysResult> {
  let pageProblem = "";
  if (client.jwks_uri !== null) {
    const url = client.jwks_uri;
    try {
      const response = await deps.fetch(url, {
        headers: { Accept: "application/jwk-set+json, application/json" },
        credentials: "omit",
        redirect: "error",
        cache: "no-store",
        signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
      });
      return fromAnswer(response.status, await response.text(), url, "page");
    } catch {
      // Most often CORS: the issuer does not let pages read its keys. The relay may.
      pageProblem = `the page could not read ${url} (no CORS, or unreachable); `;
    }
  }
  const result = await deps.jwks({ client: client.id });
  if (result.kind === "envelope") {
    const { sent, upstream } = result.envelope;
    return fromAnswer(upstream.status, upstream.body, sent.url, "relay");
  }
  return { ok: false, problem: `${pageProblem}the relay said: ${result.error.error_description}` };
}
