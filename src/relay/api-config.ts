/**
 * `api_base_urls` in a client's configuration (contract v1.5) and in a recipe's environments: read and
 * checked once, at start, so `POST {base}/api` only ever compares against canonical base URLs.
 * Kept apart from config/endpoints.ts, which names the field in its errors.
 */
import { API_MAX_BASE_URLS, checkApiBaseUrl } from "./api-policy.ts";
import { isLoopbackHost } from "./policy.ts";

/** The base URLs as stored, or the problem with the first bad one (`at` is its index, when one is at fault). */
export type ApiBasesRead =
  | { readonly ok: true; readonly bases: readonly string[] }
  | { readonly ok: false; readonly at?: number; readonly problem: string };

/**
 * Reads a list of API base URLs: an array of 1 to {@link API_MAX_BASE_URLS} distinct URLs, each https
 * (http on loopback), canonical, without query or fragment. `undefined` reads as none.
 */
export function readApiBaseUrls(value: unknown): ApiBasesRead {
  if (value === undefined) return { ok: true, bases: [] };
  if (!Array.isArray(value) || value.length === 0 || value.length > API_MAX_BASE_URLS) {
    return {
      ok: false,
      problem: `must be an array of 1 to ${API_MAX_BASE_URLS} API base URLs, e.g. ["https://api.example.com/v1/"]`,
    };
  }
  const bases: string[] = [];
  for (const [at, item] of value.entries()) {
    const checked = checkApiBaseUrl(item, isLoopbackHost);
    if (!checked.ok) return { ok: false, at, problem: checked.problem };
    if (bases.includes(checked.base))
      return { ok: false, at, problem: "is listed twice; list each base once" };
    bases.push(checked.base);
  }
  return { ok: true, bases };
}
