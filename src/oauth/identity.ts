/**
 * The identity probe: asking the provider, through the relay, whom an access token belongs to, and
 * saying what the answer means. The relay calls only the client's configured identity endpoint.
 */
import type { Recipe } from "../providers/types.ts";
import type { RelayLookups, RelayTokenResult } from "./relay-client.ts";
import { parseBody } from "./token-set.ts";

export interface ProbeOutcome {
  readonly result: RelayTokenResult;
  /** The account the answer names (a person's name, an email, a login, an organisation), when it names one. */
  readonly account: string | null;
  /** Where in the answer the account came from (`name`, `email`, `user.email`…), when it names one. */
  readonly accountField: string | null;
  /** What went wrong, in plain words, when the provider did not answer 2xx. */
  readonly problem: { readonly title: string; readonly detail: string } | null;
}

/**
 * Where an OpenID Connect userinfo answer names its user best for a person reading it: the full
 * name, then the email, then the preferred user name (OpenID Connect Core §5.1), and at worst `sub`,
 * which is always there (§5.3.2) but is an opaque identifier. For recipes that name no fields.
 */
export const USERINFO_FIELDS: readonly string[] = ["name", "email", "preferred_username", "sub"];

/**
 * The first of `paths` (dotted, array indexes as numbers: `0.tenantName`) that holds a non-blank
 * string or a number, and the path it came from.
 */
export function accountFieldFrom(
  body: unknown,
  paths: readonly string[],
): { readonly account: string; readonly field: string } | null {
  for (const path of paths) {
    let value: unknown = body;
    for (const part of path.split(".")) {
      if (value === null || typeof value !== "object") {
        value = undefined;
        break;
      }
      value = (value as Record<string, unknown>)[part];
    }
    if (typeof value === "string" && value.trim() !== "") return { account: value.trim(), field: path };
    if (typeof value === "number") return { account: String(value), field: path };
  }
  return null;
}

/** The first of `paths` that holds a string or number: {@link accountFieldFrom} without the field. */
export function accountFrom(body: unknown, paths: readonly string[]): string | null {
  return accountFieldFrom(body, paths)?.account ?? null;
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
  if (result.kind !== "envelope") return { result, account: null, accountField: null, problem: null };
  const { upstream } = result.envelope;
  if (upstream.status < 200 || upstream.status >= 300) {
    return {
      result,
      account: null,
      accountField: null,
      problem: explainProbeFailure(upstream.status, recipe),
    };
  }
  const parsed = parseBody(upstream.body, upstream.headers["content-type"]);
  // Xero's /connections answers with a JSON array, which parseBody (made for token answers) refuses.
  const body = parsed ?? safeJson(upstream.body);
  const found = accountFieldFrom(body, recipe.identityFields ?? USERINFO_FIELDS);
  return { result, account: found?.account ?? null, accountField: found?.field ?? null, problem: null };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
