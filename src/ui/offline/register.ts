import { SKIP_WAITING } from "../../offline/routes.ts";
import { offerUpdate } from "./notices.tsx";

/**
 * Registers the service worker that makes the built app work offline (src/offline) for the app at
 * `root`, and hands a waiting new version to `offerUpdate` ("a new version is ready — reload").
 * Loaded after the first screen. It is handed the app's root rather than importing the helper from
 * the first screen's entry: the bundler would split that out into one more file to load first.
 */
export async function registerServiceWorker(root: string): Promise<void> {
  let registration: ServiceWorkerRegistration;
  try {
    registration = await navigator.serviceWorker.register(new URL("sw.js", root), { scope: root });
  } catch {
    // A host without sw.js, or a browser that refuses service workers here: the app still works
    // online, only not offline.
    return;
  }
  let asked = false;
  const offer = (waiting: ServiceWorker) =>
    offerUpdate(() => {
      asked = true;
      if (waiting.state === "redundant") window.location.reload();
      else waiting.postMessage(SKIP_WAITING);
    });
  // Only with a controller is a newly installed worker an update; the first one activates at once.
  if (registration.waiting !== null && navigator.serviceWorker.controller !== null)
    offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const installing = registration.installing;
    installing?.addEventListener("statechange", () => {
      if (installing.state === "installed" && navigator.serviceWorker.controller !== null) offer(installing);
    });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // This tab asked: reload into the new version. Another tab did: this page runs the old code,
    // whose lazy parts are no longer cached, so offer the reload here too.
    if (asked) window.location.reload();
    else offerUpdate(() => window.location.reload());
  });
}
