import { findChromium, NO_CHROMIUM_MESSAGE } from "../support/chromium.ts";
import { missingDebianPackages, missingPackagesMessage } from "./servers/debian.ts";

/** Fails the interop suite at once, in one line, when Chromium or a server's Debian package is missing. */
export default function setup(): void {
  if (findChromium() === null) throw new Error(NO_CHROMIUM_MESSAGE);
  const missing = missingDebianPackages();
  if (missing.length > 0) throw new Error(missingPackagesMessage(missing));
}
