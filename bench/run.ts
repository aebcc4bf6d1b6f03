/**
 * `npm run bench`: bundle, page, IndexedDB, backup and relay figures in one run, each with its budget.
 * Prints one table and the pass/fail lines, writes bench/results.json, and exits 1 if a budget is
 * missed. Loopback only; every loop is bounded; the whole run stops itself after 5 minutes.
 *
 * `--only bundle,page` measures the named sections alone (bundle, relay, page, timeline), and
 * `--only first-screen` the page's first contentful paint and connections list alone: for working
 * on one figure. Such a run writes bench/results-partial.json, never results.json.
 */
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { buildApp, measureBundle } from "./bundle.ts";
import { measurePage } from "./page.ts";
import { DEFAULT_RELAY_OPTIONS, measureRelay } from "./relay-figures.ts";
import { type Figure, formatTable, formatVerdicts, toJson, verdict } from "./report.ts";
import { round } from "./stats.ts";
import { measureTimeline } from "./timeline.ts";

const SECTIONS = ["bundle", "relay", "page", "first-screen", "timeline"] as const;
type Section = (typeof SECTIONS)[number];

/** The sections `--only a,b` names, or all of them (bar first-screen, which page includes). */
function chosenSections(argv: readonly string[]): { only: boolean; run: (s: Section) => boolean } {
  const at = argv.indexOf("--only");
  if (at === -1) return { only: false, run: (s) => s !== "first-screen" };
  const names = (argv[at + 1] ?? "").split(",").filter((n) => n !== "");
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `bench: --only takes a comma-separated list of ${SECTIONS.join(", ")}; got "${argv[at + 1] ?? ""}".\n`,
    );
    process.exit(2);
  }
  return { only: true, run: (s) => names.includes(s) };
}
const sections = chosenSections(process.argv.slice(2));

const RESULTS = fileURLToPath(
  new URL(sections.only ? "./results-partial.json" : "./results.json", import.meta.url),
);
const LIMIT_MS = 5 * 60_000;

const started = performance.now();
// Progress goes to stderr, so stdout is the table alone.
const log = (line: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

// The budget for the whole run is the issue's: should anything hang, stop rather than run on.
const watchdog = setTimeout(() => {
  process.stderr.write(`bench: still running after ${LIMIT_MS / 60_000} minutes; stopping.\n`);
  process.exit(2);
}, LIMIT_MS);
watchdog.unref();

log("building the app (npm run build, into a temporary directory)");
const built = await buildApp();
const figures: Figure[] = [];
let browserVersion = "";
let bundleFiles: unknown = [];
let pageSamples: Readonly<Record<string, readonly number[]>> = {};
let relaySummary: Record<string, number> = {};
try {
  if (sections.run("bundle")) {
    const bundle = await measureBundle(built.outDir);
    bundleFiles = bundle.files;
    figures.push(...bundle.figures);
    log("bundle measured");
  }

  if (sections.run("relay")) {
    log("relay (Node and workerd)");
    const relay = await measureRelay({ ...DEFAULT_RELAY_OPTIONS, log });
    figures.push(...relay.figures);
    relaySummary = Object.fromEntries(
      Object.entries(relay.samples).map(([name, samples]) => [`${name}_count`, samples.length]),
    );
  }

  if (sections.run("page") || sections.run("first-screen")) {
    const firstScreenOnly = !sections.run("page");
    log(
      `page figures in headless Chromium${firstScreenOnly ? ", first screen only" : " (the idle watch takes 60 s)"}`,
    );
    const page = await measurePage(built.outDir, {
      loads: 7,
      firstVisits: 15,
      idleMs: 60_000,
      writes: 1000,
      backupRounds: 3,
      firstScreenOnly,
      log,
    });
    figures.push(...page.figures);
    browserVersion = page.browser;
    pageSamples = { ...page.samples };
  }

  if (sections.run("timeline")) {
    log("timeline: drawn against the history list of the same 10,000-event connection");
    const timeline = await measureTimeline({ rounds: 5, log });
    figures.push(...timeline.figures);
    pageSamples = {
      ...pageSamples,
      timelineHistoryList: timeline.samples.history,
      timeline: timeline.samples.timeline,
    };
  }
} finally {
  await built.remove();
}

// Sections in a fixed order, whatever order they were measured in.
const order = ["bundle", "page", "indexeddb", "backup", "relay"];
figures.sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section));
const durationMs = performance.now() - started;
const failed = figures.filter((f) => verdict(f) === "fail");

const cpu = cpus();
await writeFile(
  RESULTS,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      durationSeconds: round(durationMs / 1000, 1),
      machine: {
        cpus: cpu.length,
        cpu: cpu[0]?.model ?? "unknown",
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        chromium: browserVersion,
      },
      passed: failed.length === 0,
      ...(sections.only ? { only: process.argv.slice(2) } : {}),
      figures: figures.map(toJson),
      bundleFiles,
      pageSamples: Object.fromEntries(
        Object.entries(pageSamples).map(([name, values]) => [name, values.map((v) => round(v, 3))]),
      ),
      relaySampleCounts: relaySummary,
    },
    null,
    2,
  )}\n`,
);

console.log(formatTable(figures));
console.log("");
console.log(formatVerdicts(figures));
console.log("");
console.log(
  `${failed.length === 0 ? "All budgets met" : `${failed.length} budget(s) missed`} in ${(durationMs / 1000).toFixed(0)} s on ${cpu.length} × ${cpu[0]?.model ?? "CPU"}; written to bench/${sections.only ? "results-partial.json" : "results.json"}`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
