/** Starts the same dev server as `npm start` (SPA, relay, demo authorization server) on a free port. */
import { get } from "node:https";
import { createServer, type Logger, type ViteDevServer } from "vite";
import type { DemoServer } from "../../src/dev/demo-server.ts";
import { tokendeskViteConfig } from "../../src/dev/vite-config.ts";
import type { DevServerOptions } from "../../src/dev/vite-plugin.ts";

export interface RunningDevServer {
  readonly origin: string;
  readonly demo: DemoServer;
  readonly server: ViteDevServer;
  close(): Promise<void>;
}

export async function startDevServer(
  options: Omit<DevServerOptions, "onReady" | "port"> = {},
  /** `hmr`: Vite's hot-reload channel, off unless a test needs the dev server's pushes. */
  vite: { readonly hmr?: boolean; readonly customLogger?: Logger } = {},
): Promise<RunningDevServer> {
  let resolveReady!: (value: { origin: string; demo: DemoServer }) => void;
  const ready = new Promise<{ origin: string; demo: DemoServer }>((resolve) => {
    resolveReady = resolve;
  });
  const config = tokendeskViteConfig({ ...options, port: 0, onReady: (r) => resolveReady(r) });
  const server = await createServer({
    ...config,
    configFile: false,
    logLevel: "warn",
    clearScreen: false,
    ...(vite.customLogger === undefined ? {} : { customLogger: vite.customLogger }),
    server: { ...config.server, hmr: vite.hmr === true, watch: null },
  });
  await server.listen();
  // The relay and demo server start once the dev server listens; the first request waits for them.
  const address = server.httpServer?.address();
  if (address === null || address === undefined || typeof address === "string")
    throw new Error("dev server has no port");
  const health =
    options.https === true
      ? await _getSelfSigned(`https://127.0.0.1:${address.port}/relay/health`)
      : await fetch(`http://127.0.0.1:${address.port}/relay/health`).then(async (r) => ({
          status: r.status,
          body: await r.text(),
        }));
  if (health.status !== 200) throw new Error(`relay not healthy: ${health.status} ${health.body}`);
  const { origin, demo } = await ready;
  return {
    origin,
    demo,
    server,
    async close() {
      await server.close();
      await demo.close();
    },
  };
}

/** GET over https from the dev server's own self-signed certificate (loopback, tests only). */
function _getSelfSigned(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    }).on("error", reject);
  });
}
