/**
 * The timeline against the list it summarises: a connection with 10,000 history lines drawn as the
 * plain history list (the floor) and as the timeline picture, in the same headless Chromium page,
 * taking turns so the machine's noise falls on both alike. The budget is the ratio of the two.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";
import solid from "vite-plugin-solid";
import { CHROMIUM_ARGS, findChromium, NO_CHROMIUM_MESSAGE } from "../test/support/chromium.ts";
import type { Figure } from "./report.ts";
import { median } from "./stats.ts";
import type { TimelineBenchApi } from "./timeline-harness.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

declare global {
  interface Window {
    tokendeskTimelineBench: TimelineBenchApi;
  }
}

/** bench/timeline-harness.ts with the app's Solid compiler and styles, as one script and one sheet. */
async function buildHarness(): Promise<{ script: string; css: string }> {
  const outDir = await mkdtemp(join(tmpdir(), "tokendesk-bench-timeline-"));
  try {
    await build({
      root: ROOT,
      configFile: false,
      logLevel: "warn",
      plugins: [solid()],
      define: { "process.env.NODE_ENV": '"production"' },
      build: {
        outDir,
        emptyOutDir: true,
        target: "es2022",
        // The plugin-timing notice is about build speed, which this figure is not.
        rolldownOptions: { checks: { pluginTimings: false } },
        lib: {
          entry: join(ROOT, "bench/timeline-harness.ts"),
          formats: ["iife"],
          name: "tokendeskTimelineHarness",
          fileName: () => "harness.js",
        },
      },
    });
    const files = await readdir(outDir);
    const css = files.find((f) => f.endsWith(".css"));
    return {
      script: await readFile(join(outDir, "harness.js"), "utf8"),
      css: css === undefined ? "" : await readFile(join(outDir, css), "utf8"),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

export interface TimelineOptions {
  /** Draws of each view; the median is reported. */
  readonly rounds: number;
  readonly log: (line: string) => void;
}

export async function measureTimeline(
  options: TimelineOptions,
): Promise<{ figures: Figure[]; samples: { history: number[]; timeline: number[] } }> {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error(NO_CHROMIUM_MESSAGE);
  const harness = await buildHarness();
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><title>bench</title></head><body></body></html>',
    );
    await page.addStyleTag({ content: harness.css });
    await page.addScriptTag({ content: harness.script });
    const events = await page.evaluate(() => window.tokendeskTimelineBench.events);
    // One of each first, unmeasured: compiling and first-use costs are not what the figure is about.
    await page.evaluate(() => window.tokendeskTimelineBench.draw("history"));
    await page.evaluate(() => window.tokendeskTimelineBench.draw("timeline"));
    const samples = { history: [] as number[], timeline: [] as number[] };
    let shapes = { history: 0, timeline: 0, focusable: 0 };
    for (let i = 0; i < options.rounds; i += 1) {
      const h = await page.evaluate(() => window.tokendeskTimelineBench.draw("history"));
      const t = await page.evaluate(() => window.tokendeskTimelineBench.draw("timeline"));
      samples.history.push(h.ms);
      samples.timeline.push(t.ms);
      shapes = { history: h.elements, timeline: t.elements, focusable: t.focusable };
    }
    const history = median(samples.history);
    const timeline = median(samples.timeline);
    const ratio = timeline / history;
    options.log(
      `timeline: ${events} events; history list ${samples.history.map((v) => v.toFixed(0)).join(", ")} ms; timeline ${samples.timeline.map((v) => v.toFixed(0)).join(", ")} ms; ratio ${ratio.toFixed(3)}`,
    );
    return {
      samples,
      figures: [
        {
          section: "page",
          name: `timeline drawn vs the history list, ${events.toLocaleString("en")} events`,
          value: ratio,
          unit: "ratio",
          detail: `timeline ${timeline.toFixed(0)} ms (${shapes.timeline} elements, ${shapes.focusable} focusable, one tab stop) vs history list (floor) ${history.toFixed(0)} ms (${shapes.history} elements); median of ${options.rounds}, taking turns in one page, to the first frame shown`,
          budget: {
            max: 0.15,
            why: "the picture summarises the list: well below its cost, whatever the history's length",
          },
        },
      ],
    };
  } finally {
    await browser.close();
  }
}

// `npx tsx bench/timeline.ts`: this figure alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { formatTable, formatVerdicts } = await import("./report.ts");
  const result = await measureTimeline({ rounds: 5, log: (line) => process.stderr.write(`${line}\n`) });
  console.log(formatTable(result.figures));
  console.log(formatVerdicts(result.figures));
}
