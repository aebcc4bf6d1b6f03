/**
 * A setup file of the e2e and interop projects: one browser file at a time holds the browser lock, from before its
 * own beforeAll (servers, Chromium) until after its afterAll. The browser files share Vitest's workers
 * with the unit, relay and component files, so those run on the other core meanwhile, while no two
 * Chromium walks ever compete for the two cores.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import "./browser-lock.ts";

const lock = inject("browserLock");
/** Long enough to wait for every other browser file of a slow run; a crashed holder is noticed sooner. */
const WAIT_MS = 30 * 60_000;
let held = false;

beforeAll(async () => {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      held = true;
      await writeFile(join(lock, "pid"), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (await _holderGone()) await rm(lock, { recursive: true, force: true });
    else if (Date.now() > deadline)
      throw new Error(`another browser file held the browser lock for ${WAIT_MS} ms`);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, WAIT_MS + 60_000);

afterAll(async () => {
  if (held) await rm(lock, { recursive: true, force: true });
  held = false;
});

/** True when the lock's holder has exited without releasing it (a crashed worker). */
async function _holderGone(): Promise<boolean> {
  const pid = Number(await readFile(join(lock, "pid"), "utf8").catch(() => ""));
  // No pid yet: the holder is between mkdir and writeFile.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
