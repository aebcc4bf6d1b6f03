/**
 * Starting a server in its own process: spawned in a process group of its own so that stopping it
 * also ends anything it started, its output kept (the tail of it goes into every error), and killed
 * when the test process exits, however it exits.
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface ChildServer {
  readonly pid: number;
  /** stdout and stderr interleaved, the last 64 KiB. */
  log(): string;
  /** Resolves with the first output line matching `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Writes one line to its stdin. */
  send(line: string): void;
  /** SIGTERM to its process group, SIGKILL after 3 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const LOG_LIMIT = 64 * 1024;
const running = new Set<ChildProcess>();

// A test worker that dies or is told to exit must not leave servers behind on the machine.
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export function startChild(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): ChildServer {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  let log = "";
  let pending = "";
  const watchers: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      running.delete(child);
      resolve();
    });
  });
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    log = (log + text).slice(-LOG_LIMIT);
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      for (const watcher of [...watchers]) {
        const match = watcher.pattern.exec(line);
        if (match !== null) {
          watchers.splice(watchers.indexOf(watcher), 1);
          watcher.resolve(match);
        }
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  let stopping: Promise<void> | undefined;
  return {
    get pid() {
      return child.pid ?? -1;
    },
    log: () => log,
    async waitFor(pattern, timeoutMs) {
      await spawned;
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `${command} did not print ${pattern} within ${timeoutMs} ms. Its output:\n${tail(log)}`,
            ),
          );
        }, timeoutMs);
        watchers.push({
          pattern,
          resolve: (match) => {
            clearTimeout(timer);
            resolve(match);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(
            new Error(
              `${command} exited (${child.exitCode ?? child.signalCode}) before it was ready. Its output:\n${tail(log)}`,
            ),
          );
        });
      });
    },
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    stop() {
      stopping ??= (async () => {
        killGroup(child, "SIGTERM");
        const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** The last lines of a log, for error messages. */
export function tail(log: string, lines = 30): string {
  return log.trimEnd().split("\n").slice(-lines).join("\n");
}
