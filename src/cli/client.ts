/**
 * `npm run client`: adds, lists and removes the relay's clients in `.env.local` (TOKENDESK_CLIENTS),
 * checked by the relay's own parser, so a client that is written is one the relay accepts.
 *
 *   npm run client -- add                      asks for each field; the secret is typed unseen
 *   printf %s "$SECRET" | npm run client -- add --provider freeagent --client-id … [--id …]
 *   npm run client -- list
 *   npm run client -- remove --id books
 *
 * The secret is never an argument (it would sit in shell history and the process list) and never
 * printed. Lives in src/cli: project tooling like src/dev, never imported by the page.
 */
import { existsSync, readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DEV_HOST, DEV_PORT, devRedirectUri } from "../dev/address.ts";
import { recipes } from "../providers/index.ts";
import type { Recipe } from "../providers/types.ts";
import { parseClients, RelayConfigError } from "../relay/config.ts";
import { readEnvFile } from "../relay/env-file.ts";
import { redactSecrets, secretsIn } from "../relay/reloadable.ts";
import { registrationAdvice } from "./advice.ts";
import { envQuotedJson, setEnvVariable, writeSecretFile } from "./env-file.ts";
import { createPrompter, PromptCancelled } from "./prompt.ts";
import { type ClientEntry, completeDefaults, type Draft, fillIn, PICKABLE, recipeOf } from "./questions.ts";

const VARIABLE = "TOKENDESK_CLIENTS";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The dev server's own client; `npm start` refuses another with its id. */
const RESERVED_IDS = ["demo"];

/** A failure that ends the command with `message` on standard error. */
class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const USAGE = `npm run client -- <command> [options]

  add      add a client (asks for what is missing when run in a terminal)
  list     the clients in the file, never their secrets
  remove   --id <id>

add options:
  --provider <id>          ${PICKABLE.map((r) => r.id).join(", ")}
  --environment <name>     e.g. production, sandbox (the recipe's default when left out)
  --client-id <id>         the client id the provider issued
  --redirect-uri <url>     repeatable; default ${devRedirectUri(false)} (https where the provider
                           needs it, or with TOKENDESK_HTTPS=1 as for npm start)
  --scope <scopes>         space-separated
  --id <id>                the client's name here; default: the provider's id
  --replace                replace the client with this id (a new secret, say)
  custom provider: --authorization-endpoint --token-endpoint --token-endpoint-auth-method
                   --body-encoding --revocation-endpoint --identity-endpoint --issuer
                   --api-base-url <url> (repeatable: where "Try the API" may call)
  The client secret is read from standard input when that is not a terminal
  (printf %s "$SECRET" | npm run client -- add …), else asked for without echo.

every command:
  --env-path <path>        default: .env.local in the project (what npm start and npm run relay read)`;

const OPTIONS = {
  id: { type: "string" },
  provider: { type: "string" },
  environment: { type: "string" },
  "client-id": { type: "string" },
  "redirect-uri": { type: "string", multiple: true },
  "api-base-url": { type: "string", multiple: true },
  scope: { type: "string" },
  "authorization-endpoint": { type: "string" },
  "token-endpoint": { type: "string" },
  "token-endpoint-auth-method": { type: "string" },
  "body-encoding": { type: "string" },
  "revocation-endpoint": { type: "string" },
  "identity-endpoint": { type: "string" },
  issuer: { type: "string" },
  replace: { type: "boolean" },
  "env-path": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** Flags that map one to one onto a client field. */
const FIELD_FLAGS: readonly (readonly [keyof Values & string, string])[] = [
  ["id", "id"],
  ["provider", "provider"],
  ["environment", "environment"],
  ["client-id", "client_id"],
  ["scope", "scope"],
  ["authorization-endpoint", "authorization_endpoint"],
  ["token-endpoint", "token_endpoint"],
  ["token-endpoint-auth-method", "token_endpoint_auth_method"],
  ["body-encoding", "body_encoding"],
  ["revocation-endpoint", "revocation_endpoint"],
  ["identity-endpoint", "identity_endpoint"],
  ["issuer", "issuer"],
];

export interface CliIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Runs `npm run client` with `argv` (what follows `--`); resolves with the exit code. */
export async function runClientCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = (line = "") => io.stdout.write(`${line}\n`);
  try {
    const secretFlag = argv.find((arg) => /^--(client[-_])?secret(=|$)/.test(arg));
    if (secretFlag !== undefined) {
      throw new CommandError(
        "The client secret is never taken as an argument (it would stay in your shell history and show in the process list). Pipe it on standard input, or run add in a terminal and type it when asked.",
        2,
      );
    }
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new CommandError(`${(error as Error).message}\n\n${USAGE}`, 2);
    }
    const { values, positionals } = parsed;
    const [command, ...rest] = positionals;
    if (values.help === true || command === undefined || command === "help") {
      // Plain `npm run client` is a question, not a mistake: npm would wrap a failure in its own noise.
      out(USAGE);
      return 0;
    }
    if (rest.length > 0) throw new CommandError(`Unexpected ${rest.join(" ")}.\n\n${USAGE}`, 2);
    const file = resolve(io.cwd, values["env-path"] ?? resolve(ROOT, ".env.local"));
    // As typed at the project root (".env.local"), or in full when it is elsewhere.
    const near = relative(io.cwd, file);
    const shown = near === "" || near.startsWith("..") ? file : near;
    switch (command) {
      case "list":
        return list(file, shown, out);
      case "remove":
        return remove(file, shown, values, out);
      case "add":
        return await add(file, shown, values, io, out);
      default:
        throw new CommandError(`Unknown command "${command}".\n\n${USAGE}`, 2);
    }
  } catch (error) {
    if (error instanceof PromptCancelled) {
      io.stderr.write("\nCancelled: nothing was written.\n");
      return 130;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`npm run client: ${message}\n`);
    return error instanceof CommandError ? error.exitCode : 1;
  }
}

/** The file's clients as they stand, checked by the relay's parser; none when it has none. */
function readClients(file: string, shown: string): ClientEntry[] {
  const raw = readEnvFile(file)[VARIABLE];
  if (raw === undefined || raw.trim() === "") return [];
  try {
    parseClients(raw);
  } catch (error) {
    if (!(error instanceof RelayConfigError)) throw error;
    throw new CommandError(
      `${shown} already holds a ${VARIABLE} the relay refuses, so nothing was changed: ${redactSecrets(error.message, secretsIn(raw))} Fix it by hand (or remove the ${VARIABLE} line), then run this again.`,
    );
  }
  return JSON.parse(raw) as ClientEntry[];
}

function writeClients(file: string, clients: readonly ClientEntry[]): void {
  const json = JSON.stringify(clients);
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  let next: string;
  try {
    const literal = envQuotedJson(json);
    // Read back, the value is the quoted text itself (\u0024 stays six characters; JSON reads it as $).
    next = setEnvVariable(text, VARIABLE, literal, literal.slice(1, -1));
  } catch (error) {
    throw new CommandError(`${file}: ${(error as Error).message}`);
  }
  writeSecretFile(file, next);
}

function list(file: string, shown: string, out: (line?: string) => void): number {
  const clients = readClients(file, shown);
  if (clients.length === 0) {
    out(`${shown} holds no clients. Add one: npm run client -- add`);
    out("(npm start serves its demo client in any case.)");
    return 0;
  }
  out(`${shown}: ${clients.length} ${clients.length === 1 ? "client" : "clients"} (secrets not shown)`);
  for (const client of clients) {
    const recipe = recipes[String(client.provider)];
    const environment = typeof client.environment === "string" ? ` · ${client.environment}` : "";
    out("");
    out(`${String(client.id)} · ${recipe?.name ?? String(client.provider)}${environment}`);
    out(`  client_id      ${String(client.client_id)}`);
    out(`  redirect_uris  ${(client.redirect_uris as string[]).join("  ")}`);
    out(`  scope          ${typeof client.scope === "string" ? client.scope : "(none)"}`);
    for (const [key, value] of Object.entries(client)) {
      if (
        key.endsWith("_endpoint") ||
        key === "issuer" ||
        key === "body_encoding" ||
        key.endsWith("_method")
      ) {
        out(`  ${key.padEnd(14)} ${String(value)}`);
      }
    }
    if (Array.isArray(client.api_base_urls)) {
      out(`  api_base_urls  ${(client.api_base_urls as string[]).join("  ")}`);
    }
  }
  return 0;
}

function remove(file: string, shown: string, values: Values, out: (line?: string) => void): number {
  const id = values.id;
  if (id === undefined)
    throw new CommandError("remove needs --id <id>; npm run client -- list shows them.", 2);
  const clients = readClients(file, shown);
  const index = clients.findIndex((client) => client.id === id);
  if (index < 0) {
    const ids = clients.map((client) => String(client.id));
    throw new CommandError(
      `${shown} has no client "${id}"${ids.length === 0 ? "" : `; it has ${ids.join(", ")}`}.`,
    );
  }
  writeClients(
    file,
    clients.filter((_, i) => i !== index),
  );
  out(`Removed "${id}" from ${shown}. npm start and npm run relay drop it without a restart.`);
  out(
    "Connections made with it stay in the browser, but cannot refresh until a client with this id is back.",
  );
  return 0;
}

async function add(
  file: string,
  shown: string,
  values: Values,
  io: CliIo,
  out: (line?: string) => void,
): Promise<number> {
  const clients = readClients(file, shown);
  const draft: Draft = {
    fields: {},
    secret: undefined,
    skipped: new Set(),
    https: io.env.TOKENDESK_HTTPS === "1",
  };
  for (const [flag, field] of FIELD_FLAGS) {
    const value = values[flag];
    if (typeof value === "string") draft.fields[field] = value;
  }
  if (values["redirect-uri"] !== undefined) draft.fields.redirect_uris = [...values["redirect-uri"]];
  if (values["api-base-url"] !== undefined) draft.fields.api_base_urls = [...values["api-base-url"]];
  const replace = values.replace === true;
  const interactive = io.stdin.isTTY === true;
  const prompter = interactive ? createPrompter(io.stdin, io.stdout) : undefined;
  try {
    if (prompter === undefined) {
      draft.secret = await readSecretFromPipe(io.stdin);
    }
    // Each round fixes one field the parser named; a few rounds are plenty for any real mistake.
    for (let round = 0; round < 12; round++) {
      if (prompter !== undefined) await fillIn(draft, clients, prompter);
      completeDefaults(draft, clients, replace);
      if (draft.secret === undefined) throw new CommandError("The client secret is missing.");
      const entry = inOrder({ ...draft.fields, client_secret: draft.secret });
      const next = merged(clients, entry, replace);
      const problem = check(next.clients, next.index);
      if (problem === undefined) {
        writeClients(file, next.clients);
        report(entry, shown, next.replaced, io, out);
        return 0;
      }
      if (prompter === undefined || problem.field === undefined) throw new CommandError(problem.message);
      // Ask again for what the parser named, in its words.
      prompter.say(`\n${problem.message}`);
      if (problem.field === "client_secret") draft.secret = undefined;
      else delete draft.fields[problem.field];
    }
    throw new CommandError("Gave up after too many answers the relay refuses; nothing was written.");
  } finally {
    prompter?.close();
  }
}

/** The fields in the order DESIGN.md lists them, so the file reads like its documentation. */
function inOrder(fields: Record<string, unknown>): ClientEntry {
  const order = ["id", "provider", "environment", "client_id", "client_secret", "redirect_uris", "scope"];
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => rank(a) - rank(b)));
}

function merged(
  clients: readonly ClientEntry[],
  entry: ClientEntry,
  replace: boolean,
): { clients: ClientEntry[]; index: number; replaced: boolean } {
  const existing = clients.findIndex((client) => client.id === entry.id);
  if (replace && existing >= 0) {
    return { clients: clients.map((c, i) => (i === existing ? entry : c)), index: existing, replaced: true };
  }
  return { clients: [...clients, entry], index: clients.length, replaced: false };
}

/** The relay parser's verdict on the whole new list; `field` when it is the new client's to fix. */
function check(
  clients: readonly ClientEntry[],
  index: number,
): { message: string; field?: string } | undefined {
  const entry = clients[index];
  if (entry !== undefined && RESERVED_IDS.includes(String(entry.id))) {
    return {
      message: `${VARIABLE}[${index}].id "${String(entry.id)}" is npm start's own demo client; give this client another id.`,
      field: "id",
    };
  }
  try {
    parseClients(JSON.stringify(clients));
    return undefined;
  } catch (error) {
    if (!(error instanceof RelayConfigError)) throw error;
    const prefix = `${VARIABLE}[${index}].`;
    const field = error.field.startsWith(prefix)
      ? error.field.slice(prefix.length).replace(/[[.].*$/, "")
      : undefined;
    const hint =
      error.code === "duplicate_client"
        ? ` (npm run client -- add --replace … to replace it, or npm run client -- remove --id ${String(entry?.id)})`
        : "";
    // A secret pasted into another field would be quoted back: keep it out of the words.
    const secrets = clients.map((client) => client.client_secret).filter((s) => typeof s === "string");
    const message = redactSecrets(error.message, secrets);
    return { message: `${message}${hint}`, ...(field === undefined || field === "" ? {} : { field }) };
  }
}

/** The secret from a pipe: its one line, without the line end. */
async function readSecretFromPipe(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (text === "") {
    throw new CommandError(
      'No client secret on standard input. Pipe it in (printf %s "$SECRET" | npm run client -- add …), or run add in a terminal to type it.',
      2,
    );
  }
  if (/[\r\n]/.test(text)) {
    throw new CommandError(
      "Standard input held more than one line; give the client secret alone, on one line.",
      2,
    );
  }
  return text;
}

function report(
  entry: ClientEntry,
  shown: string,
  replaced: boolean,
  io: CliIo,
  out: (line?: string) => void,
): void {
  const recipe = recipeOf(entry.provider) as Recipe;
  const environment = typeof entry.environment === "string" ? ` · ${entry.environment}` : "";
  out(
    `${replaced ? "Replaced" : "Added"} "${String(entry.id)}" (${recipe.name}${environment}) in ${shown} (mode 600). The secret is stored there only and is not shown.`,
  );
  if (io.env[VARIABLE] !== undefined) {
    out(
      `! ${VARIABLE} is also set in this shell's environment, which wins over ${shown} for npm start and npm run relay: unset it for the file to count.`,
    );
  }
  out("");
  const lines = registrationAdvice(
    recipe,
    {
      id: String(entry.id),
      redirectUris: entry.redirect_uris as string[],
      scope: typeof entry.scope === "string" ? entry.scope : undefined,
      environment: typeof entry.environment === "string" ? entry.environment : undefined,
    },
    `http://${DEV_HOST}:${DEV_PORT}`,
  );
  for (const line of lines) out(line);
}

// Run only as the entry point, so tests can call runClientCli.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  void runClientCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
    // Standard input may still be open (a terminal): leave now that the work is done.
    process.stdin.pause();
  });
}
