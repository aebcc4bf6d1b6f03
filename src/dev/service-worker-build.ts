/**
 * Builds the service worker (src/offline/service-worker.ts) into `sw.js` beside index.html, once the
 * app's files are written: its precache list is every file of this build that may be cached (pages
 * by their directory URL, see precacheEntry), and its version a hash of their names and bytes, so
 * any change to the app makes a new worker and a new cache.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Plugin } from "vite";
import { precacheEntry } from "../offline/routes.ts";

const SOURCE = fileURLToPath(new URL("../offline/service-worker.ts", import.meta.url));

/** Every file under `dir`, as a `/`-separated path relative to it, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

/** The precache list and version of the build in `dir`. */
export async function precacheManifest(dir: string): Promise<{ entries: string[]; version: string }> {
  const hash = createHash("sha256");
  const entries: string[] = [];
  for (const file of await filesUnder(dir)) {
    const entry = precacheEntry(file);
    if (entry === null) continue;
    entries.push(entry);
    hash.update(`${entry}\0`);
    hash.update(await readFile(join(dir, file)));
    hash.update("\0");
  }
  return { entries, version: hash.digest("hex").slice(0, 16) };
}

/** Writes `sw.js` for the build in `dir`; returns its size and what it precaches. */
export async function writeServiceWorker(
  dir: string,
): Promise<{ bytes: number; entries: string[]; version: string }> {
  const { entries, version } = await precacheManifest(dir);
  const result = await build({
    entryPoints: [SOURCE],
    bundle: true,
    // A classic script: module service workers are newer than everything else this app needs.
    format: "iife",
    target: "es2022",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
    define: {
      __TOKENDESK_PRECACHE__: JSON.stringify(entries),
      __TOKENDESK_VERSION__: JSON.stringify(version),
    },
  });
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new Error("esbuild wrote nothing for the service worker");
  await writeFile(join(dir, "sw.js"), code);
  return { bytes: code.byteLength, entries, version };
}

/** The Vite plugin: after `vite build` has written the app, add its service worker. */
export function serviceWorker(): Plugin {
  let outDir = "";
  return {
    name: "tokendesk-service-worker",
    apply: "build",
    enforce: "post",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async writeBundle(options) {
      await writeServiceWorker(options.dir ?? outDir);
    },
  };
}
