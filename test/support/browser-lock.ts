import { tmpdir } from "node:os";
import { join } from "node:path";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's lock directory for browser files (test/support/one-browser-at-a-time.ts). */
    browserLock: string;
  }
}

/**
 * One lock for every file that drives Chromium, e2e and interop alike. Both projects' global setups
 * run in Vitest's main process, so its pid names the same directory for both, and a run beside
 * another run on the same machine gets its own.
 */
export function browserLockPath(): string {
  return join(tmpdir(), `tokendesk-browser-lock-${process.pid}`);
}
