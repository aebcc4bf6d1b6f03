/**
 * What a support user can learn from something a customer pasted, without a network call: which kind
 * of thing it is (a token, a token response, an error answer, an exported connection, a diagnostic
 * bundle), what its tokens say when they are JWTs, and which recipe and client it most likely belongs
 * to. Pure: no DOM, no network, nothing stored.
 */
import type { Recipe } from "../providers/types.ts";
import type { PublicClient } from "../relay/contract.ts";
import { HANDOFF_FORMAT } from "./handoff.ts";
import { type JwtReading, readJwt } from "./jwt.ts";
import { parseBody } from "./token-set.ts";

/** `format` of a diagnostic bundle (see store/bundle.ts), here so detection needs no storage code. */
export const BUNDLE_FORMAT = "tokendesk.diagnostic-bundle";

export type PastedKind =
  | "empty"
  | "token"
  | "token_response"
  | "error_response"
  | "handoff"
  | "bundle"
  | "unreadable";

export type TokenRole = "access_token" | "refresh_token" | "id_token" | "token";

export interface InspectedToken {
  readonly role: TokenRole;
  readonly value: string;
  readonly reading: JwtReading;
  /** What the token's shape alone says, e.g. "GitHub App user access token (ghu_ prefix)". */
  readonly shape: string | null;
}

/** Facts read from the paste; null where it does not say. Instants in ms. */
export interface PastedFacts {
  readonly provider: string | null;
  readonly relayClient: string | null;
  readonly environment: string | null;
  readonly clientId: string | null;
  readonly tokenEndpoint: string | null;
  readonly refreshPolicy: string | null;
  readonly scope: string | null;
  readonly tokenType: string | null;
  /** `expires_in` as stated, seconds; counts from an issue time the paste may not give. */
  readonly expiresIn: number | null;
  readonly accessExpiresAt: number | null;
  readonly refreshExpiresAt: number | null;
  /** When the tokens were issued or received, if the paste says (FreshBooks `created_at`, an export's `received_at`). */
  readonly issuedAt: number | null;
}

export interface Inspection {
  readonly kind: PastedKind;
  /** One sentence: what this is. */
  readonly summary: string;
  readonly tokens: readonly InspectedToken[];
  readonly facts: PastedFacts;
  /** The OAuth error of an error answer. */
  readonly error: { readonly error: string; readonly description: string | null } | null;
  /** A real client secret was pasted (not the export's placeholder): it should be rotated. */
  readonly containsSecret: boolean;
  /** The parsed JSON (for a bundle, the page reads it with store/bundle.ts). */
  readonly json: Readonly<Record<string, unknown>> | null;
}

const NO_FACTS: PastedFacts = {
  provider: null,
  relayClient: null,
  environment: null,
  clientId: null,
  tokenEndpoint: null,
  refreshPolicy: null,
  scope: null,
  tokenType: null,
  expiresIn: null,
  accessExpiresAt: null,
  refreshExpiresAt: null,
  issuedAt: null,
};

const SECRET_PLACEHOLDER = /^<.*>$|^$|^__.*__$/;

/** Token prefixes providers document, and what each says about the token. */
const SHAPES: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^gho_/, "github", "GitHub OAuth app access token (gho_ prefix)"],
  [/^ghu_/, "github-app", "GitHub App user access token (ghu_ prefix)"],
  [/^ghr_/, "github-app", "GitHub App refresh token (ghr_ prefix)"],
  [/^ya29\./, "google", "Google access token (ya29. prefix)"],
  [/^1\/\//, "google", "Google refresh token (1// prefix)"],
  [/^EwB|^0\.A[A-Za-z]/, "microsoft", "Microsoft identity platform token (its usual prefix)"],
];

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function seconds(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : null;
}

function isoInstant(value: unknown): number | null {
  if (typeof value !== "string" || value === "") return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at;
}

function shapeOf(value: string): string | null {
  return SHAPES.find(([pattern]) => pattern.test(value))?.[2] ?? null;
}

function token(role: TokenRole, value: string): InspectedToken {
  return { role, value, reading: readJwt(value), shape: shapeOf(value) };
}

function tokensIn(fields: Readonly<Record<string, unknown>>): InspectedToken[] {
  const found: InspectedToken[] = [];
  for (const role of ["access_token", "refresh_token", "id_token"] as const) {
    const value = text(fields[role]);
    if (value !== null) found.push(token(role, value));
  }
  return found;
}

/** Reads `KEY=value` lines of an exported .env (values maybe JSON-quoted); comments ignored. */
export function parseEnvLines(input: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const line of input.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    if (match === null) return null;
    const [, key = "", raw = ""] = match;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = String(JSON.parse(raw));
      } catch {
        return null;
      }
    } else if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) {
      value = raw.slice(1, -1);
    }
    out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** The .env export's variables, mapped onto the JSON export's field names. */
function envAsHandoff(env: Readonly<Record<string, string>>): Record<string, unknown> | null {
  if (env.OAUTH_REFRESH_TOKEN === undefined && env.OAUTH_ACCESS_TOKEN === undefined) return null;
  const pick = (key: string) => env[key] ?? "";
  return {
    token_endpoint: pick("OAUTH_TOKEN_ENDPOINT"),
    client_id: pick("OAUTH_CLIENT_ID"),
    client_secret: /^<.*>$/.test(pick("OAUTH_CLIENT_SECRET")) ? "" : pick("OAUTH_CLIENT_SECRET"),
    refresh_policy: pick("OAUTH_REFRESH_POLICY"),
    refresh_token: pick("OAUTH_REFRESH_TOKEN"),
    refresh_token_expires_at: pick("OAUTH_REFRESH_TOKEN_EXPIRES_AT"),
    access_token: pick("OAUTH_ACCESS_TOKEN"),
    access_token_expires_at: pick("OAUTH_ACCESS_TOKEN_EXPIRES_AT"),
  };
}

function handoffFacts(fields: Readonly<Record<string, unknown>>): PastedFacts {
  return {
    ...NO_FACTS,
    provider: text(fields.provider),
    relayClient: text(fields.relay_client),
    environment: text(fields.environment),
    clientId: text(fields.client_id),
    tokenEndpoint: text(fields.token_endpoint),
    refreshPolicy: text(fields.refresh_policy),
    scope: text(fields.scope),
    accessExpiresAt: isoInstant(fields.access_token_expires_at),
    refreshExpiresAt: isoInstant(fields.refresh_token_expires_at),
    issuedAt: isoInstant(fields.received_at),
  };
}

function responseFacts(fields: Readonly<Record<string, unknown>>): PastedFacts {
  const expiresIn = seconds(fields.expires_in);
  // FreshBooks states when it issued the tokens (created_at, Unix seconds): expiry is knowable.
  const created = seconds(fields.created_at);
  const issuedAt = created === null || created < 1e9 || created > 1e11 ? null : created * 1000;
  const refreshIn = seconds(fields.refresh_token_expires_in) ?? seconds(fields.x_refresh_token_expires_in);
  return {
    ...NO_FACTS,
    scope: typeof fields.scope === "string" ? fields.scope : null,
    tokenType: text(fields.token_type),
    expiresIn,
    issuedAt,
    accessExpiresAt: issuedAt !== null && expiresIn !== null ? issuedAt + expiresIn * 1000 : null,
    refreshExpiresAt: issuedAt !== null && refreshIn !== null ? issuedAt + refreshIn * 1000 : null,
  };
}

/** Inspects a paste. Never throws and never sends anything. */
export function inspectPaste(input: string): Inspection {
  const value = input.trim();
  const base = { tokens: [], facts: NO_FACTS, error: null, containsSecret: false, json: null } as const;
  if (value === "") return { ...base, kind: "empty", summary: "Nothing pasted yet." };

  const json = value.startsWith("{") ? parseBody(value, "application/json") : null;
  if (value.startsWith("{") && json === null) {
    return {
      ...base,
      kind: "unreadable",
      summary: "This starts like JSON but is not valid JSON: paste the whole answer, from { to }.",
    };
  }
  const env = json === null && /^\s*(#|export\s|[A-Z_]+=)/m.test(value) ? parseEnvLines(value) : null;
  const envFields = env === null ? null : envAsHandoff(env);
  const fields = json ?? envFields;

  if (fields === null) {
    if (/\s/.test(value)) {
      return {
        ...base,
        kind: "unreadable",
        summary:
          "This is neither one token (a token has no spaces) nor JSON nor an exported .env: paste one of those.",
      };
    }
    const single = token("token", value);
    const what =
      single.reading.kind === "jwt"
        ? "a JWT: its header and claims are readable below (not verified)"
        : single.reading.kind === "encrypted"
          ? "an encrypted JWT (JWE): only the provider can read it"
          : single.reading.kind === "malformed"
            ? "something shaped like a JWT that is not a valid one"
            : "an opaque token: only the provider knows what it means";
    return { ...base, kind: "token", tokens: [single], summary: `One token, ${what}.` };
  }

  if (fields.format === BUNDLE_FORMAT) {
    return {
      ...base,
      kind: "bundle",
      json: fields,
      summary: "A tokendesk diagnostic bundle: a connection's redacted history, opened read-only.",
    };
  }
  const secret = text(fields.client_secret);
  const containsSecret = secret !== null && !SECRET_PLACEHOLDER.test(secret);
  if (
    envFields !== null ||
    fields.format === HANDOFF_FORMAT ||
    (typeof fields.token_endpoint === "string" && typeof fields.client_id === "string")
  ) {
    const facts = handoffFacts(fields);
    return {
      ...base,
      kind: "handoff",
      json: fields,
      tokens: tokensIn(fields),
      facts,
      containsSecret,
      summary: `An exported connection${envFields === null ? "" : " (.env lines)"}: what a server was given to keep refreshing${facts.refreshPolicy === null ? "" : ` (refresh policy ${facts.refreshPolicy})`}.`,
    };
  }
  const error = text(fields.error);
  if (error !== null) {
    return {
      ...base,
      kind: "error_response",
      json: fields,
      error: { error, description: text(fields.error_description) },
      summary: `An error answer from a token endpoint: "${error}". Explain it below.`,
    };
  }
  const tokens = tokensIn(fields);
  if (tokens.length === 0) {
    return {
      ...base,
      kind: "unreadable",
      json: fields,
      summary: 'This JSON holds no "access_token", "refresh_token" or "error": it is not a token response.',
    };
  }
  return {
    ...base,
    kind: "token_response",
    json: fields,
    tokens,
    facts: responseFacts(fields),
    containsSecret,
    summary: `A token response with ${tokens.map((t) => t.role.replace("_", " ")).join(", ")}.`,
  };
}

/** How sure a guess is. */
export type Confidence = "certain" | "likely" | "possible";

/** A recipe (and the relay's clients of it) the paste most likely belongs to, and why. */
export interface OriginGuess {
  readonly recipeId: string;
  readonly recipeName: string;
  /** The relay's clients this could be, best first. */
  readonly clientIds: readonly string[];
  readonly confidence: Confidence;
  readonly reasons: readonly string[];
}

function hostOf(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** Every endpoint URL a recipe names, across its environments. */
function recipeUrls(recipe: Recipe): string[] {
  const urls: string[] = [];
  for (const endpoints of Object.values(recipe.environments ?? {})) {
    urls.push(endpoints.token_endpoint, endpoints.authorization_endpoint);
    if (endpoints.issuer !== undefined) urls.push(endpoints.issuer);
    if (endpoints.identity_endpoint !== undefined) urls.push(endpoints.identity_endpoint);
  }
  if (recipe.environmentTemplate !== undefined) {
    urls.push(recipe.environmentTemplate.endpoints.token_endpoint);
  }
  return urls;
}

function clientUrls(client: PublicClient): string[] {
  return [
    client.token_endpoint,
    client.authorization_endpoint,
    client.issuer,
    client.identity_endpoint,
  ].filter((u): u is string => typeof u === "string");
}

/**
 * Ranks the recipes (and the relay's clients) a paste most likely belongs to, from what it says
 * (provider, client id, token endpoint), JWT issuers and audiences, response fields only some
 * providers send, and token prefixes. Evidence only: nothing is looked up.
 */
export function guessOrigin(
  inspection: Inspection,
  clients: readonly PublicClient[],
  recipes: Readonly<Record<string, Recipe>>,
): OriginGuess[] {
  const score = new Map<string, { points: number; reasons: string[]; clients: Map<string, number> }>();
  const add = (recipeId: string, points: number, reason: string, clientId?: string) => {
    if (!Object.hasOwn(recipes, recipeId)) return;
    const entry = score.get(recipeId) ?? {
      points: 0,
      reasons: [] as string[],
      clients: new Map<string, number>(),
    };
    entry.points += points;
    if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
    if (clientId !== undefined) entry.clients.set(clientId, (entry.clients.get(clientId) ?? 0) + points);
    score.set(recipeId, entry);
  };
  const { facts, json } = inspection;

  if (facts.provider !== null) add(facts.provider, 6, `The export names provider "${facts.provider}".`);
  for (const client of clients) {
    if (facts.relayClient !== null && facts.relayClient === client.id) {
      add(client.provider, 6, `The export names this relay's client "${client.id}".`, client.id);
    }
    if (facts.clientId !== null && facts.clientId === client.client_id) {
      add(client.provider, 5, `Its client_id equals client "${client.id}"'s.`, client.id);
    }
    if (facts.tokenEndpoint !== null && facts.tokenEndpoint === client.token_endpoint) {
      add(client.provider, 4, `Its token endpoint is client "${client.id}"'s.`, client.id);
    }
  }
  const tokenHost = hostOf(facts.tokenEndpoint);
  for (const recipe of Object.values(recipes)) {
    if (tokenHost !== null && recipeUrls(recipe).some((u) => hostOf(u) === tokenHost)) {
      add(recipe.id, 3, `Its token endpoint is on ${tokenHost}, a ${recipe.name} host.`);
    }
  }

  for (const t of inspection.tokens) {
    const [, recipeId, words] = SHAPES.find(([pattern]) => pattern.test(t.value)) ?? [];
    if (recipeId !== undefined && words !== undefined)
      add(recipeId, 3, `The ${t.role.replace("_", " ")} looks like a ${words}.`);
    if (t.reading.kind !== "jwt") continue;
    const jwt = t.reading.jwt;
    for (const url of [jwt.issuer, ...jwt.audience]) {
      const host = hostOf(url);
      if (host === null) continue;
      for (const client of clients) {
        if (clientUrls(client).some((u) => hostOf(u) === host)) {
          add(
            client.provider,
            3,
            `The JWT's issuer or audience is on ${host}, client "${client.id}"'s host.`,
            client.id,
          );
        }
      }
      for (const recipe of Object.values(recipes)) {
        if (recipeUrls(recipe).some((u) => hostOf(u) === host)) {
          add(recipe.id, 3, `The JWT's issuer or audience is on ${host}, a ${recipe.name} host.`);
        }
      }
    }
    if (jwt.clientId !== null) {
      for (const client of clients) {
        if (client.client_id === jwt.clientId) {
          add(
            client.provider,
            5,
            `The JWT was issued to client_id "${jwt.clientId}", client "${client.id}"'s.`,
            client.id,
          );
        }
      }
    }
  }

  if (json !== null && inspection.kind === "token_response") {
    if ("created_at" in json && "direct_buy_tokens" in json) {
      add("freshbooks", 3, 'The response has "created_at" and "direct_buy_tokens", which FreshBooks sends.');
    }
    if ("x_refresh_token_expires_in" in json) {
      add("quickbooks", 3, 'The response has "x_refresh_token_expires_in", which Intuit (QuickBooks) sends.');
    }
    if ("refresh_token_expires_in" in json) {
      for (const id of ["freeagent", "github-app"]) {
        add(id, 1, 'The response has "refresh_token_expires_in", which FreeAgent and GitHub Apps send.');
      }
    }
  }

  // Clients with their own evidence first, then the relay's other clients of the same recipe.
  const guesses = [...score.entries()].map(([recipeId, entry]): OriginGuess => {
    const recipe = recipes[recipeId];
    const ofRecipe = clients.filter((c) => c.provider === recipeId).map((c) => c.id);
    const ranked = [...entry.clients.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    const clientIds = [...ranked, ...ofRecipe.filter((id) => !ranked.includes(id))];
    const confidence: Confidence = entry.points >= 9 ? "certain" : entry.points >= 3 ? "likely" : "possible";
    return { recipeId, recipeName: recipe?.name ?? recipeId, clientIds, confidence, reasons: entry.reasons };
  });
  const points = (g: OriginGuess) => score.get(g.recipeId)?.points ?? 0;
  return guesses.sort((a, b) => points(b) - points(a));
}
