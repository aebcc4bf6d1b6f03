import { render } from "solid-js/web";
import { App } from "./App.tsx";
import { startEarlyRead } from "./store/early-read.ts";
import { appRoot, captureCallback } from "./ui/callback-capture.ts";
import { applyTheme, savedTheme } from "./ui/theme.ts";
import "./ui/styles.css";

// Before anything else: take code and state out of the address bar and history.
const callback = captureCallback(window.location, window.history);

// A theme picked here, applied now rather than at the first render, which waits for a frame: the
// frame then shows it whenever this script is in before the browser paints (a reload from cache,
// most often). Sooner would take an inline script in the page, which its CSP does not allow.
applyTheme(savedTheme());

// Storage answers slower than the app starts: ask it now, while the frame is painted.
const earlyRead = startEarlyRead();

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");
const start = () => {
  // The static frame (ui/shell.ts) is on screen; the app draws the same in its place, in this task.
  root.replaceChildren();
  render(() => <App callback={callback} earlyRead={earlyRead} />, root);
};
// The page's frame is in index.html: let the browser paint it before the app's first render, which
// takes longer than a frame. A hidden tab gets no frames, so it starts at once.
if (document.visibilityState === "visible") requestAnimationFrame(() => setTimeout(start, 0));
else start();

// The service worker (offline use) is built only with the app, and registered after the first
// screen so its downloads never compete with it. The dev server has none: hot reload stays as is.
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  window.addEventListener(
    "load",
    () =>
      void import("./ui/offline/register.ts").then((m) => m.registerServiceWorker(appRoot(window.location))),
    { once: true },
  );
}
