import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RelayClientConfig } from "../../src/relay/config.ts";
import { createRelay } from "../../src/relay/handler.ts";
import { startRelayServer } from "../../src/relay/node.ts";
import { createNodeListener, type NodeRequest } from "../../src/relay/node-adapter.ts";
import {
  _ALLOWED_ORIGIN,
  _assertNoSecretLeaked,
  _codeBody,
  _DEMO,
  _observe,
  _startUpstream,
  type _Upstream,
} from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(ROOT, "node_modules/tsx/dist/cli.mjs");
const ENTRY = join(ROOT, "src/relay/node.ts");

afterEach(_assertNoSecretLeaked);

let upstream: _Upstream;
let client: RelayClientConfig;

beforeAll(async () => {
  upstream = await _startUpstream((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"access_token":"at-node","token_type":"Bearer"}');
  });
  client = { ..._DEMO, token_endpoint: `${upstream.origin}/token` };
});

afterAll(() => upstream.close());

/** fetch, keeping the answer for the secrecy scan. */
async function _fetch(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  _observe(`${[...response.headers].join("\n")}\n${text}`);
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as unknown,
  };
}

const postCode = (extra: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...extra },
  body: JSON.stringify(_codeBody()),
});

describe("startRelayServer", () => {
  it("serves the relay under /relay/ and a JSON 404 elsewhere", async () => {
    const server = await startRelayServer({ clients: [client], allowedOrigins: [] }, { port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/relay\/$/);
      const health = await _fetch(`${server.url}health`);
      expect(health.status).toBe(200);
      expect(health.json()).toEqual({ ok: true });

      const root = await _fetch(server.url.replace("/relay/", "/"));
      expect(root.status).toBe(404);
      expect(root.headers.get("cache-control")).toBe("no-store");
      expect(root.json()).toEqual({
        error: "not_found",
        error_description: "This server only serves the relay; use paths under /relay/.",
      });
      const nested = await _fetch(server.url.replace("/relay/", "/x/relay/health"));
      expect(nested.status).toBe(404);

      const before = upstream.hits("/token");
      const token = await _fetch(`${server.url}token`, postCode());
      expect(token.status).toBe(200);
      expect(upstream.hits("/token") - before).toBe(1);
      expect(token.json()).toMatchObject({
        upstream: { status: 200, body: '{"access_token":"at-node","token_type":"Bearer"}' },
      });
    } finally {
      await server.close();
    }
  });

  it("answers 413 to an oversized chunked body instead of dropping the connection", async () => {
    const server = await startRelayServer({ clients: [client], allowedOrigins: [] }, { port: 0 });
    try {
      const { port } = new URL(server.url);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            path: "/relay/token",
            method: "POST",
            headers: { "content-type": "application/json" },
          },
          (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => {
              body += chunk.toString();
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end(`{"client":"demo","grant_type":"refresh_token","refresh_token":"${"x".repeat(20_000)}"}`);
      });
      _observe(answer.body);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ error: "request_too_large" });
    } finally {
      await server.close();
    }
  });
});

describe("createNodeListener as connect-style middleware", () => {
  let origin: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const listener = createNodeListener(
      createRelay({ clients: [client], allowedOrigins: [_ALLOWED_ORIGIN] }),
    );
    // Like connect's app.use("/relay", …): req.url loses the mount prefix, req.originalUrl keeps it.
    const server = createServer((req: NodeRequest, res) => {
      if (req.url?.startsWith("/relay/")) {
        req.originalUrl = req.url;
        req.url = req.url.slice("/relay".length);
        listener(req, res);
      } else {
        res.statusCode = 418;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  });

  afterAll(() => close());

  it("routes by originalUrl and streams the request body through", async () => {
    const health = await _fetch(`${origin}/relay/health`);
    expect(health.json()).toEqual({ ok: true });
    const token = await _fetch(`${origin}/relay/token`, postCode({ origin: _ALLOWED_ORIGIN }));
    expect(token.status).toBe(200);
    expect(token.headers.get("access-control-allow-origin")).toBe(_ALLOWED_ORIGIN);
    expect(token.json()).toMatchObject({ sent: { body: expect.stringContaining("code=code-abc") } });
  });

  it("treats the Host header as the relay's own origin for same-origin callers", async () => {
    const same = await _fetch(`${origin}/relay/token`, postCode({ origin }));
    expect(same.status).toBe(200);
    expect(same.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("does not let a request-target starting with // pose as another origin", async () => {
    // A bare listener, as a server would mount it, so the odd path reaches the adapter.
    const server = createServer(createNodeListener(createRelay({ clients: [client], allowedOrigins: [] })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port: (server.address() as AddressInfo).port,
            path: "//evil.example.test/relay/clients",
            headers: { origin: "http://evil.example.test" },
          },
          (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => {
              body += chunk.toString();
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end();
      });
      _observe(answer.body);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ error: "origin_not_allowed" });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** Runs the Node entry the way `npm run relay` does; resolves with its first stdout line or its exit. */
function _spawnEntry(env: Record<string, string>, cwd = ROOT, args: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, [TSX, ENTRY, ...args], {
    cwd,
    // A minimal environment: the developer's own TOKENDESK_* variables must not leak into the test.
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = () => {
      const newline = stdout.indexOf("\n");
      if (newline >= 0) resolve(stdout.slice(0, newline));
    };
    child.stdout?.on("data", check);
    void exited.then((code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
  });
  // Tests that expect an exit never await the first line.
  firstLine.catch(() => undefined);
  return {
    child,
    firstLine,
    exited,
    output: () => {
      _observe(stdout);
      _observe(stderr);
      return { stdout, stderr };
    },
  };
}

// Each test starts Node with tsx, which compiles the relay first: about 1 s on a quiet machine, and
// more than Vitest's 5 s default when e2e Chromium keeps both cores busy.
describe("npm run relay (src/relay/node.ts)", { timeout: 60_000 }, () => {
  it("starts with one line, serves clients and token, and stops on SIGTERM", async () => {
    const entry = _spawnEntry({
      TOKENDESK_CLIENTS: JSON.stringify([client]),
      TOKENDESK_ALLOWED_ORIGINS: _ALLOWED_ORIGIN,
      HOST: "127.0.0.1",
      PORT: "0",
    });
    try {
      const line = await entry.firstLine;
      const match = /^tokendesk relay on (http:\/\/127\.0\.0\.1:\d+\/relay\/) \(1 client: demo\)$/.exec(line);
      expect(match, line).not.toBeNull();
      const base = match?.[1] ?? "";

      const clients = await _fetch(`${base}clients`, { headers: { origin: _ALLOWED_ORIGIN } });
      expect(clients.status).toBe(200);
      expect(clients.headers.get("access-control-allow-origin")).toBe(_ALLOWED_ORIGIN);
      expect(clients.json()).toMatchObject({
        clients: [{ id: "demo", token_endpoint: `${upstream.origin}/token` }],
      });

      const before = upstream.hits("/token");
      const token = await _fetch(`${base}token`, postCode());
      expect(token.status).toBe(200);
      expect(upstream.hits("/token") - before).toBe(1);
    } finally {
      entry.child.kill("SIGTERM");
    }
    expect(await entry.exited).toBe(0);
    const { stdout, stderr } = entry.output();
    expect(stderr).toBe("");
    expect(stdout.trim().split("\n").slice(1)).toEqual([
      expect.stringMatching(/^GET \/relay\/clients 200 ms=\d+$/),
      expect.stringMatching(
        /^POST \/relay\/token 200 client=demo grant=authorization_code upstream=200 ms=\d+$/,
      ),
    ]);
  });

  it("exits 1 with one clear line on a bad TOKENDESK_CLIENTS", async () => {
    const entry = _spawnEntry({
      TOKENDESK_CLIENTS: JSON.stringify([{ ...client, redirect_uris: [] }]),
      PORT: "0",
    });
    expect(await entry.exited).toBe(1);
    const { stdout, stderr } = entry.output();
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "tokendesk relay: TOKENDESK_CLIENTS[0].redirect_uris must be a non-empty array of absolute URLs.\n",
    );
  });

  it("reads .env.local in the working directory for keys not already set", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokendesk-relay-"));
    try {
      const second = { ...client, id: "second" };
      writeFileSync(
        join(dir, ".env.local"),
        ["# local clients", `TOKENDESK_CLIENTS='${JSON.stringify([client, second])}'`, "PORT=1", ""].join(
          "\n",
        ),
      );
      const entry = _spawnEntry({ PORT: "0" }, dir);
      try {
        // Two clients from the file; PORT=0 from the environment wins over the file's PORT=1.
        expect(await entry.firstLine).toMatch(
          /^tokendesk relay on http:\/\/127\.0\.0\.1:\d+\/relay\/ \(2 clients: demo, second\)$/,
        );
      } finally {
        entry.child.kill("SIGTERM");
      }
      expect(await entry.exited).toBe(0);
      entry.output();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reloads its --env-path file while running: new clients at once, a bad file refused and the last good kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokendesk-relay-"));
    const file = join(dir, "clients.env");
    const second = { ...client, id: "second", client_secret: "second-secret-Hv3kQ9" };
    // As an editor saves: a new file renamed over the old one.
    const save = (clients: unknown[]) => {
      writeFileSync(`${file}.new`, `TOKENDESK_CLIENTS='${JSON.stringify(clients)}'\n`);
      renameSync(`${file}.new`, file);
    };
    save([client]);
    const entry = _spawnEntry({ PORT: "0" }, dir, ["--env-path", file]);
    try {
      const base = /on (\S+) /.exec(await entry.firstLine)?.[1] ?? "";
      const listed = async () => {
        const answer = await _fetch(`${base}clients`);
        const body = answer.json() as { clients: { id: string }[]; configuration_error?: string };
        return { ids: body.clients.map((c) => c.id), problem: body.configuration_error };
      };

      save([client, second]);
      await _until(async () => (await listed()).ids.length === 2, "the added client to be listed");
      expect(await listed()).toEqual({ ids: ["demo", "second"], problem: undefined });

      save([client, { ...second, redirect_uris: [] }]);
      const problem = "TOKENDESK_CLIENTS[1].redirect_uris must be a non-empty array of absolute URLs.";
      await _until(async () => (await listed()).problem !== undefined, "the problem to be reported");
      expect(await listed()).toEqual({ ids: ["demo", "second"], problem });
      // The last good clients still work.
      const before = upstream.hits("/token");
      expect((await _fetch(`${base}token`, postCode())).status).toBe(200);
      expect(upstream.hits("/token") - before).toBe(1);

      await _until(
        () => Promise.resolve(entry.output().stderr.includes("refused")),
        "the terminal to say so",
      );
      const { stdout, stderr } = entry.output();
      expect(stdout).toContain(`tokendesk relay: ${file} reloaded, 2 clients: demo, second (added second)`);
      expect(stderr).toBe(
        `tokendesk relay: ${file} refused, still serving 2 clients: demo, second: ${problem}\n`,
      );
      expect(`${stdout}${stderr}`.includes(second.client_secret)).toBe(false);
    } finally {
      entry.child.kill("SIGTERM");
      await entry.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Waits until `ready` holds, checking every 50 ms for at most 20 s (the watch reacts in ~150 ms). */
async function _until(ready: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
