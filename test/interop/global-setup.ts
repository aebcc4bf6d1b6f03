import type { TestProject } from "vitest/node";
import { browserLockPath } from "../support/browser-lock.ts";
import { findChromium, NO_CHROMIUM_MESSAGE } from "../support/chromium.ts";
import { missingDebianPackages, missingPackagesMessage } from "./servers/debian.ts";

/**
 * Fails the interop suite at once, in one line, when Chromium or a server's Debian package is missing;
 * shares the e2e files' browser lock (test/support/one-browser-at-a-time.ts).
 */
export default function setup(project: TestProject): void {
  if (findChromium() === null) throw new Error(NO_CHROMIUM_MESSAGE);
  const missing = missingDebianPackages();
  if (missing.length > 0) throw new Error(missingPackagesMessage(missing));
  project.provide("browserLock", browserLockPath());
}
