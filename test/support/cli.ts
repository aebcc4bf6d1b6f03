/**
 * Running `npm run client` and `npm run relay` as a person would: through npm, in the project, and
 * for the interactive mode in a real pseudo-terminal (util-linux `script`, part of every Debian).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The environment for a child: the test runner's, without the developer's own TOKENDESK_* settings. */
export function _childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("TOKENDESK_") && !key.startsWith("VITEST")) env[key] = value;
  }
  return { ...env, ...extra };
}

/** `npm run -s client -- …args` with `stdin` piped in; resolves with its exit code and output. */
export function _runClient(
  args: readonly string[],
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "-s", "client", "--", ...args], {
      cwd: ROOT,
      env: _childEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** One exchange with a terminal program: wait for `expect` on screen, then type `send`. */
export interface _Step {
  readonly expect: RegExp;
  readonly send: string;
}

/** Everything a pseudo-terminal showed, escape sequences included, and how the program ended. */
export interface _TerminalRun {
  readonly screen: string;
  readonly code: number | null;
}

/** Strips terminal escape sequences, for matching what a person reads. */
export function _plain(screen: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is removed.
  return screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/**
 * Runs `command` (a shell command line) in a pseudo-terminal and answers its questions in order.
 * Fails when a question does not come within 20 s, naming the step and the screen so far.
 */
export function _runInTerminal(
  command: string,
  steps: readonly _Step[],
  env: Record<string, string>,
): Promise<_TerminalRun> {
  if (spawnSync("script", ["--version"]).status !== 0) {
    throw new Error("util-linux `script` is needed for the terminal tests (apt-get install bsdutils).");
  }
  return new Promise((resolve, reject) => {
    // -e: script exits with the program's status; -q: no banner; the typescript file is thrown away.
    const child: ChildProcess = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
      cwd: ROOT,
      env: { ...env, TERM: "xterm", COLUMNS: "200", LINES: "50" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    let next = 0;
    let consumed = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(
          new Error(`no ${steps[next]?.expect ?? "exit"} within 20 s; the screen so far:\n${_plain(screen)}`),
        );
      }, 20_000);
    };
    const advance = () => {
      const step = steps[next];
      if (step === undefined) return;
      const fresh = _plain(screen).slice(consumed);
      const match = step.expect.exec(fresh);
      if (match === null) return;
      consumed += match.index + match[0].length;
      next += 1;
      child.stdin?.write(step.send);
      arm();
      advance();
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      screen += chunk.toString();
      advance();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      screen += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (timer !== undefined) clearTimeout(timer);
      if (next < steps.length) {
        reject(new Error(`exited ${code} before ${steps[next]?.expect}; the screen:\n${_plain(screen)}`));
        return;
      }
      resolve({ screen, code });
    });
    arm();
  });
}
