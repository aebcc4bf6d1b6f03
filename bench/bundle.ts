/**
 * Bundle figures: the app built as `npm run build` builds it (into a temporary directory, so a
 * `dist/` someone is serving is left alone), then every file the first screen loads, found from
 * `index.html` and followed through static imports, measured raw, gzip and brotli.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { build, type Manifest } from "vite";
import { tokendeskViteConfig } from "../src/dev/vite-config.ts";
import type { Figure } from "./report.ts";

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Budget from issue 14: Solid, the router, idb-keyval and the app's first screen, and nothing the
 * first screen does not show. The hard limit is 22 kB; the bench holds the goal.
 */
export const INITIAL_JS_BUDGET_GZIP = 20_000;
/** The styles are hand-written and shared by every page; a framework's worth of CSS would show here. */
export const INITIAL_CSS_BUDGET_GZIP = 10_000;

export interface BuiltApp {
  readonly outDir: string;
  remove(): Promise<void>;
}

/** `npm run build` into a fresh temporary directory, with Vite's manifest for the import graph. */
export async function buildApp(): Promise<BuiltApp> {
  const outDir = await mkdtemp(join(tmpdir(), "tokendesk-bench-dist-"));
  const config = tokendeskViteConfig();
  await build({
    ...config,
    configFile: false,
    logLevel: "warn",
    build: { ...config.build, outDir, emptyOutDir: true, manifest: true },
  });
  return { outDir, remove: () => rm(outDir, { recursive: true, force: true }) };
}

export interface FileSize {
  readonly file: string;
  /** `initial` loads with the first screen; `lazy` on a later route or action; `worker` off the main thread. */
  readonly role: "initial" | "lazy" | "worker";
  readonly kind: "js" | "css";
  readonly raw: number;
  readonly gzip: number;
  readonly brotli: number;
}

export interface BundleReport {
  readonly files: readonly FileSize[];
  readonly figures: readonly Figure[];
}

/** Sizes as a static host would serve the file pre-compressed: gzip -9 and brotli quality 11. */
async function sizeOf(outDir: string, file: string) {
  const bytes = await readFile(join(outDir, file));
  const [gz, br] = await Promise.all([
    gzipAsync(bytes, { level: 9 }),
    brotliAsync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  ]);
  return { raw: bytes.length, gzip: gz.length, brotli: br.length };
}

/** Paths `index.html` loads: module scripts, module preloads and stylesheets, relative to outDir. */
export function htmlReferences(html: string): { js: string[]; css: string[] } {
  const js: string[] = [];
  const css: string[] = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
    const url = attr("src") ?? attr("href");
    if (url === undefined || /^(data:|https?:)/.test(url)) continue;
    const path = url.replace(/^\.?\//, "");
    if (tag.startsWith("<script") && attr("type") === "module") js.push(path);
    else if (attr("rel") === "modulepreload") js.push(path);
    else if (attr("rel") === "stylesheet") css.push(path);
  }
  return { js, css };
}

/** Measures every JS and CSS file of a build and sorts them into initial, lazy and worker. */
export async function measureBundle(outDir: string): Promise<BundleReport> {
  const html = await readFile(join(outDir, "index.html"), "utf8");
  const manifest = JSON.parse(await readFile(join(outDir, ".vite/manifest.json"), "utf8")) as Manifest;
  const byFile = new Map(Object.values(manifest).map((chunk) => [chunk.file, chunk]));

  // The first screen: what index.html names, plus everything those chunks import statically (a
  // browser fetches those before running the entry, preload tag or not).
  const refs = htmlReferences(html);
  const initialJs = new Set<string>();
  const initialCss = new Set(refs.css);
  const visit = (file: string) => {
    if (initialJs.has(file)) return;
    initialJs.add(file);
    const chunk = byFile.get(file);
    for (const css of chunk?.css ?? []) initialCss.add(css);
    for (const key of chunk?.imports ?? []) {
      const imported = manifest[key];
      if (imported !== undefined) visit(imported.file);
    }
  };
  for (const file of refs.js) visit(file);

  const allFiles = new Set<string>();
  for (const chunk of Object.values(manifest)) {
    allFiles.add(chunk.file);
    for (const css of chunk.css ?? []) allFiles.add(css);
    for (const asset of chunk.assets ?? []) allFiles.add(asset);
  }
  const files: FileSize[] = [];
  for (const file of [...allFiles].sort()) {
    const kind = file.endsWith(".js") ? "js" : file.endsWith(".css") ? "css" : null;
    if (kind === null) continue;
    // The token worker is its own entry, started with `new SharedWorker(new URL(…))`.
    const role =
      initialJs.has(file) || initialCss.has(file) ? "initial" : /worker/.test(file) ? "worker" : "lazy";
    files.push({ file, role, kind, ...(await sizeOf(outDir, file)) });
  }

  const sum = (list: readonly FileSize[], key: "raw" | "gzip" | "brotli") =>
    list.reduce((total, f) => total + f[key], 0);
  const describe = (list: readonly FileSize[]) =>
    `raw ${(sum(list, "raw") / 1000).toFixed(1)} kB · gzip ${(sum(list, "gzip") / 1000).toFixed(1)} kB · brotli ${(sum(list, "brotli") / 1000).toFixed(1)} kB`;
  const initial = (kind: "js" | "css") => files.filter((f) => f.role === "initial" && f.kind === kind);
  const later = files.filter((f) => f.role !== "initial");

  const figures: Figure[] = [];
  for (const f of files.filter((file) => file.role === "initial")) {
    figures.push({
      section: "bundle",
      name: `  ${f.file} (gzip)`,
      value: f.gzip,
      unit: "bytes",
      detail: describe([f]),
    });
  }
  figures.push(
    {
      section: "bundle",
      name: `initial JS, ${initial("js").length} chunks (gzip)`,
      value: sum(initial("js"), "gzip"),
      unit: "bytes",
      detail: describe(initial("js")),
      budget: {
        max: INITIAL_JS_BUDGET_GZIP,
        why: "issue 14: the first screen loads what it shows and nothing else (hard limit 22 kB)",
      },
    },
    {
      section: "bundle",
      name: `initial CSS, ${initial("css").length} file (gzip)`,
      value: sum(initial("css"), "gzip"),
      unit: "bytes",
      detail: describe(initial("css")),
      budget: { max: INITIAL_CSS_BUDGET_GZIP, why: "hand-written styles shared by every page" },
    },
    {
      section: "bundle",
      name: `split out: ${later.filter((f) => f.role === "lazy").length} lazy chunks + token worker (gzip)`,
      value: sum(later, "gzip"),
      unit: "bytes",
      detail: describe(later),
    },
  );
  return { files, figures };
}
