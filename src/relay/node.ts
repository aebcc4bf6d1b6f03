/**
 * `npm run relay`: the relay alone on Node, for self-hosting and development. Configuration from the
 * environment and `.env.local` in the working directory (`--env-path <path>` for another), whose
 * keys apply where the environment has none: TOKENDESK_CLIENTS, TOKENDESK_ALLOWED_ORIGINS, HOST
 * (default 127.0.0.1), PORT (default 8787; 0 picks a free port). Changes to the file apply at once;
 * a file that does not parse is refused and the last good clients stay (reloadable.ts).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadRelayOptions, type RelayOptions } from "./config.ts";
import { mergeEnv, readEnvFile } from "./env-file.ts";
import { errorResponse } from "./handler.ts";
import { createNodeListener, sendWebResponse } from "./node-adapter.ts";
import { createNodeFetch } from "./node-fetch.ts";
import { createReloadableRelay, type ReloadOutcome } from "./reloadable.ts";
import { watchFiles } from "./watch-files.ts";

/** A running relay server. */
export interface RelayServer {
  /** The relay's base URL, ending in `/relay/`. */
  readonly url: string;
  /** Swaps in a relay built from new options, or keeps the current one when they are refused. */
  reload(build: () => RelayOptions, attempted?: string): ReloadOutcome;
  close(): Promise<void>;
}

/** Serves the relay on Node under `/relay/`; every other path is a JSON 404. */
export async function startRelayServer(
  options: RelayOptions,
  listen: { readonly host?: string; readonly port?: number } = {},
): Promise<RelayServer> {
  // Node's own HTTP client for upstream calls (node-fetch.ts says why), unless the caller brings one.
  const upstream = createNodeFetch();
  const withFetch = (o: RelayOptions): RelayOptions => ({ ...o, fetch: o.fetch ?? upstream });
  const reloadable = createReloadableRelay(withFetch(options));
  const relay = createNodeListener(reloadable.handler);
  const server = createServer((req, res) => {
    if ((req.url ?? "").startsWith("/relay/")) {
      relay(req, res);
      return;
    }
    void sendWebResponse(
      res,
      errorResponse(404, "not_found", "This server only serves the relay; use paths under /relay/."),
    );
  });
  const host = listen.host ?? "127.0.0.1";
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(listen.port ?? 8787, host, () => {
      server.off("error", fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/relay/`,
    reload: (build, attempted) => reloadable.reload(() => withFetch(build()), attempted),
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
        upstream.close();
      }),
  };
}

function readPort(value: string | undefined): number {
  if (value === undefined || value === "") return 8787;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new Error(
      `PORT must be an integer from 0 to 65535 (0 picks a free port), not ${JSON.stringify(value)}.`,
    );
  }
  return Number(value);
}

/** `1 client: books` or `2 clients: books, xero`. */
function clientCount(ids: readonly string[]): string {
  return `${ids.length} ${ids.length === 1 ? "client" : "clients"}${ids.length === 0 ? "" : `: ${ids.join(", ")}`}`;
}

async function main(): Promise<void> {
  const fail = (message: string): never => {
    process.stderr.write(`tokendesk relay: ${message.replace(/\s+/g, " ")}\n`);
    process.exit(1);
  };
  let envFile = ".env.local";
  try {
    const { values } = parseArgs({ options: { "env-path": { type: "string" } }, strict: true });
    envFile = values["env-path"] ?? envFile;
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}; the only option is --env-path <path>.`);
  }
  const file = resolve(process.cwd(), envFile);
  // The environment as the process got it: on each reload the file is read again beneath it.
  const environment: Readonly<Record<string, string | undefined>> = { ...process.env };
  const log = (line: string) => console.log(line);
  let server: RelayServer | undefined;
  let fileEnv: Record<string, string> = {};
  let options: RelayOptions | undefined;
  let listen: { host: string; port: number } | undefined;
  try {
    fileEnv = readEnvFile(file);
    const env = mergeEnv(environment, fileEnv);
    options = loadRelayOptions(env);
    listen = { host: env.HOST || "127.0.0.1", port: readPort(env.PORT) };
    server = await startRelayServer({ ...options, log }, listen);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (server === undefined || options === undefined || listen === undefined) return;
  const ids = options.clients.map((c) => c.id);
  // A file that says one thing while the environment says another is a puzzle: name it.
  const warnOverridden = (fileValues: Record<string, string>) => {
    for (const key of ["TOKENDESK_CLIENTS", "TOKENDESK_ALLOWED_ORIGINS"]) {
      if (environment[key] !== undefined && fileValues[key] !== undefined) {
        process.stderr.write(
          `tokendesk relay: ${key} is set in the environment, which wins over ${envFile}; unset it there for the file to count.\n`,
        );
      }
    }
  };
  warnOverridden(fileEnv);

  const running = server;
  let rateLimit = options.rateLimit;
  const watch = watchFiles([file], () => {
    let next: Record<string, string>;
    try {
      next = readEnvFile(file);
    } catch (error) {
      process.stderr.write(
        `tokendesk relay: ${(error as Error).message} Still serving the last good clients.\n`,
      );
      return;
    }
    // Editors write twice, touch without changing: only a changed file is news.
    if (JSON.stringify(next) === JSON.stringify(fileEnv)) return;
    const previous = mergeEnv(environment, fileEnv);
    fileEnv = next;
    const env = mergeEnv(environment, next);
    let loaded: RelayOptions | undefined;
    const outcome = running.reload(() => {
      loaded = { ...loadRelayOptions(env), log };
      // Keep the limiters' counts unless their settings changed: a reload is no way around a limit.
      const sameRates = ["TOKENDESK_RATE_LIMIT_PER_IP", "TOKENDESK_RATE_LIMIT_PER_CLIENT"].every(
        (name) => env[name] === previous[name],
      );
      if (sameRates) loaded.rateLimit = rateLimit;
      return loaded;
    }, env.TOKENDESK_CLIENTS);
    if (outcome.ok) {
      rateLimit = loaded?.rateLimit;
      const news = [
        ...outcome.added.map((id) => `added ${id}`),
        ...outcome.changed.map((id) => `changed ${id}`),
        ...outcome.removed.map((id) => `removed ${id}`),
      ];
      console.log(
        `tokendesk relay: ${envFile} reloaded, ${clientCount(outcome.clients)}${news.length === 0 ? "" : ` (${news.join(", ")})`}`,
      );
    } else {
      process.stderr.write(
        `tokendesk relay: ${envFile} refused, still serving ${clientCount(outcome.clients)}: ${outcome.problem.replace(/\s+/g, " ")}\n`,
      );
    }
    warnOverridden(next);
    if (env.HOST !== previous.HOST || env.PORT !== previous.PORT) {
      console.log(`tokendesk relay: HOST and PORT changes apply at the next start (now ${running.url}).`);
    }
  });
  // Announced once the file is watched: a save right after this line is seen.
  console.log(`tokendesk relay on ${server.url} (${clientCount(ids)})`);
  const stop = () => {
    watch.close();
    void running.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

// Run only as the entry point, so tests and dev tooling can import startRelayServer.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  void main();
}
