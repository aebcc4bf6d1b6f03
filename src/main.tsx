import { render } from "solid-js/web";
import { App } from "./App.tsx";
import { captureCallback } from "./ui/callback-capture.ts";
import "./ui/styles.css";

// Before anything else: take code and state out of the address bar and history.
const callback = captureCallback(window.location, window.history);

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");
render(() => <App callback={callback} />, root);
