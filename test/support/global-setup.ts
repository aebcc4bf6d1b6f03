import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { browserLockPath } from "./browser-lock.ts";
import { findChromium, NO_CHROMIUM_MESSAGE } from "./chromium.ts";

/**
 * Fails the browser suite at once, in one line, when this machine has no Chromium; gives the run a
 * directory for its builds (test/support/build.ts) and its browser lock
 * (test/support/one-browser-at-a-time.ts), removed when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (findChromium() === null) throw new Error(NO_CHROMIUM_MESSAGE);
  const builds = await mkdtemp(join(tmpdir(), "tokendesk-builds-"));
  project.provide("buildCache", builds);
  project.provide("browserLock", browserLockPath());
  return async () => {
    await rm(builds, { recursive: true, force: true });
    await rm(browserLockPath(), { recursive: true, force: true });
  };
}
