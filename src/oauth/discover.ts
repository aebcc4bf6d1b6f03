/**
 * Finding an issuer's metadata (RFC 8414, OpenID Connect Discovery): straight from the browser when
 * the issuer allows it (CORS), through the relay when it does not. Each attempt is kept, so the page
 * can show what was tried. Either way at most one redirect is followed, and only one the shared rule
 * allows (a trailing slash added or removed on the same origin).
 */
import {
  type DiscoveredMetadata,
  discoveryUrl,
  type IssuerMismatch,
  issuerProblem,
  parseMetadata,
  type WellKnown,
} from "../providers/discovery.ts";
import { acceptableWellKnownRedirect } from "../providers/well-known-redirect.ts";
import type { Envelope } from "../relay/contract.ts";
import type { RelayLookups } from "./relay-client.ts";

export interface DiscoveryAttempt {
  readonly url: string;
  readonly via: "browser" | "relay";
  /** The HTTP status, or what went wrong before one came; with the redirect followed or refused. */
  readonly outcome: string;
}

export type DiscoveryResult =
  | {
      readonly ok: true;
      readonly metadata: DiscoveredMetadata;
      /** The well-known URL asked for. */
      readonly url: string;
      /** Where the metadata was read, when a redirect was followed to it. */
      readonly redirectedTo: string | null;
      readonly via: "browser" | "relay";
      readonly attempts: readonly DiscoveryAttempt[];
    }
  | {
      readonly ok: false;
      readonly problem: string;
      /** Set when a document named another issuer: what it named, and what to discover instead. */
      readonly mismatch?: IssuerMismatch;
      readonly attempts: readonly DiscoveryAttempt[];
    };

// OpenID Connect first: most providers publish it, and the demo server publishes only it.
const ORDER: readonly WellKnown[] = ["openid-configuration", "oauth-authorization-server"];

/** One document's answer, as far as it got. */
type Answer =
  | {
      readonly kind: "answer";
      readonly status: number;
      readonly body: string;
      readonly via: "browser" | "relay";
      readonly redirectedTo: string | null;
    }
  /** Nothing to read here: why, for the problem shown when no document is found. */
  | { readonly kind: "none"; readonly why: string | null; readonly rank: number };

// When nothing is found, the most telling reason is shown: a document naming another issuer, then a
// redirect refused, then a document that is not metadata, then the relay's refusal.
const RANK = { mismatch: 4, redirect: 3, document: 2, relay: 1 } as const;

/** Reads one document from the page, following a redirect only as the rule allows. */
async function readFromPage(
  url: string,
  fetchImpl: typeof fetch,
  attempts: DiscoveryAttempt[],
): Promise<Answer | null> {
  let response: Response;
  try {
    // "follow", because a page cannot see a redirect's Location: what the browser ended at is then
    // checked against the rule, and nothing is read from a URL the rule refuses.
    response = await fetchImpl(url, {
      headers: { Accept: "application/json" },
      credentials: "omit",
      redirect: "follow",
      cache: "no-store",
    });
  } catch {
    // A network error here is most often CORS (on the document or on a redirect before it): the
    // issuer does not let pages read it. The caller asks the relay.
    attempts.push({ url, via: "browser", outcome: "not readable from the page (no CORS, or unreachable)" });
    return null;
  }
  if (!response.redirected) {
    attempts.push({ url, via: "browser", outcome: String(response.status) });
    return {
      kind: "answer",
      status: response.status,
      body: await response.text(),
      via: "browser",
      redirectedTo: null,
    };
  }
  const verdict = acceptableWellKnownRedirect(new URL(url), response.url);
  if (!verdict.ok) {
    await response.body?.cancel().catch(() => undefined);
    attempts.push({ url, via: "browser", outcome: `redirected, not read: ${verdict.why}` });
    return { kind: "none", why: verdict.why, rank: RANK.redirect };
  }
  attempts.push({
    url,
    via: "browser",
    outcome: `redirected to ${verdict.url.href} (${verdict.change}), then ${response.status}`,
  });
  return {
    kind: "answer",
    status: response.status,
    body: await response.text(),
    via: "browser",
    redirectedTo: verdict.url.href,
  };
}

/** Reads one document through the relay, which follows a redirect only as the same rule allows. */
async function readThroughRelay(
  issuer: string,
  wellKnown: WellKnown,
  url: string,
  lookups: RelayLookups,
  attempts: DiscoveryAttempt[],
): Promise<Answer> {
  const result = await lookups.discover({ issuer, well_known: wellKnown });
  if (result.kind !== "envelope") {
    attempts.push({ url, via: "relay", outcome: result.error.error_description });
    return { kind: "none", why: result.error.error_description, rank: RANK.relay };
  }
  const envelope: Envelope = result.envelope;
  const first = envelope.redirected_from;
  const status = envelope.upstream.status;
  if (envelope.redirect_refused !== undefined) {
    const statuses =
      first === undefined ? `${status}` : `${first.upstream.status} to ${envelope.sent.url}, then ${status}`;
    attempts.push({ url, via: "relay", outcome: `${statuses}, not followed: ${envelope.redirect_refused}` });
    return { kind: "none", why: envelope.redirect_refused, rank: RANK.redirect };
  }
  if (first !== undefined) {
    attempts.push({
      url,
      via: "relay",
      outcome: `${first.upstream.status} to ${envelope.sent.url}, then ${status}`,
    });
    return {
      kind: "answer",
      status,
      body: envelope.upstream.body,
      via: "relay",
      redirectedTo: envelope.sent.url,
    };
  }
  attempts.push({ url, via: "relay", outcome: String(status) });
  return { kind: "answer", status, body: envelope.upstream.body, via: "relay", redirectedTo: null };
}

/** Reads the issuer's metadata from the first well-known document that has it. */
export async function discoverIssuer(
  issuer: string,
  deps: { readonly fetch: typeof fetch; readonly lookups: RelayLookups },
): Promise<DiscoveryResult> {
  const problem = issuerProblem(issuer);
  if (problem !== undefined) return { ok: false, problem: `The issuer ${problem}.`, attempts: [] };
  const attempts: DiscoveryAttempt[] = [];
  let best: { problem: string; rank: number; mismatch?: IssuerMismatch } = {
    problem: "No metadata document was found.",
    rank: 0,
  };
  const note = (candidate: { problem: string; rank: number; mismatch?: IssuerMismatch }) => {
    if (candidate.rank > best.rank) best = candidate;
  };
  for (const wellKnown of ORDER) {
    const url = discoveryUrl(issuer, wellKnown);
    const answer =
      (await readFromPage(url, deps.fetch, attempts)) ??
      (await readThroughRelay(issuer, wellKnown, url, deps.lookups, attempts));
    if (answer.kind === "none") {
      if (answer.why !== null) note({ problem: answer.why, rank: answer.rank });
      continue;
    }
    if (answer.status !== 200) continue;
    const parsed = parseMetadata(answer.body, issuer);
    if (!parsed.ok) {
      note(
        parsed.mismatch === undefined
          ? { problem: parsed.problem, rank: RANK.document }
          : { problem: parsed.problem, rank: RANK.mismatch, mismatch: parsed.mismatch },
      );
      continue;
    }
    return {
      ok: true,
      metadata: parsed.metadata,
      url,
      redirectedTo: answer.redirectedTo,
      via: answer.via,
      attempts,
    };
  }
  return {
    ok: false,
    problem: best.problem,
    ...(best.mismatch === undefined ? {} : { mismatch: best.mismatch }),
    attempts,
  };
}
