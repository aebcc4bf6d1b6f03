import { withoutQueryValues } from "../../oauth/api-call.ts";
import { fingerprint } from "../../oauth/fingerprint.ts";
import type { RelayTokenResult } from "../../oauth/relay-client.ts";
import type { ApiCallMethod, ApiCallRequest, Envelope } from "../../relay/contract.ts";
import type { Db } from "../db.ts";
import { getConnection, putConnection, readConnection } from "../repo.ts";
import { event } from "./shared.ts";

/** What an API call needs: storage, the relay's API route and a clock. */
export interface ApiCallDeps {
  readonly db: Db;
  readonly call: (request: ApiCallRequest) => Promise<RelayTokenResult>;
  readonly now: () => number;
  /** Tells other tabs (and this one) that a connection's history grew. */
  readonly notify?: ((connectionId: string) => void) | undefined;
}

/** The request a person wrote; the connection's access token is added here, never by the page. */
export interface ApiCallInput {
  readonly method: ApiCallMethod;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

export type ApiCallOutcome =
  | {
      readonly kind: "called";
      readonly result: RelayTokenResult;
      /** Which access token went (its fingerprint): the answer may be about one the connection no longer holds. */
      readonly tokenFingerprint: string;
    }
  /** Nothing was sent: no such connection, or no access token in it. */
  | { readonly kind: "not_sent"; readonly message: string };

/** Upstream headers history keeps: what says how the call went, never a cookie or a body's worth. */
const KEPT_ANSWER_HEADERS = [
  "content-type",
  "content-length",
  "date",
  "retry-after",
  "www-authenticate",
  "location",
  "x-request-id",
  "request-id",
];

/**
 * What history keeps of an API call's exchange: the method, the URL and a redirect's `Location` without
 * their query values, the request's headers as the relay sent them (the token already `[redacted]`),
 * the status, the time and a few answer headers; never a body, which may hold anything.
 */
export function historyEnvelope(envelope: Envelope): Envelope {
  const answerHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(envelope.upstream.headers)) {
    const lower = name.toLowerCase();
    if (KEPT_ANSWER_HEADERS.includes(lower) || lower.includes("ratelimit")) {
      answerHeaders[lower] = lower === "location" ? withoutQueryValues(value) : value;
    }
  }
  return {
    sent: {
      method: envelope.sent.method,
      url: withoutQueryValues(envelope.sent.url),
      headers: { ...envelope.sent.headers, authorization: "Bearer [redacted]" },
      body: "",
    },
    upstream: { status: envelope.upstream.status, headers: answerHeaders, body: "" },
    ms: envelope.ms,
  };
}

/** The history line: method, URL without query values, and what came of it. */
export function apiSummary(input: ApiCallInput, result: RelayTokenResult): string {
  const what = `${input.method} ${withoutQueryValues(input.url)}`;
  switch (result.kind) {
    case "envelope":
      return `API call ${what}: ${result.envelope.upstream.status} in ${result.envelope.ms} ms${result.envelope.truncated ? " (answer cut at 1 MiB)" : ""}.`;
    case "refused":
      return `API call ${what}: refused by the relay: ${result.error.error}. Nothing was sent.`;
    default:
      return input.method === "GET" || input.method === "HEAD"
        ? `API call ${what}: no answer (${result.error.error}). A ${input.method} changes nothing.`
        : `API call ${what}: outcome unknown (${result.error.error}); the API may or may not have carried it out.`;
  }
}

/**
 * Calls the provider's API through the relay with the connection's current access token, and records
 * the call in the history. Not a token step: it takes no lock (a refresh in another tab never waits for
 * it), changes no token, and writes its history line in its own transaction on whatever the
 * connection is by then.
 */
export async function callApi(
  deps: ApiCallDeps,
  connectionId: string,
  input: ApiCallInput,
): Promise<ApiCallOutcome> {
  const connection = await getConnection(deps.db, connectionId);
  if (connection === undefined) return { kind: "not_sent", message: "This connection was forgotten." };
  const token = connection.tokenSet?.accessToken;
  if (token == null) {
    return { kind: "not_sent", message: "This connection has no access token: refresh, or authorize again." };
  }
  const result = await deps.call({
    client: connection.clientId,
    access_token: token,
    method: input.method,
    url: input.url,
    ...(Object.keys(input.headers).length === 0 ? {} : { headers: input.headers }),
    ...(input.body === null || input.body === "" ? {} : { body: input.body }),
  });
  const line = event(connectionId, deps.now(), "api", apiSummary(input, result), {
    exchange: result.kind === "envelope" ? historyEnvelope(result.envelope) : null,
  });
  const written = await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) return false;
    // Only the revision moves, so every view reads the history again; the tokens are as they were.
    putConnection(store, { ...current, revision: current.revision + 1 }, [line]);
    return true;
  });
  if (written) deps.notify?.(connectionId);
  return { kind: "called", result, tokenFingerprint: await fingerprint(token) };
}
