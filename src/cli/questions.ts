/**
 * What `npm run client -- add` asks in a terminal, and what it fills in without asking (the id,
 * the redirect URI the dev server serves). Node only.
 */
import { DEV_HOST, DEV_PORT, devRedirectUri } from "../dev/address.ts";
import { recipes } from "../providers/index.ts";
import type { Recipe } from "../providers/types.ts";
import type { Prompter } from "./prompt.ts";

/** One client as JSON, as it stands in TOKENDESK_CLIENTS (the secret included). */
export type ClientEntry = Record<string, unknown>;

/** Recipes a person can pick: all but the dev server's demo. */
export const PICKABLE = Object.values(recipes).filter((recipe) => recipe.id !== "demo");

/** What `add` knows so far: client fields, the secret kept apart until the entry is built. */
export interface Draft {
  fields: Record<string, string | string[]>;
  secret: string | undefined;
  /** Optional fields already asked for and left empty: not asked again when another is fixed. */
  skipped: Set<string>;
  /** `npm start` serves https (TOKENDESK_HTTPS=1): suggest the https redirect URI for every provider. */
  https: boolean;
}

/** Fills in what a person needs not type: the id, the redirect URI. */
export function completeDefaults(draft: Draft, clients: readonly ClientEntry[], replace: boolean): void {
  const { fields } = draft;
  const recipe = recipeOf(fields.provider);
  if (fields.redirect_uris === undefined && recipe !== undefined) {
    fields.redirect_uris = [devRedirectUri(draft.https || recipe.redirectRules.httpsOnly)];
  }
  if (fields.id === undefined && typeof fields.provider === "string") {
    fields.id = suggestedId(fields, clients, replace);
  }
}

function suggestedId(fields: Draft["fields"], clients: readonly ClientEntry[], replace: boolean): string {
  const recipe = recipeOf(fields.provider);
  const environment = typeof fields.environment === "string" ? fields.environment : undefined;
  const base =
    environment === undefined || environment === recipe?.defaultEnvironment
      ? String(fields.provider)
      : `${String(fields.provider)}-${environment}`.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64);
  if (replace) return base;
  const taken = new Set(clients.map((client) => String(client.id)));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The recipe a `provider` value names, if it names one. */
export function recipeOf(provider: unknown): Recipe | undefined {
  return typeof provider === "string" && Object.hasOwn(recipes, provider) ? recipes[provider] : undefined;
}

/** Asks, in a terminal, for every field `draft` still lacks. */
export async function fillIn(
  draft: Draft,
  clients: readonly ClientEntry[],
  prompter: Prompter,
): Promise<void> {
  const { fields } = draft;
  while (recipeOf(fields.provider) === undefined || fields.provider === "demo") {
    if (fields.provider !== undefined)
      prompter.say(`"${String(fields.provider)}" is not a provider tokendesk knows.`);
    prompter.say("Providers:");
    PICKABLE.forEach((recipe, i) => {
      prompter.say(`  ${String(i + 1).padStart(2)}  ${recipe.id.padEnd(11)} ${recipe.name}`);
    });
    const answer = await prompter.ask("Provider (number or id)");
    const picked = /^\d+$/.test(answer) ? PICKABLE[Number(answer) - 1]?.id : answer;
    fields.provider = picked ?? answer;
  }
  const recipe = recipeOf(fields.provider) as Recipe;
  if (fields.environment === undefined && recipe.environments !== null) {
    const names = Object.keys(recipe.environments);
    const template =
      recipe.environmentTemplate === undefined ? "" : `, or ${recipe.environmentTemplate.example}`;
    if (names.length > 1 || template !== "") {
      const fallback = recipe.defaultEnvironment ?? names[0] ?? "";
      fields.environment = await prompter.ask(`Environment (${names.join(", ")}${template})`, fallback);
    }
  }
  if (recipe.environments === null) await askEndpoints(draft, prompter);
  while (fields.client_id === undefined || fields.client_id === "") {
    fields.client_id = await prompter.ask(
      `Client id (from ${recipe.links?.register ?? "the provider's app registration"})`,
    );
  }
  while (draft.secret === undefined || draft.secret === "") {
    draft.secret = await prompter.askSecret("Client secret");
    if (draft.secret === "")
      prompter.say("The client secret is needed: the relay adds it to every token request.");
  }
  if (fields.scope === undefined && !draft.skipped.has("scope")) {
    const examples =
      recipe.scope.suggestions.length === 0 ? "" : ` (e.g. ${recipe.scope.suggestions.join(" ")})`;
    const always =
      recipe.scope.mustInclude === undefined
        ? ""
        : `; tokendesk always adds ${recipe.scope.mustInclude.join(" ")}`;
    const question =
      recipe.scope.suggestions.length === 0 && !recipe.scope.required
        ? `Scope, space-separated; Enter for none${always}`
        : `Scope, space-separated${examples}${recipe.scope.required ? "" : "; Enter for none"}${always}`;
    const answer = await prompter.ask(question);
    if (answer !== "") fields.scope = answer;
    else draft.skipped.add("scope");
  }
  if (fields.redirect_uris === undefined) {
    const suggested = devRedirectUri(draft.https || recipe.redirectRules.httpsOnly);
    const https = recipe.redirectRules.httpsOnly
      ? `; ${recipe.name} takes https only, served by npm start -- --mode https`
      : "";
    const answer = await prompter.ask(
      `Redirect URI (npm start serves ${DEV_HOST}:${DEV_PORT}${https})`,
      suggested,
    );
    fields.redirect_uris = answer.split(/[\s,]+/).filter((uri) => uri !== "");
  }
  if (fields.id === undefined) {
    fields.id = await prompter.ask("Name for this client here (its id)", suggestedId(fields, clients, false));
  }
}

async function askEndpoints(draft: Draft, prompter: Prompter): Promise<void> {
  const { fields } = draft;
  const required: readonly (readonly [string, string, string?])[] = [
    ["authorization_endpoint", "Authorization endpoint (https URL)"],
    ["token_endpoint", "Token endpoint (https URL)"],
    [
      "token_endpoint_auth_method",
      "Client authentication (client_secret_basic or client_secret_post)",
      "client_secret_basic",
    ],
    ["body_encoding", "Token request body (form or json)", "form"],
  ];
  for (const [field, question, fallback] of required) {
    while (fields[field] === undefined || fields[field] === "")
      fields[field] = await prompter.ask(question, fallback);
  }
  if (fields.revocation_endpoint === undefined && !draft.skipped.has("revocation_endpoint")) {
    const answer = await prompter.ask("Revocation endpoint (RFC 7009; Enter for none)");
    if (answer !== "") fields.revocation_endpoint = answer;
    else draft.skipped.add("revocation_endpoint");
  }
  if (fields.api_base_urls === undefined && !draft.skipped.has("api_base_urls")) {
    const answer = await prompter.ask('API base URL, where "Try the API" may call (https; Enter for none)');
    if (answer !== "") fields.api_base_urls = [answer];
    else draft.skipped.add("api_base_urls");
  }
}
