import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { findChromium, NO_CHROMIUM_MESSAGE } from "./chromium.ts";

/**
 * Fails the browser suite at once, in one line, when this machine has no Chromium; gives the run a
 * directory for its builds (test/support/build.ts), removed when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (findChromium() === null) throw new Error(NO_CHROMIUM_MESSAGE);
  const cache = await mkdtemp(join(tmpdir(), "tokendesk-builds-"));
  project.provide("buildCache", cache);
  return () => rm(cache, { recursive: true, force: true });
}
