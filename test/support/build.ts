/** `npm run build` into a fresh directory, as an operator runs it, for tests of the built app. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** A directory for this run's builds (test/support/global-setup.ts), removed when the run ends. */
    buildCache: string;
  }
}

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BuiltApp {
  readonly outDir: string;
  remove(): Promise<void>;
}

/**
 * Builds the app with `extraEnv` added to the environment, into a directory of the caller's own. A
 * build takes 10 to 20 s on two busy cores and every file that asks for the same environment in one
 * `vitest run` gets the same output, so the run builds each environment once and hands out copies;
 * nothing is kept from one run to the next.
 */
export async function buildApp(extraEnv: Readonly<Record<string, string>> = {}): Promise<BuiltApp> {
  const outDir = await mkdtemp(join(tmpdir(), "tokendesk-dist-"));
  const cache = inject("buildCache") ?? "";
  if (cache === "") {
    await _build(outDir, extraEnv);
  } else {
    const key = createHash("sha256")
      .update(JSON.stringify(Object.entries(extraEnv).sort()))
      .digest("hex")
      .slice(0, 16);
    const shared = join(cache, key);
    if (!existsSync(shared)) {
      const partial = await mkdtemp(join(cache, `${key}-`));
      await _build(partial, extraEnv);
      await rename(partial, shared);
    }
    await cp(shared, outDir, { recursive: true });
  }
  return { outDir, remove: () => rm(outDir, { recursive: true, force: true }) };
}

/**
 * A child process, because inside Vitest the Solid plugin would pick a development build, which is
 * not what an operator ships.
 */
async function _build(outDir: string, extraEnv: Readonly<Record<string, string>>): Promise<void> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST") && name !== "NODE_ENV"),
  );
  Object.assign(env, extraEnv);
  await run(
    process.execPath,
    ["node_modules/vite/bin/vite.js", "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
    { env, cwd: ROOT },
  );
}
