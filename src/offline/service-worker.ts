/**
 * The service worker (built by src/dev/service-worker-build.ts into `sw.js` beside index.html): it
 * precaches this build's files under a cache named for its scope and version, answers the app's own
 * files and pages from that cache, and leaves everything else (the relay, `config.json`, other
 * origins) to the network. A new version waits until the page asks it to take over (SKIP_WAITING),
 * then removes the caches of older versions of this copy of the app.
 */
import { cachedUrlFor, cachePrefix, SKIP_WAITING } from "./routes.ts";

/** This build's precache list, relative to the app's root; injected at build time. */
declare const __TOKENDESK_PRECACHE__: readonly string[];
/** A hash of every precached file's name and bytes; injected at build time. */
declare const __TOKENDESK_VERSION__: string;

// The program is type-checked with the DOM's types (tsconfig's lib), which do not describe a service
// worker's global scope; these are the few parts of it used here (Service Workers, W3C).
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
}
interface WorkerScope {
  readonly registration: ServiceWorkerRegistration;
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  addEventListener(type: "message", listener: (event: ExtendableMessageEvent) => void): void;
}

const worker = self as unknown as WorkerScope;
const scope = worker.registration.scope;
const prefix = cachePrefix(scope);
const cacheName = `${prefix}${__TOKENDESK_VERSION__}`;
const urls = __TOKENDESK_PRECACHE__.map((entry) => new URL(entry, scope).href);
const precached = new Set(urls);

worker.addEventListener("install", (event) => {
  // All or nothing: one file missing fails the install, and the browser tries again later.
  // `reload` skips the HTTP cache, so a stale copy of a page cannot join a new version.
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll(urls.map((url) => new Request(url, { cache: "reload" })))),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(prefix) && name !== cacheName)
            .map((name) => caches.delete(name)),
        ),
      ),
  );
});

worker.addEventListener("message", (event) => {
  if (event.data === SKIP_WAITING) event.waitUntil(worker.skipWaiting());
});

worker.addEventListener("fetch", (event) => {
  const url = cachedUrlFor(event.request, scope, precached);
  // Not ours (the relay, config.json, another origin): no answer here, so the browser fetches it
  // exactly as it would without a service worker.
  if (url === null) return;
  event.respondWith(
    caches
      .open(cacheName)
      .then((cache) => cache.match(url))
      .then((cached) => cached ?? fetch(event.request)),
  );
});
