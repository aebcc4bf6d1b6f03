/**
 * `.env.local` as `npm run client` writes it: both readers (Vite's loader for `npm start`, Node's
 * parseEnv for `npm run relay`) must read back exactly the JSON written, every other line survives,
 * and the file is mode 600 whatever it was before.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { loadEnv } from "vite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { envQuotedJson, setEnvVariable, writeSecretFile } from "../../src/cli/env-file.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tokendesk-envfile-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Sets TOKENDESK_CLIENTS to `value` (JSON) the way the CLI does. */
function _set(text: string, value: unknown): string {
  const literal = envQuotedJson(JSON.stringify(value));
  return setEnvVariable(text, "TOKENDESK_CLIENTS", literal, literal.slice(1, -1));
}

/** What `npm start` (Vite) and `npm run relay` (parseEnv) read from the file. */
function _readBoth(text: string): { vite: unknown; node: unknown; viteRaw: Record<string, string> } {
  writeFileSync(join(dir, ".env.local"), text);
  const viteRaw = loadEnv("development", dir, "TOKENDESK_");
  const node = parseEnv(text).TOKENDESK_CLIENTS;
  return { vite: JSON.parse(viteRaw.TOKENDESK_CLIENTS ?? "null"), node: JSON.parse(node ?? "null"), viteRaw };
}

describe("a client list written to .env.local", () => {
  const hostile = [
    "plain-Secret_123",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: what Vite's loader would expand.
    "dollar$HOME and ${HOME} and $$",
    "it's quoted 'twice'",
    'double "quotes"',
    "hash # not a comment",
    "back\\slash \\$HOME \\u0024",
    "back`tick`",
    "new\nline and\r\nreturn",
    "tab\tand unicode: ünïcødé 🔑",
    "=equals=at=ends=",
  ];

  it.each(hostile)("reads back unchanged in npm start and npm run relay: %j", (secret) => {
    const clients = [
      {
        id: "books",
        provider: "freeagent",
        client_id: "abc",
        client_secret: secret,
        redirect_uris: ["http://127.0.0.1:5173/callback/"],
      },
    ];
    const { vite, node } = _readBoth(_set("", clients));
    expect(node).toEqual(clients);
    expect(vite).toEqual(clients);
  });

  it("keeps comments and every other variable, and replaces a hand-written multi-line value where it stood", () => {
    const before = [
      "# my settings",
      "FOO=bar # a comment",
      'TOKENDESK_CLIENTS=\'[{"id":"old",',
      '  "provider":"demo"}]\'',
      'QUOTED="x y"',
      "TOKENDESK_ALLOWED_ORIGINS=https://app.example",
      "",
    ].join("\n");
    const after = _set(before, [{ id: "new" }]);
    expect(after.split("\n")).toEqual([
      "# my settings",
      "FOO=bar # a comment",
      `TOKENDESK_CLIENTS='[{"id":"new"}]'`,
      'QUOTED="x y"',
      "TOKENDESK_ALLOWED_ORIGINS=https://app.example",
      "",
    ]);
    const { viteRaw } = _readBoth(after);
    expect(viteRaw.TOKENDESK_ALLOWED_ORIGINS).toBe("https://app.example");
    expect(parseEnv(after)).toMatchObject({ FOO: "bar", QUOTED: "x y" });
  });

  it("keeps one assignment when the file had two (the later one would have won)", () => {
    const before = "TOKENDESK_CLIENTS='[1]'\nA=1\nexport TOKENDESK_CLIENTS='[2]'\nB=2\n";
    expect(_set(before, [3])).toBe("TOKENDESK_CLIENTS='[3]'\nA=1\nB=2\n");
  });

  it("appends to a file without a final line break, and to an empty one", () => {
    expect(_set("A=1", [])).toBe("A=1\nTOKENDESK_CLIENTS='[]'\n");
    expect(_set("", [])).toBe("TOKENDESK_CLIENTS='[]'\n");
  });

  it("refuses to write when reading back would change another variable", () => {
    // An escaped quote: Vite's loader reads on past it, Node's parseEnv ends the value there.
    const before = 'TOKENDESK_CLIENTS="x\\"\nA=1"\nB=2\n';
    expect(() => _set(before, [2])).toThrow(/nothing was written/);
  });
});

describe("writeSecretFile", () => {
  it("writes the whole file with mode 600, also over a file others could read, leaving nothing beside it", () => {
    const file = join(dir, ".env.local");
    writeFileSync(file, "OLD=1\n");
    chmodSync(file, 0o644);
    writeSecretFile(file, "NEW=2\n");
    expect(readFileSync(file, "utf8")).toBe("NEW=2\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([".env.local"]);
  });
});
