/** Accessibility checks in Chromium, shared by the suites that reach a page worth checking. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeResult {
  violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
}

/** axe-core's violations on the page as it is now, one line each. */
export async function _axe(page: Page): Promise<string[]> {
  // Evaluated rather than added as a script tag: the built app's CSP refuses inline scripts. Once
  // per document: a second check of the same document reuses it.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  // Violations are all that is read: axe then keeps one node, not every node, of passes and
  // incomplete results, which is most of its time on a long page.
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run(context: Document, options: object): Promise<unknown> } }).axe.run(
      document,
      { resultTypes: ["violations"] },
    ),
  )) as AxeResult;
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

/** Elements wider than the viewport (the cause of horizontal scrolling), by tag and class. */
export async function _overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const rect = el.getBoundingClientRect();
      if (
        rect.width > 0 &&
        (rect.right > width + 1 || rect.left < -1) &&
        !el.closest(".sr-only, .skip-link")
      ) {
        wide.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(rect.right)} > ${width})`);
      }
    }
    if (document.documentElement.scrollWidth > width)
      wide.push(`page scrolls to ${document.documentElement.scrollWidth}`);
    return wide;
  });
}
