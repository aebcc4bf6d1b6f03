/**
 * What to register at the provider for a client `npm run client -- add` wrote, from its recipe:
 * where, which redirect URIs, which scopes, and what the provider refuses. Pure.
 */
import type { Recipe } from "../providers/types.ts";

/** What `add` was given, as far as the advice needs it. */
export interface AddedClient {
  readonly id: string;
  readonly redirectUris: readonly string[];
  readonly scope: string | undefined;
  readonly environment: string | undefined;
}

/** Lines to print after adding a client: what to do at the provider, then here. */
export function registrationAdvice(recipe: Recipe, client: AddedClient, devOrigin: string): string[] {
  const name = recipe.id === "custom" ? "the provider" : recipe.name;
  const lines: string[] = [];
  const where = recipe.links?.register;
  lines.push(`Register at ${name}${where === undefined ? "" : ` (${where})`}:`);
  const uris = client.redirectUris;
  lines.push(`  redirect URI${uris.length === 1 ? "" : "s"}: ${uris.join("  ")}`);
  lines.push(`  scopes: ${scopeAdvice(recipe, client.scope)}`);

  for (const uri of uris) {
    let url: URL | null = null;
    try {
      url = new URL(uri);
    } catch {
      url = null;
    }
    if (url === null) continue;
    if (recipe.redirectRules.httpsOnly && url.protocol === "http:") {
      lines.push(
        `  ! ${name} accepts only https redirect URIs: run npm start -- --mode https and use https://${url.host}${url.pathname} (npm run client -- add --replace --id ${client.id} --redirect-uri https://${url.host}${url.pathname} …).`,
      );
    }
    if (recipe.redirectRules.noQuery && url.search !== "") {
      lines.push(`  ! ${name} refuses redirect URIs with a query string; remove ${url.search}.`);
    }
  }
  if (uris.some((uri) => uri.startsWith("https://127.0.0.1:"))) {
    lines.push(
      "  The https address needs npm start -- --mode https (a local certificate; accept it once in the browser).",
    );
  }
  if (recipe.notes !== undefined) lines.push(`  Note: ${recipe.notes}`);
  const served = uris.find((uri) => uri.startsWith(`${devOrigin}/`)) ?? uris[0] ?? `${devOrigin}/`;
  const origin = served.replace(/\/callback\/?$/, "/");
  lines.push(
    "",
    `npm start and npm run relay pick the change up without a restart: open ${origin} and press Authorize on "${client.id}".`,
  );
  return lines;
}

function scopeAdvice(recipe: Recipe, scope: string | undefined): string {
  const always = recipe.scope.mustInclude ?? [];
  const added =
    always.length === 0
      ? ""
      : ` (tokendesk adds ${always.join(" ")} to every authorization: without it ${recipe.name} issues no refresh token)`;
  if (scope !== undefined) return `${scope}${added}`;
  const examples =
    recipe.scope.suggestions.length === 0 ? "" : `, e.g. ${recipe.scope.suggestions.slice(0, 4).join(" ")}`;
  if (recipe.scope.required) {
    return `${recipe.name} needs at least one${examples}: give --scope, or type it on the authorize page${added}`;
  }
  if (examples === "") return `none to register${added}`;
  return `none given (${recipe.name}'s default applies)${examples}${added}`;
}
