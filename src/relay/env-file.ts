/**
 * Reading `.env.local` (KEY=VALUE lines, Node's `util.parseEnv` syntax) for `npm run relay` and
 * `npm run client`. Node only.
 */
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/** The file's variables; an empty object when there is no such file. */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new Error(
      `${file} could not be read (${(error as Error).message}); fix its permissions or remove it.`,
    );
  }
  let parsed: NodeJS.Dict<string>;
  try {
    parsed = parseEnv(text);
  } catch (error) {
    // Node's message names the syntax problem, not the file's values.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${file} is not a valid .env file (${reason}); fix or remove it.`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * The environment a process sees: the file's variables under the real environment's, which win
 * (a deployment's own settings are never overridden by a file left lying around).
 */
export function mergeEnv(
  environment: Readonly<Record<string, string | undefined>>,
  file: Readonly<Record<string, string>>,
): Record<string, string | undefined> {
  return { ...file, ...environment };
}
