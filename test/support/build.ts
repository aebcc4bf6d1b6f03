/** `npm run build` into a fresh directory, as an operator runs it, for tests of the built app. */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BuiltApp {
  readonly outDir: string;
  remove(): Promise<void>;
}

/**
 * Builds the app with `extraEnv` added to the environment. A child process, because inside Vitest
 * the Solid plugin would pick a development build, which is not what an operator ships.
 */
export async function buildApp(extraEnv: Readonly<Record<string, string>> = {}): Promise<BuiltApp> {
  const outDir = await mkdtemp(join(tmpdir(), "tokendesk-dist-"));
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST") && name !== "NODE_ENV"),
  );
  Object.assign(env, extraEnv);
  await run(
    process.execPath,
    ["node_modules/vite/bin/vite.js", "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
    { env, cwd: ROOT },
  );
  return { outDir, remove: () => rm(outDir, { recursive: true, force: true }) };
}
