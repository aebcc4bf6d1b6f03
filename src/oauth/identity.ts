/**
 * The identity probe: asking the provider, through the relay, whom an access token belongs to, and
 * saying what the answer means. The relay calls only the client's configured identity endpoint.
 */
import type { Recipe } from "../providers/types.ts";
import type { RelayLookups, RelayTokenResult } from "./relay-client.ts";
import { parseBody } from "./token-set.ts";

export interface ProbeOutcome {
  readonly result: RelayTokenResult;
  /** The account the answer names (an email, a login, an organisation), when it names one. */
  readonly account: string | null;
  /** What went wrong, in plain words, when the provider did not answer 2xx. */
  readonly problem: { readonly title: string; readonly detail: string } | null;
}

/** The first of `paths` (dotted, array indexes as numbers: `0.tenantName`) that holds a string or number. */
export function accountFrom(body: unknown, paths: readonly string[]): string | null {
  for (const path of paths) {
    let value: unknown = body;
    for (const part of path.split(".")) {
      if (value === null || typeof value !== "object") {
        value = undefined;
        break;
      }
      value = (value as Record<string, unknown>)[part];
    }
    if (typeof value === "string" && value !== "") return value;
    if (typeof value === "number") return String(value);
  }
  return null;
}

/** Explains an identity endpoint's non-2xx answer. */
export function explainProbeFailure(status: number, recipe: Recipe): { title: string; detail: string } {
  if (status === 401) {
    return {
      title: "The provider refused the access token (401)",
      detail: recipe.refreshEndsAccessToken
        ? `It expired or was revoked, or a refresh replaced it: at ${recipe.name} a refresh ends the previous access token at once.`
        : "It expired or was revoked. Refresh, then identify again.",
    };
  }
  if (status === 403) {
    return {
      title: "The token may not read the account (403)",
      detail: `The identity endpoint needs a scope this token lacks${recipe.scope.suggestions.length > 0 ? ` (${recipe.name} knows: ${recipe.scope.suggestions.join(" ")})` : ""}. Authorize again with it.`,
    };
  }
  if (status === 429) {
    return { title: "Rate limited (429)", detail: "The provider asks to slow down; see Retry-After below." };
  }
  return {
    title: `The identity endpoint answered ${status}`,
    detail: "Its answer is shown below as it came.",
  };
}

/** Probes through the relay and reads the answer. */
export async function probeAccount(
  lookups: RelayLookups,
  request: { readonly client: string; readonly accessToken: string },
  recipe: Recipe,
): Promise<ProbeOutcome> {
  const result = await lookups.probe({ client: request.client, access_token: request.accessToken });
  if (result.kind !== "envelope") return { result, account: null, problem: null };
  const { upstream } = result.envelope;
  if (upstream.status < 200 || upstream.status >= 300) {
    return { result, account: null, problem: explainProbeFailure(upstream.status, recipe) };
  }
  const parsed = parseBody(upstream.body, upstream.headers["content-type"]);
  // Xero's /connections answers with a JSON array, which parseBody (made for token answers) refuses.
  const body = parsed ?? safeJson(upstream.body);
  return { result, account: accountFrom(body, recipe.identityFields ?? ["email", "sub"]), problem: null };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
