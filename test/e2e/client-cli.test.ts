/**
 * `npm run client` as a newcomer meets it: `add` typed in a real terminal (a pseudo-terminal) where
 * the secret is never echoed, and a client added without a terminal that `npm run relay` then
 * serves, with the secret in no output. Every file lives in a temporary directory (--env-path).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { _childEnv, _plain, _runClient, _runInTerminal, ROOT } from "../support/cli.ts";

const SECRET = "tty-Secret-7Hq2Zx9Lw";
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tokendesk-client-"));
  file = join(dir, ".env.local");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function _clients(): Record<string, unknown>[] {
  return JSON.parse(parseEnv(readFileSync(file, "utf8")).TOKENDESK_CLIENTS ?? "[]") as Record<
    string,
    unknown
  >[];
}

describe("npm run client -- add, in a terminal", () => {
  it("asks for each field, takes the secret without echo, re-asks what the relay refuses, and writes mode 600", async () => {
    const run = await _runInTerminal(
      `npm run -s client -- add --env-path ${file}`,
      [
        { expect: /Provider \(number or id\): $/, send: "freeagent\r" },
        { expect: /Environment \(production, sandbox\) \[production\]: $/, send: "sandbox\r" },
        { expect: /Client id \(from https:\/\/dev\.freeagent\.com\/apps\): $/, send: "fa-app\r" },
        { expect: /Client secret \(typing is not shown\): $/, send: `${SECRET}\r` },
        { expect: /Scope, space-separated; Enter for none: $/, send: "\r" },
        { expect: /\[http:\/\/127\.0\.0\.1:5173\/callback\/\]: $/, send: "127.0.0.1:5173/callback/\r" },
        { expect: /its id\) \[freeagent-sandbox\]: $/, send: "books\r" },
        // The parser's words about the redirect URI, then the question again.
        {
          expect:
            /redirect_uris\[0\] "127\.0\.0\.1:5173\/callback\/" must be an absolute http or https URL[^\n]*\nRedirect URI[^\n]*: $/,
          send: "\r",
        },
      ],
      _childEnv(),
    );
    expect(run.code).toBe(0);
    // Not on screen, in any form the terminal might draw it.
    expect(run.screen.includes(SECRET)).toBe(false);
    expect(run.screen.includes(SECRET.slice(0, 8))).toBe(false);
    expect(run.screen.includes("*".repeat(SECRET.length))).toBe(false);
    const screen = _plain(run.screen);
    expect(screen).toContain(`Added "books" (FreeAgent · sandbox) in ${file} (mode 600).`);
    expect(screen).toContain("Register at FreeAgent (https://dev.freeagent.com/apps):");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(_clients()).toEqual([
      {
        id: "books",
        provider: "freeagent",
        environment: "sandbox",
        client_id: "fa-app",
        client_secret: SECRET,
        redirect_uris: ["http://127.0.0.1:5173/callback/"],
      },
    ]);
  });

  it("writes nothing when the person presses Ctrl-C at the secret", async () => {
    const run = await _runInTerminal(
      `npm run -s client -- add --provider xero --client-id x --env-path ${file}`,
      [{ expect: /Client secret \(typing is not shown\): $/, send: "half-typed\u0003" }],
      _childEnv(),
    );
    expect(run.code).toBe(130);
    expect(_plain(run.screen)).toContain("Cancelled: nothing was written.");
    expect(run.screen.includes("half-typed")).toBe(false);
    expect(existsSync(file)).toBe(false);
  });
});

describe("npm run client -- add, then npm run relay", () => {
  let relay: ChildProcess | undefined;
  /** npm, tsx and the relay: its own process group, stopped as one (npm does not pass SIGTERM on). */
  const stop = async () => {
    const child = relay;
    relay = undefined;
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid, "SIGTERM");
    await exited;
  };
  afterEach(stop);

  it("serves the added client, lists it, and no output holds the secret", async () => {
    const added = await _runClient(
      ["add", "--provider", "freeagent", "--client-id", "fa-app", "--id", "books", "--env-path", file],
      `${SECRET}\n`,
    );
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const listed = await _runClient(["list", "--env-path", file], "");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("books · FreeAgent");

    const child = spawn("npm", ["run", "-s", "relay", "--", "--env-path", file], {
      cwd: ROOT,
      env: _childEnv({ PORT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    relay = child;
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const first = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const newline = stdout.indexOf("\n");
        if (newline >= 0) resolve(stdout.slice(0, newline));
      });
      child.on("exit", (code) => reject(new Error(`npm run relay exited ${code}: ${stderr}`)));
    });
    expect(first).toMatch(/^tokendesk relay on http:\/\/127\.0\.0\.1:\d+\/relay\/ \(1 client: books\)$/);
    const base = /on (\S+) /.exec(first)?.[1] ?? "";
    const answer = await fetch(`${base}clients`);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ clients: [{ id: "books", client_id: "fa-app" }] });

    await stop();
    for (const output of [added.stdout, added.stderr, listed.stdout, listed.stderr, stdout, stderr, text]) {
      expect(output.includes(SECRET)).toBe(false);
    }
  });
});
