import { type CallbackParams, isCallback, parseCallback } from "../oauth/callback.ts";

/** The redirect URI's path segment: the app serves `callback/index.html` there. */
export const CALLBACK_SEGMENT = "callback/";

/** The URL of the app's root folder, wherever the app is hosted (root or a sub-path). */
export function appRoot(location: Pick<Location, "origin" | "pathname">): string {
  const path = location.pathname;
  const dir = path.endsWith(`/${CALLBACK_SEGMENT}`)
    ? path.slice(0, -CALLBACK_SEGMENT.length)
    : path.replace(/[^/]*$/, "");
  return `${location.origin}${dir}`;
}

/** The redirect URI this copy of the app answers at. */
export function redirectUriFor(location: Pick<Location, "origin" | "pathname">): string {
  return `${appRoot(location)}${CALLBACK_SEGMENT}`;
}

/**
 * When the page was opened as the redirect URI, reads the provider's answer and at once replaces
 * the address (and its history entry) with the app's callback route, so the code and state are in
 * neither the address bar, the history, nor any later Referer.
 */
export function captureCallback(location: Location, history: History): CallbackParams | null {
  const onCallbackPath = location.pathname.endsWith(`/${CALLBACK_SEGMENT}`);
  // The icon and the manifest are fetched later, against the address as it is then: pin them to
  // the callback page's own address before it changes (their paths are relative, `../icons/…`).
  if (onCallbackPath) {
    for (const link of document.querySelectorAll<HTMLLinkElement>("link[href]")) {
      link.setAttribute("href", link.href);
    }
  }
  if (!onCallbackPath || !isCallback(location.search)) {
    if (onCallbackPath) history.replaceState(null, "", `${appRoot(location)}#/`);
    return null;
  }
  const params = parseCallback(location.search);
  history.replaceState(null, "", `${appRoot(location)}#/callback`);
  return params;
}
