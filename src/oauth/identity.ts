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

/**
 * What a resource server's `WWW-Authenticate` says about a refused token (RFC 6750 §3): the Bearer
 * challenge's `error`, `error_description` and `scope`. Read leniently, since servers get it wrong:
 * `malformed` then says how, and what could be read is still returned.
 */
export interface BearerChallenge {
  readonly error: string | null;
  readonly description: string | null;
  readonly scope: string | null;
  /** How the header departs from RFC 6750 §3, when it does. */
  readonly malformed: string | null;
}

// auth-param (RFC 9110 §11.2): a name, "=", then a quoted-string or a token; leniently, any text up
// to the next comma for a value that is neither.
const AUTH_PARAM = /([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))/g;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Reads the Bearer challenge of a `WWW-Authenticate` value; null when there is nothing to read. */
export function readBearerChallenge(header: string | undefined): BearerChallenge | null {
  if (header === undefined || header.trim() === "") return null;
  const value = header.trim();
  // The scheme comes first (RFC 9110 §11.6.1), then its parameters; a server may offer several
  // schemes, so look for Bearer's.
  const bearer = /(?:^|,)\s*Bearer(?:\s+|$)/i.exec(value);
  let params: string;
  let malformed: string | null = null;
  if (bearer !== null) {
    const rest = value.slice(bearer.index + bearer[0].length);
    // Up to the next challenge, if another scheme follows.
    const next = /,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+\s+[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=/.exec(rest);
    params = next === null ? rest : rest.slice(0, next.index);
  } else if (/^[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=/.test(value)) {
    params = value;
    malformed = 'it names no scheme: RFC 6750 §3 starts the challenge with "Bearer"';
  } else {
    return null;
  }
  const found: Record<string, string> = {};
  let unquoted = false;
  for (const match of params.matchAll(AUTH_PARAM)) {
    const name = (match[1] ?? "").toLowerCase();
    const quoted = match[2];
    const bare = (match[3] ?? "").trim();
    if (quoted === undefined && !TOKEN.test(bare)) unquoted = true;
    found[name] = quoted === undefined ? bare : quoted.replace(/\\(.)/g, "$1");
  }
  if (unquoted) {
    const how = "a value with spaces or other characters that need quotes is not quoted";
    malformed = malformed === null ? how : `${malformed}, and ${how}`;
  }
  return {
    error: found.error ?? null,
    description: found.error_description ?? null,
    scope: found.scope ?? null,
    malformed,
  };
}

/** Explains an identity endpoint's non-2xx answer, with what its WWW-Authenticate says (RFC 6750 §3). */
export function explainProbeFailure(
  status: number,
  recipe: Recipe,
  headers: Readonly<Record<string, string>> = {},
): { title: string; detail: string } {
  const base = probeFailureWords(status, recipe);
  const challenge = readBearerChallenge(headers["www-authenticate"]);
  if (challenge === null || (challenge.error === null && challenge.malformed === null)) return base;
  const said =
    challenge.error === null
      ? ""
      : ` Its WWW-Authenticate says ${challenge.error}${challenge.description === null ? "" : ` ("${challenge.description}")`}${challenge.scope === null ? "" : `, and names the scope ${challenge.scope}`}.`;
  const malformed =
    challenge.malformed === null
      ? ""
      : ` That header is not an RFC 6750 §3 challenge (${challenge.malformed}); tokendesk read it leniently.`;
  return { title: base.title, detail: `${base.detail}${said}${malformed}` };
}

function probeFailureWords(status: number, recipe: Recipe): { title: string; detail: string } {
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
      problem: explainProbeFailure(upstream.status, recipe, upstream.headers),
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
