/**
 * Child processes for the relay bench, so the load generator, the relay and the upstream each get
 * their own event loop as they would in production:
 *   node --import tsx bench/servers.ts upstream       a token endpoint on 127.0.0.1
 *   node --import tsx bench/servers.ts relay <env>    the relay on Node (startRelayServer), env as JSON
 *   node --import tsx bench/servers.ts workerd <env>  the Worker bundle in workerd (Miniflare), on its
 *                                                     own socket (see startWorkerd's directSocket)
 *   node --import tsx bench/servers.ts forwarder <url>          a bare forwarder on Node to <url>
 *   node --import tsx bench/servers.ts workerd-forwarder <url>  the same as a Worker in workerd
 * Each prints one JSON line `{"url": …}` once listening, and stops when its stdin closes.
 */
import { openSync, rmSync, writeSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRelayOptions } from "../src/relay/config.ts";
import { startRelayServer } from "../src/relay/node.ts";
import { bundleWorker, startWorkerd, type WorkerBundle } from "../test/support/workerd.ts";

/** What a provider answers to a refresh: a JSON token response of a usual size. */
const TOKEN_RESPONSE = JSON.stringify({
  access_token: "a".repeat(120),
  token_type: "Bearer",
  expires_in: 3600,
  refresh_token: "r".repeat(43),
  scope: "openid demo:read",
});

async function upstream(): Promise<string> {
  const server = createServer((req, res) => {
    // Read the whole body first, as a real token endpoint does.
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(TOKEN_RESPONSE);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
}

/**
 * `npm run relay` as a service runs it: its one line per request written as it goes, here to a file
 * (as stdout redirected to a log), as the Worker's lines go to its host's pipe.
 */
async function relay(env: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tokendesk-relay-log-"));
  const fd = openSync(join(dir, "relay.log"), "w");
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const log = (line: string) => {
    writeSync(fd, `${line}\n`);
  };
  const server = await startRelayServer({ ...loadRelayOptions(env), log }, { host: "127.0.0.1", port: 0 });
  return server.url;
}

/** The headers a forwarder passes on: what the direct call sends, nothing of the hop itself. */
const FORWARDED = ["authorization", "content-type", "accept"] as const;

/**
 * A forwarder with no checks, no envelope and no secret: reads the request, sends it to `target` on a
 * kept-alive connection, answers the upstream's status and body. What a second hop alone costs.
 */
async function forwarder(target: string): Promise<string> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = { "content-length": String(body.byteLength) };
      for (const name of FORWARDED) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      const upstream = request(target, { method: "POST", agent, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => parts.push(chunk));
        answer.on("end", () => {
          const bytes = Buffer.concat(parts);
          res.writeHead(answer.statusCode ?? 502, {
            "content-type": answer.headers["content-type"] ?? "application/octet-stream",
            "content-length": bytes.byteLength,
          });
          res.end(bytes);
        });
      });
      upstream.on("error", () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
}

/** The same forwarder as a Worker, in workerd as the relay runs there. */
async function workerdForwarder(target: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tokendesk-forwarder-"));
  const path = join(dir, "worker.js");
  await writeFile(
    path,
    `const FORWARDED = ${JSON.stringify(FORWARDED)};
export default {
  async fetch(request) {
    const headers = new Headers();
    for (const name of FORWARDED) { const value = request.headers.get(name); if (value !== null) headers.set(name, value); }
    const answer = await fetch(${JSON.stringify(target)}, { method: "POST", headers, body: await request.arrayBuffer() });
    return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.headers.get("content-type") ?? "application/octet-stream" } });
  },
};
`,
  );
  const bundle = { dir, path, inputs: [], remove: () => rm(dir, { recursive: true, force: true }) };
  return hostWorker(bundle, {});
}

/**
 * Miniflare runs workerd as a child of this process and reads the Worker's log lines through a pipe:
 * hosted here, not in the load generator, so that reading them never delays a measured answer.
 */
async function workerd(env: Record<string, string>): Promise<string> {
  return new URL("relay/", await hostWorker(await bundleWorker(), env)).href;
}

async function hostWorker(bundle: WorkerBundle, env: Record<string, string>): Promise<string> {
  // The lines are read and dropped, as the platform takes them off the Worker's hands.
  const running = await startWorkerd(bundle, [{ name: "relay", bindings: env, directSocket: true }], {
    discardOutput: true,
  });
  // stdin sends both "end" and "close": closing Miniflare twice threw ERR_SERVER_NOT_RUNNING.
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await running.close();
      await bundle.remove();
      process.exit(0);
    })();
    return stopping;
  };
  process.stdin.on("end", () => void stop());
  process.stdin.on("close", () => void stop());
  return (await running.directUrl("relay")).href;
}

const [role, arg] = process.argv.slice(2);
const env = (): Record<string, string> => JSON.parse(arg ?? "{}");
const url =
  role === "upstream"
    ? await upstream()
    : role === "relay"
      ? await relay(env())
      : role === "workerd"
        ? await workerd(env())
        : role === "forwarder"
          ? await forwarder(arg ?? "")
          : role === "workerd-forwarder"
            ? await workerdForwarder(arg ?? "")
            : null;
if (url === null) {
  process.stderr.write(
    "usage: servers.ts upstream | relay <env JSON> | workerd <env JSON> | forwarder <url> | workerd-forwarder <url>\n",
  );
  process.exit(2);
}
process.stdout.write(`${JSON.stringify({ url })}\n`);
// The parent closes our stdin when it is done (or dies): never outlive it.
process.stdin.resume();
if (role !== "workerd" && role !== "workerd-forwarder") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("close", () => process.exit(0));
}
