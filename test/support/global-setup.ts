import { findChromium, NO_CHROMIUM_MESSAGE } from "./chromium.ts";

/** Fails the browser suite at once, in one line, when this machine has no Chromium. */
export default function setup(): void {
  if (findChromium() === null) throw new Error(NO_CHROMIUM_MESSAGE);
}
