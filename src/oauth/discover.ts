/**
 * Finding an issuer's metadata (RFC 8414, OpenID Connect Discovery): straight from the browser when
 * the issuer allows it (CORS), through the relay when it does not. Each attempt is kept, so the page
 * can show what was tried.
 */
import {
  type DiscoveredMetadata,
  discoveryUrl,
  issuerProblem,
  parseMetadata,
  type WellKnown,
} from "../providers/discovery.ts";
import type { RelayLookups } from "./relay-client.ts";

export interface DiscoveryAttempt {
  readonly url: string;
  readonly via: "browser" | "relay";
  /** The HTTP status, or what went wrong before one came. */
  readonly outcome: string;
}

export type DiscoveryResult =
  | {
      readonly ok: true;
      readonly metadata: DiscoveredMetadata;
      readonly url: string;
      readonly via: "browser" | "relay";
      readonly attempts: readonly DiscoveryAttempt[];
    }
  | { readonly ok: false; readonly problem: string; readonly attempts: readonly DiscoveryAttempt[] };

// OpenID Connect first: most providers publish it, and the demo server publishes only it.
const ORDER: readonly WellKnown[] = ["openid-configuration", "oauth-authorization-server"];

/** Reads the issuer's metadata from the first well-known document that has it. */
export async function discoverIssuer(
  issuer: string,
  deps: { readonly fetch: typeof fetch; readonly lookups: RelayLookups },
): Promise<DiscoveryResult> {
  const problem = issuerProblem(issuer);
  if (problem !== undefined) return { ok: false, problem: `The issuer ${problem}.`, attempts: [] };
  const attempts: DiscoveryAttempt[] = [];
  let lastProblem = "No metadata document was found.";
  for (const wellKnown of ORDER) {
    const url = discoveryUrl(issuer, wellKnown);
    let answer: { status: number; body: string; via: "browser" | "relay" } | null = null;
    try {
      const response = await deps.fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "omit",
        redirect: "error",
        cache: "no-store",
      });
      answer = { status: response.status, body: await response.text(), via: "browser" };
      attempts.push({ url, via: "browser", outcome: String(response.status) });
    } catch {
      // A network error here is most often CORS: the issuer does not let pages read it. Ask the relay.
      attempts.push({ url, via: "browser", outcome: "not readable from the page (no CORS, or unreachable)" });
      const result = await deps.lookups.discover({ issuer, well_known: wellKnown });
      if (result.kind === "envelope") {
        answer = {
          status: result.envelope.upstream.status,
          body: result.envelope.upstream.body,
          via: "relay",
        };
        attempts.push({ url, via: "relay", outcome: String(answer.status) });
      } else {
        attempts.push({ url, via: "relay", outcome: result.error.error_description });
        lastProblem = result.error.error_description;
      }
    }
    if (answer === null || answer.status !== 200) continue;
    const parsed = parseMetadata(answer.body, issuer);
    if (!parsed.ok) {
      lastProblem = parsed.problem;
      continue;
    }
    return { ok: true, metadata: parsed.metadata, url, via: answer.via, attempts };
  }
  return { ok: false, problem: lastProblem, attempts };
}
