/**
 * A provider's recipe with its endpoints moved to an emulator on 127.0.0.1, for the relay of a test's
 * dev server (DevServerOptions.recipes). Everything else (client authentication, body encoding,
 * lifetimes, policies) is the real recipe's, so the test exercises what users get.
 */
import type { Recipe } from "../../../src/providers/types.ts";

export interface EmulatorEndpoints {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly identity_endpoint: string;
  readonly api_base_urls?: readonly string[];
}

export function emulatedRecipe(
  recipe: Recipe,
  endpoints: EmulatorEndpoints,
  extra: Partial<Pick<Recipe, "requestHeaders">> = {},
): Recipe {
  return {
    ...recipe,
    ...extra,
    environments: {
      emulator: {
        authorization_endpoint: endpoints.authorization_endpoint,
        token_endpoint: endpoints.token_endpoint,
        identity_endpoint: endpoints.identity_endpoint,
        ...(endpoints.api_base_urls === undefined ? {} : { api_base_urls: endpoints.api_base_urls }),
      },
    },
    defaultEnvironment: "emulator",
  };
}
