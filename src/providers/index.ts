import { custom } from "./custom.ts";
import { demo } from "./demo.ts";
import { freeagent } from "./freeagent.ts";
import { freshbooks } from "./freshbooks.ts";
import { github, githubApp } from "./github.ts";
import { google } from "./google.ts";
import { microsoft } from "./microsoft.ts";
import { quickbooks } from "./quickbooks.ts";
import type { Recipe } from "./types.ts";
import { xero } from "./xero.ts";

export type * from "./types.ts";

/** Every recipe, keyed by its id (the `provider` of a client in the relay's configuration). */
export const recipes: Readonly<Record<string, Recipe>> = {
  demo,
  freeagent,
  freshbooks,
  xero,
  quickbooks,
  google,
  microsoft,
  github,
  "github-app": githubApp,
  custom,
};

/** The recipe for a provider id, or `undefined` when tokendesk has none. */
export function findRecipe(id: string): Recipe | undefined {
  return Object.hasOwn(recipes, id) ? recipes[id] : undefined;
}

/**
 * The scope to request: what the user typed, plus any scope the provider needs for a refresh token
 * (`offline_access` at Xero and Microsoft) that is missing, joined with the provider's separator.
 */
export function scopeToRequest(recipe: Recipe, typed: string): string {
  const parts = typed.split(/[\s,+]+/).filter((part) => part !== "");
  for (const needed of recipe.scope.mustInclude ?? []) if (!parts.includes(needed)) parts.push(needed);
  return parts.join(recipe.scope.separator);
}
