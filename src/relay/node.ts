/**
 * `npm run relay`: the relay alone on Node, for self-hosting and development. Configuration from the
 * environment (and `.env.local` in the working directory for keys not already set): TOKENDESK_CLIENTS,
 * TOKENDESK_ALLOWED_ORIGINS, HOST (default 127.0.0.1), PORT (default 8787; 0 picks a free port).
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseEnv } from "node:util";
import { loadRelayOptions, type RelayOptions } from "./config.ts";
import { createRelay, errorResponse } from "./handler.ts";
import { createNodeListener, sendWebResponse } from "./node-adapter.ts";

/** A running relay server. */
export interface RelayServer {
  /** The relay's base URL, ending in `/relay/`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the relay on Node under `/relay/`; every other path is a JSON 404. */
export async function startRelayServer(
  options: RelayOptions,
  listen: { readonly host?: string; readonly port?: number } = {},
): Promise<RelayServer> {
  const relay = createNodeListener(createRelay(options));
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
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** Reads `.env.local` (KEY=VALUE lines) into `env` for keys it does not already have. */
function loadEnvLocal(env: NodeJS.ProcessEnv, cwd: string): void {
  const file = resolve(cwd, ".env.local");
  if (!existsSync(file)) return;
  let parsed: NodeJS.Dict<string>;
  try {
    parsed = parseEnv(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`.env.local could not be read (${reason}); fix or remove ${file}.`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (env[key] === undefined && value !== undefined) env[key] = value;
  }
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

async function main(): Promise<void> {
  let server: RelayServer;
  let count: number;
  try {
    loadEnvLocal(process.env, process.cwd());
    const options = loadRelayOptions(process.env);
    const host = process.env.HOST || "127.0.0.1";
    const port = readPort(process.env.PORT);
    count = options.clients.length;
    server = await startRelayServer({ ...options, log: (line) => console.log(line) }, { host, port });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tokendesk relay: ${message.replace(/\s+/g, " ")}\n`);
    process.exit(1);
  }
  console.log(`tokendesk relay on ${server.url} (${count} ${count === 1 ? "client" : "clients"})`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

// Run only as the entry point, so tests and dev tooling can import startRelayServer.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  void main();
}
