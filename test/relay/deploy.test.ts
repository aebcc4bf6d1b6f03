/**
 * `npm run deploy` is one command: build the app, then `wrangler deploy` with src/relay/wrangler.jsonc.
 * Here wrangler itself reads that configuration and bundles the Worker, stopping short of uploading
 * (`--dry-run`), with the operator's secrets in its environment: the bundle it would upload holds
 * the relay and the recipes, no UI code, and nothing from the environment.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWranglerConfig, WRANGLER_CONFIG } from "../support/workerd.ts";
import { _DEMO, _secretForms } from "./_helpers.ts";

const run = promisify(execFile);

let scratch: string;
let output: string;
let bundle: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "tokendesk-deploy-"));
  const assets = join(scratch, "assets");
  await mkdir(assets);
  await writeFile(join(assets, "index.html"), "<!doctype html><title>tokendesk</title>");
  const result = await run(
    process.execPath,
    [
      "node_modules/wrangler/bin/wrangler.js",
      "deploy",
      "--dry-run",
      "--config",
      WRANGLER_CONFIG,
      "--outdir",
      join(scratch, "out"),
      // The built app stands in for dist/, which only `npm run build` writes.
      "--assets",
      assets,
    ],
    {
      env: {
        ...process.env,
        // Offline and quiet: no metrics, no update check (it runs with the banner), no account lookups.
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_HIDE_BANNER: "true",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_LOG_PATH: join(scratch, "logs"),
        // What an operator may have set locally must never end up in the bundle.
        TOKENDESK_CLIENTS: JSON.stringify([_DEMO]),
        CLIENT_SECRET: _DEMO.client_secret,
      },
    },
  );
  output = `${result.stdout}\n${result.stderr}`;
  bundle = await readFile(join(scratch, "out", "worker.js"), "utf8");
}, 60_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("npm run deploy", () => {
  it("is the build followed by wrangler deploy with the Worker's configuration", async () => {
    const scripts = (
      JSON.parse(await readFile("package.json", "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.deploy).toBe("npm run build && wrangler deploy --config src/relay/wrangler.jsonc");
  });

  it("passes wrangler's checks and binds the built app as static assets", () => {
    expect(output).toContain("--dry-run: exiting now.");
    expect(output).toMatch(/env\.ASSETS\s+Assets/);
    expect(output).not.toMatch(/\[WARNING\]|\[ERROR\]/);
  });

  it("serves every request through the Worker first, and keeps its compatibility date within workerd's", async () => {
    const config = await readWranglerConfig();
    expect(config.main).toBe("./worker.ts");
    expect(config.assets).toMatchObject({
      directory: "../../dist",
      binding: "ASSETS",
      run_worker_first: true,
    });
    const workerd = JSON.parse(await readFile("node_modules/workerd/package.json", "utf8")) as {
      version: string;
    };
    const build = /^1\.(\d{4})(\d{2})(\d{2})\./.exec(workerd.version);
    expect(build).not.toBeNull();
    expect(config.compatibility_date <= `${build?.[1]}-${build?.[2]}-${build?.[3]}`).toBe(true);
  });

  it("bundles the relay and the recipes only: no UI, store or Node code", () => {
    const sources = [...bundle.matchAll(/^\/\/ (\S+\.ts)$/gm)].map((match) => match[1] ?? "");
    expect(sources).toContain("worker.ts");
    expect(sources).toContain("handler.ts");
    for (const source of sources) expect(source).toMatch(/^(\.\.\/providers\/|[\w-]+\/)?[\w.-]+\.ts$/);
    expect(bundle).not.toMatch(/solid-js|idb-keyval|indexedDB|from "node:/);
  });

  it("carries no secret from the environment", () => {
    for (const secret of _secretForms([_DEMO])) expect(bundle.includes(secret), secret).toBe(false);
  });
});
