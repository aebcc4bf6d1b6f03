import { BaseSequencer, type TestSpecification } from "vitest/node";

const BROWSER_PROJECTS = new Set(["e2e", "interop"]);

/**
 * Vitest's order, but with the browser files spread for two workers: the first (the longest by
 * Vitest's timings of earlier runs, the largest file on a fresh clone) leads, the unit, relay and
 * component files follow, then the other browser files. While one worker walks Chromium through the
 * first, the other runs the quick files; after that the two take turns at the browser lock
 * (test/support/one-browser-at-a-time.ts), each loading its next file while the other walks.
 */
export class BrowserBesideSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const browser = sorted.filter((spec) => BROWSER_PROJECTS.has(spec.project.name));
    const rest = sorted.filter((spec) => !BROWSER_PROJECTS.has(spec.project.name));
    return [...browser.slice(0, 1), ...rest, ...browser.slice(1)];
  }
}
