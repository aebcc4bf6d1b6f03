/**
 * What the service worker answers from its cache, as pure functions of a request, the worker's scope
 * and the precache list, so they are tested without a browser. Everything else goes to the network
 * untouched: the worker never calls `respondWith` for it, and never writes to a cache at run time.
 */

/** The message a page posts to a waiting worker when the person chose to reload into it. */
export const SKIP_WAITING = "tokendesk:skip-waiting";

/**
 * Files a build writes that are never precached: the worker itself, where the relay is (each
 * deployment writes its own `config.json`, read fresh every time), host configuration, and
 * anything hidden or a source map.
 */
function neverPrecached(file: string): boolean {
  return (
    file === "sw.js" ||
    file === "config.json" ||
    file === "_headers" ||
    file === "_redirects" ||
    file.endsWith(".map") ||
    file.split("/").some((segment) => segment.startsWith("."))
  );
}

/**
 * The precache entry for a built file (a path relative to the app's root), or null when it is not
 * precached. Pages are cached by their directory URL (`./`, `callback/`), the URL a browser
 * navigates to: hosts that redirect `…/index.html` to `…/` (Cloudflare's `auto-trailing-slash`)
 * would otherwise hand the worker a redirect, which a navigation must not be answered with.
 */
export function precacheEntry(file: string): string | null {
  if (neverPrecached(file)) return null;
  if (file === "index.html") return "./";
  if (file.endsWith("/index.html")) return file.slice(0, -"index.html".length);
  return file;
}

/** Paths under the app's root that always go to the network, whatever a precache list says. */
function alwaysNetwork(path: string): boolean {
  return path === "config.json" || path === "relay" || path.startsWith("relay/") || path.includes("/relay/");
}

/** Every cache this copy of the app (at `scope`) owns starts with this; other copies on the origin have others. */
export function cachePrefix(scope: string): string {
  return `tokendesk-precache ${scope} `;
}

/** The request as the worker sees it. */
export interface RequestFacts {
  readonly method: string;
  readonly url: string;
  readonly mode: string;
}

/**
 * The precached URL that answers this request, or null for the network. Navigations to a precached
 * page match whatever their query (a callback's `?code&state` is read by the page from its address,
 * and never becomes a cache key); other requests match a precached URL exactly, query-less.
 */
export function cachedUrlFor(
  request: RequestFacts,
  scope: string,
  precached: ReadonlySet<string>,
): string | null {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  const root = new URL(scope);
  if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) return null;
  if (alwaysNetwork(url.pathname.slice(root.pathname.length))) return null;
  const bare = `${url.origin}${url.pathname}`;
  if (request.mode === "navigate") {
    const page = bare.endsWith("/index.html") ? bare.slice(0, -"index.html".length) : bare;
    return page.endsWith("/") && precached.has(page) ? page : null;
  }
  return url.search === "" && precached.has(bare) ? bare : null;
}
