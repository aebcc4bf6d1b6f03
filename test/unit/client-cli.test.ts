/**
 * `npm run client` without a terminal (flags, the secret piped in): what it writes, what it says,
 * and that its words never hold the secret. The interactive mode is driven through a real
 * pseudo-terminal in test/e2e/client-cli.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { parseEnv } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runClientCli } from "../../src/cli/client.ts";
import { parseClients } from "../../src/relay/config.ts";

const SECRET = "fa-S3cret$HOME'#x";
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tokendesk-cli-"));
  file = join(dir, ".env.local");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI with `stdin` piped in (not a terminal); returns its exit code and everything it said. */
async function _run(args: string[], stdin = "", env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    }) as unknown as NodeJS.WriteStream;
  const code = await runClientCli([...args, "--env-path", file], {
    stdin: Readable.from([Buffer.from(stdin)]) as unknown as NodeJS.ReadStream,
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    env,
    cwd: dir,
  });
  // Whatever the command, nothing it prints may hold the secret.
  expect(stdout.includes("S3cret")).toBe(false);
  expect(stderr.includes("S3cret")).toBe(false);
  return { code, stdout, stderr };
}

function _clients(): unknown[] {
  return JSON.parse(parseEnv(readFileSync(file, "utf8")).TOKENDESK_CLIENTS ?? "[]") as unknown[];
}

const FREEAGENT = ["add", "--provider", "freeagent", "--environment", "sandbox", "--client-id", "fa-client"];

describe("npm run client -- add, with the secret on standard input", () => {
  it("writes a client the relay's parser accepts to a mode-600 file, and says what to register", async () => {
    writeFileSync(file, "# kept\nOTHER=1\n");
    const { code, stdout, stderr } = await _run([...FREEAGENT, "--id", "books"], `${SECRET}\n`);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("# kept\nOTHER=1\n")).toBe(true);
    expect(_clients()).toEqual([
      {
        id: "books",
        provider: "freeagent",
        environment: "sandbox",
        client_id: "fa-client",
        client_secret: SECRET,
        redirect_uris: ["http://127.0.0.1:5173/callback/"],
      },
    ]);
    expect(parseClients(parseEnv(text).TOKENDESK_CLIENTS)).toHaveLength(1);
    expect(stdout).toContain(`Added "books" (FreeAgent · sandbox) in .env.local (mode 600).`);
    expect(stdout).toContain("Register at FreeAgent (https://dev.freeagent.com/apps):");
    expect(stdout).toContain("redirect URI: http://127.0.0.1:5173/callback/");
    expect(stdout).toContain("npm start and npm run relay pick the change up without a restart");
  });

  it("suggests https where the provider takes nothing else, and says how to serve it", async () => {
    const { code, stdout } = await _run(
      ["add", "--provider", "freshbooks", "--client-id", "fb", "--scope", "user:profile:read"],
      "fb-S3cret",
    );
    expect(code).toBe(0);
    expect(_clients()).toMatchObject([
      { id: "freshbooks", redirect_uris: ["https://127.0.0.1:5173/callback/"] },
    ]);
    expect(stdout).toContain("npm start -- --mode https");
    expect(stdout).toContain("scopes: user:profile:read");
  });

  it("suggests the https redirect URI for any provider when npm start serves https (TOKENDESK_HTTPS=1)", async () => {
    const { code } = await _run(FREEAGENT, SECRET, { TOKENDESK_HTTPS: "1" });
    expect(code).toBe(0);
    expect(_clients()).toMatchObject([{ redirect_uris: ["https://127.0.0.1:5173/callback/"] }]);
  });

  it("warns when an http redirect URI is given to a provider that takes https only", async () => {
    const { code, stdout } = await _run(
      [
        "add",
        "--provider",
        "quickbooks",
        "--client-id",
        "qb",
        "--redirect-uri",
        "http://127.0.0.1:5173/callback/",
      ],
      "qb-S3cret",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("! QuickBooks Online accepts only https redirect URIs");
  });

  it("names the relay's objection in the parser's words and writes nothing", async () => {
    writeFileSync(file, "OTHER=1\n");
    const { code, stderr } = await _run([...FREEAGENT, "--redirect-uri", "127.0.0.1:5173/callback/"], SECRET);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'npm run client: TOKENDESK_CLIENTS[0].redirect_uris[0] "127.0.0.1:5173/callback/" must be an absolute http or https URL (redirect_uris must be a non-empty array of absolute URLs).\n',
    );
    expect(readFileSync(file, "utf8")).toBe("OTHER=1\n");
  });

  it("keeps a secret that ended up in the wrong field out of its words", async () => {
    const { code, stderr } = await _run([...FREEAGENT, "--redirect-uri", SECRET], SECRET);
    expect(code).toBe(1);
    expect(stderr).toContain('TOKENDESK_CLIENTS[0].redirect_uris[0] "[redacted]" must be an absolute');
  });

  it("refuses an id already taken, then replaces it with --replace", async () => {
    expect((await _run([...FREEAGENT, "--id", "books"], SECRET)).code).toBe(0);
    const again = await _run([...FREEAGENT, "--id", "books", "--client-id", "other"], "new-S3cret");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('TOKENDESK_CLIENTS[1].id "books" is already used by TOKENDESK_CLIENTS[0]');
    expect(again.stderr).toContain("--replace");
    const replaced = await _run(
      [...FREEAGENT, "--id", "books", "--client-id", "other", "--replace"],
      "new-S3cret",
    );
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain('Replaced "books"');
    expect(_clients()).toMatchObject([{ id: "books", client_id: "other", client_secret: "new-S3cret" }]);
  });

  it("gives a second client of a provider its own id", async () => {
    await _run(FREEAGENT, SECRET);
    await _run(FREEAGENT, SECRET);
    expect(_clients()).toMatchObject([{ id: "freeagent-sandbox" }, { id: "freeagent-sandbox-2" }]);
  });

  it("refuses the id of npm start's demo client", async () => {
    const { code, stderr } = await _run([...FREEAGENT, "--id", "demo"], SECRET);
    expect(code).toBe(1);
    expect(stderr).toContain(`TOKENDESK_CLIENTS[0].id "demo" is npm start's own demo client`);
    expect(existsSync(file)).toBe(false);
  });

  it("takes a custom provider's endpoints from flags", async () => {
    const { code } = await _run(
      [
        "add",
        "--provider",
        "custom",
        "--id",
        "acme",
        "--client-id",
        "acme-app",
        "--authorization-endpoint",
        "https://acme.example/authorize",
        "--token-endpoint",
        "https://acme.example/token",
        "--token-endpoint-auth-method",
        "client_secret_post",
        "--body-encoding",
        "form",
      ],
      SECRET,
    );
    expect(code).toBe(0);
    expect(_clients()).toMatchObject([
      {
        id: "acme",
        token_endpoint: "https://acme.example/token",
        token_endpoint_auth_method: "client_secret_post",
      },
    ]);
  });

  it("takes a custom provider's API base URLs, and names a refused one in the parser's words", async () => {
    const custom = [
      "add",
      "--provider",
      "custom",
      "--id",
      "acme",
      "--client-id",
      "acme-app",
      "--authorization-endpoint",
      "https://acme.example/authorize",
      "--token-endpoint",
      "https://acme.example/token",
      "--token-endpoint-auth-method",
      "client_secret_basic",
      "--body-encoding",
      "form",
    ];
    const refused = await _run([...custom, "--api-base-url", "http://acme.example/api/"], SECRET);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("TOKENDESK_CLIENTS[0].api_base_urls[0] must use https");
    expect(existsSync(file)).toBe(false);
    const { code } = await _run(
      [
        ...custom,
        "--api-base-url",
        "https://acme.example/api/",
        "--api-base-url",
        "https://files.acme.example/",
      ],
      SECRET,
    );
    expect(code).toBe(0);
    expect(_clients()).toMatchObject([
      { id: "acme", api_base_urls: ["https://acme.example/api/", "https://files.acme.example/"] },
    ]);
    const { stdout } = await _run(["list"]);
    expect(stdout).toContain("api_base_urls  https://acme.example/api/  https://files.acme.example/");
  });

  it("never takes the secret as an argument", async () => {
    for (const flag of ["--client-secret=x", "--secret", "--client_secret"]) {
      const { code, stderr } = await _run([...FREEAGENT, flag], SECRET);
      expect(code).toBe(2);
      expect(stderr).toContain("The client secret is never taken as an argument");
    }
    expect(existsSync(file)).toBe(false);
  });

  it("says how to give the secret when standard input is empty, or holds more than one line", async () => {
    const empty = await _run(FREEAGENT, "");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('No client secret on standard input. Pipe it in (printf %s "$SECRET"');
    const two = await _run(FREEAGENT, "one\ntwo\n");
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("more than one line");
    expect(existsSync(file)).toBe(false);
  });

  it("leaves a file the relay refuses as it is, saying what is wrong with it", async () => {
    const broken = `TOKENDESK_CLIENTS='[{"id":"x","provider":"freeagent","client_id":"c","client_secret":"fa-S3cret-old"}]'\n`;
    writeFileSync(file, broken);
    const { code, stderr } = await _run(FREEAGENT, SECRET);
    expect(code).toBe(1);
    expect(stderr).toContain(
      "already holds a TOKENDESK_CLIENTS the relay refuses, so nothing was changed: TOKENDESK_CLIENTS[0].redirect_uris must be a non-empty array",
    );
    expect(readFileSync(file, "utf8")).toBe(broken);
  });

  it("warns when the shell's environment sets TOKENDESK_CLIENTS, which would win over the file", async () => {
    const { stdout } = await _run(FREEAGENT, SECRET, { TOKENDESK_CLIENTS: "[]" });
    expect(stdout).toContain("TOKENDESK_CLIENTS is also set in this shell's environment");
  });
});

describe("npm run client -- list and remove", () => {
  it("lists every client's public facts and never a secret", async () => {
    await _run([...FREEAGENT, "--id", "books"], SECRET);
    await _run(
      ["add", "--provider", "xero", "--client-id", "xero-app", "--scope", "openid accounting.settings.read"],
      "x-S3cret",
    );
    const { code, stdout } = await _run(["list"]);
    expect(code).toBe(0);
    expect(stdout).toContain(".env.local: 2 clients (secrets not shown)");
    expect(stdout).toContain("books · FreeAgent · sandbox\n  client_id      fa-client\n");
    expect(stdout).toContain("xero · Xero\n  client_id      xero-app\n");
    expect(stdout).toContain("scope          openid accounting.settings.read");
  });

  it("says how to add one when there are none", async () => {
    const { stdout } = await _run(["list"]);
    expect(stdout).toContain("holds no clients. Add one: npm run client -- add");
  });

  it("removes a client by id and keeps the others", async () => {
    await _run([...FREEAGENT, "--id", "books"], SECRET);
    await _run([...FREEAGENT, "--id", "books2"], SECRET);
    const { code, stdout } = await _run(["remove", "--id", "books"]);
    expect(code).toBe(0);
    expect(stdout).toContain('Removed "books" from .env.local.');
    expect(_clients()).toMatchObject([{ id: "books2" }]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("names the clients there are when the id is not one of them", async () => {
    await _run([...FREEAGENT, "--id", "books"], SECRET);
    const { code, stderr } = await _run(["remove", "--id", "nope"]);
    expect(code).toBe(1);
    expect(stderr).toBe('npm run client: .env.local has no client "nope"; it has books.\n');
  });
});
