/**
 * Child processes for the relay bench, so the load generator, the relay and the upstream each get
 * their own event loop as they would in production:
 *   node --import tsx bench/servers.ts upstream       a token endpoint on 127.0.0.1
 *   node --import tsx bench/servers.ts relay <env>    the relay on Node (startRelayServer), env as JSON
 * Each prints one JSON line `{"url": …}` once listening, and stops when its stdin closes.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadRelayOptions } from "../src/relay/config.ts";
import { startRelayServer } from "../src/relay/node.ts";

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

async function relay(env: Record<string, string>): Promise<string> {
  const server = await startRelayServer(loadRelayOptions(env), { host: "127.0.0.1", port: 0 });
  return server.url;
}

const [role, arg] = process.argv.slice(2);
const url =
  role === "upstream" ? await upstream() : role === "relay" ? await relay(JSON.parse(arg ?? "{}")) : null;
if (url === null) {
  process.stderr.write("usage: servers.ts upstream | relay <env JSON>\n");
  process.exit(2);
}
process.stdout.write(`${JSON.stringify({ url })}\n`);
// The parent closes our stdin when it is done (or dies): never outlive it.
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
