/**
 * Runs the relay's Cloudflare entry (src/relay/worker.ts) inside workerd through Miniflare, as
 * `wrangler deploy` would ship it: bundled alone (no UI code), with the compatibility date of
 * src/relay/wrangler.jsonc. Shared by the workerd relay suite, the e2e tests and `npm run bench:relay`.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { Miniflare, type WorkerOptions } from "miniflare";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const WORKER_ENTRY = join(ROOT, "src/relay/worker.ts");
export const WRANGLER_CONFIG = join(ROOT, "src/relay/wrangler.jsonc");

// No network but loopback: never let wrangler or Miniflare ask Cloudflare for anything.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

/** The parts of src/relay/wrangler.jsonc that the local runtime must agree with. */
export interface WranglerConfig {
  readonly name: string;
  readonly main: string;
  readonly compatibility_date: string;
  readonly compatibility_flags?: readonly string[];
  readonly assets?: {
    readonly directory: string;
    readonly binding?: string;
    readonly run_worker_first?: boolean | readonly string[];
    readonly html_handling?: string;
    readonly not_found_handling?: string;
  };
}

/** Reads src/relay/wrangler.jsonc; its comments stand on lines of their own. */
export async function readWranglerConfig(): Promise<WranglerConfig> {
  const text = await readFile(WRANGLER_CONFIG, "utf8");
  const json = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("//"))
    .join("\n");
  return JSON.parse(json) as WranglerConfig;
}

/** The Worker bundled as wrangler bundles it: one ES module, Web APIs only. */
export interface WorkerBundle {
  readonly dir: string;
  readonly path: string;
  /** Every source file in the bundle, relative to the repository. */
  readonly inputs: readonly string[];
  remove(): Promise<void>;
}

/** Bundles src/relay/worker.ts with esbuild (what wrangler uses) into a fresh temporary directory. */
export async function bundleWorker(): Promise<WorkerBundle> {
  const dir = await mkdtemp(join(tmpdir(), "tokendesk-worker-"));
  const path = join(dir, "worker.js");
  const result = await build({
    entryPoints: [WORKER_ENTRY],
    outfile: path,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    metafile: true,
    logLevel: "silent",
    absWorkingDir: ROOT,
  });
  const metafile: Metafile = result.metafile;
  return {
    dir,
    path,
    inputs: Object.keys(metafile.inputs),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** One Worker to run: its name and its environment (the vars and secrets wrangler would bind). */
export interface WorkerSpec {
  readonly name: string;
  readonly bindings: Readonly<Record<string, string>>;
  /** A directory of static files bound as ASSETS, as wrangler.jsonc's `assets` does. */
  readonly assetsDirectory?: string;
  /** Cloudflare Rate Limiting bindings by name. */
  readonly ratelimits?: Readonly<Record<string, { readonly limit: number; readonly period: 10 | 60 }>>;
  /**
   * More host names routed to this Worker, e.g. `127.0.0.1` for a Worker that must see itself on
   * loopback (discovery fetches loopback issuers only then); reach them with {@link RunningWorkerd.fetchUrl}.
   */
  readonly hosts?: readonly string[];
  /**
   * Also serve this Worker on a socket of its own (Miniflare's direct socket), reached without
   * Miniflare's routing entry Worker, as Cloudflare's edge reaches a deployed Worker: for the bench,
   * which measures the relay, not the local router in front of it. See {@link RunningWorkerd.directUrl}.
   */
  readonly directSocket?: boolean;
}

/** Workers running in one workerd process. */
export interface RunningWorkerd {
  /** The origin a Worker is routed by, as a custom domain on Cloudflare: `https://<name>.workers.test`. */
  origin(name: string): string;
  /** `fetch` a path of one Worker, at {@link RunningWorkerd.origin}. */
  fetch(name: string, path: string, init?: RequestInit): Promise<Response>;
  /** `fetch` a full URL, routed by its host name: a Worker's {@link WorkerSpec.hosts}. */
  fetchUrl(url: string, init?: RequestInit): Promise<Response>;
  /** The first Worker's address on 127.0.0.1, for a browser or a load test. */
  readonly url: URL;
  /** A Worker's own socket on 127.0.0.1, when its spec asked for {@link WorkerSpec.directSocket}. */
  directUrl(name: string): Promise<URL>;
  /** Lines the Workers wrote with console.log, oldest first. */
  readonly stdout: readonly string[];
  /** Lines the Workers or workerd wrote to stderr. */
  readonly stderr: readonly string[];
  close(): Promise<void>;
}

/** Starts `workers` in one workerd (one Miniflare instance), each running the bundle. */
export async function startWorkerd(
  bundle: WorkerBundle,
  workers: readonly WorkerSpec[],
  options: {
    readonly port?: number;
    /** Read the Workers' output and drop it, keeping no lines (a bench's many thousand requests). */
    readonly discardOutput?: boolean;
  } = {},
): Promise<RunningWorkerd> {
  const config = await readWranglerConfig();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (stream: Readable, lines: string[]) => {
    if (options.discardOutput === true) {
      stream.resume();
      return;
    }
    let partial = "";
    stream.on("data", (chunk: Buffer) => {
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    });
  };
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: options.port ?? 0,
    cf: false,
    handleRuntimeStdio(out: Readable, err: Readable) {
      collect(out, stdout);
      collect(err, stderr);
    },
    workers: workers.map((worker): WorkerOptions => {
      const assets = config.assets;
      return {
        name: worker.name,
        // Routing by host name, not Miniflare's per-Worker fetch, which refuses foreign Origin headers.
        routes: [`${worker.name}.workers.test/*`, ...(worker.hosts ?? []).map((host) => `${host}/*`)],
        modules: true,
        scriptPath: bundle.path,
        // Module names are paths relative to this root; the bundle lives outside the repository.
        modulesRoot: bundle.dir,
        compatibilityDate: config.compatibility_date,
        compatibilityFlags: [...(config.compatibility_flags ?? [])],
        bindings: { ...worker.bindings },
        ...(worker.directSocket === true
          ? { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }], stripCfConnectingIp: false }
          : {}),
        ...(worker.ratelimits === undefined
          ? {}
          : {
              ratelimits: Object.fromEntries(
                Object.entries(worker.ratelimits).map(([name, simple]) => [name, { simple }]),
              ),
            }),
        ...(worker.assetsDirectory === undefined || assets === undefined
          ? {}
          : {
              assets: {
                directory: worker.assetsDirectory,
                binding: assets.binding,
                routerConfig: {
                  has_user_worker: true,
                  invoke_user_worker_ahead_of_assets: assets.run_worker_first === true,
                },
                assetConfig: {
                  ...(assets.html_handling === undefined ? {} : { html_handling: assets.html_handling }),
                  ...(assets.not_found_handling === undefined
                    ? {}
                    : { not_found_handling: assets.not_found_handling }),
                },
              },
            }),
      };
    }),
  });
  const url = await mf.ready;
  const origin = (name: string) => `https://${name}.workers.test`;
  return {
    url,
    stdout,
    stderr,
    origin,
    directUrl: (name) => mf.unsafeGetDirectURL(name),
    async fetch(name, path, init) {
      // Miniflare's fetch is undici's; its Request and Response are the same Web API objects.
      return (await mf.dispatchFetch(`${origin(name)}${path}`, init as never)) as unknown as Response;
    },
    async fetchUrl(url, init) {
      return (await mf.dispatchFetch(url, init as never)) as unknown as Response;
    },
    close: () => mf.dispose(),
  };
}
