import { custom } from "./custom.ts";
import { demo } from "./demo.ts";
import type { Recipe } from "./types.ts";

export type * from "./types.ts";

/** Every recipe, keyed by its id. */
export const recipes: Readonly<Record<string, Recipe>> = { demo, custom };

/** The recipe for a provider id, or `undefined` when tokendesk has none. */
export function findRecipe(id: string): Recipe | undefined {
  return Object.hasOwn(recipes, id) ? recipes[id] : undefined;
}
