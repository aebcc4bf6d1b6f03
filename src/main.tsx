import { render } from "solid-js/web";
import { App } from "./App.tsx";
import { appRoot, captureCallback } from "./ui/callback-capture.ts";
import "./ui/styles.css";

// Before anything else: take code and state out of the address bar and history.
const callback = captureCallback(window.location, window.history);

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");
// The static frame (ui/shell.ts) painted before this script ran; the app draws the same in this task.
root.replaceChildren();
render(() => <App callback={callback} />, root);

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
