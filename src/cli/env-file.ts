/**
 * Writing one variable of a .env file while keeping every other line, for `npm run client`. The
 * file holds client secrets: it is written whole to a new file with mode 600 and renamed over the
 * old one, so a reader (the dev server's watch) never sees half of it. Node only.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseEnv } from "node:util";

// dotenv's line grammar (what Vite reads .env files with; Node's parseEnv follows it): a name, `=`,
// then a single-, double- or back-quoted value that may span lines, or a bare one up to a comment.
const LINE =
  /^[ \t]*(?:export[ \t]+)?([\w.-]+)(?:[ \t]*=[ \t]*?|:[ \t]+?)([ \t]*'(?:\\'|[^'])*'|[ \t]*"(?:\\"|[^"])*"|[ \t]*`(?:\\`|[^`])*`|[^#\r\n]+)?[ \t]*(?:#.*)?$/gm;

/**
 * A JSON text as a single-quoted .env value that both readers give back unchanged: Node's parseEnv
 * takes single-quoted text as is, but Vite's loader expands `$NAME` even there, and a `'` would end
 * the value. Both can only occur inside JSON strings, where `\u0024` and `\u0027` mean the same.
 */
export function envQuotedJson(json: string): string {
  return `'${json.replaceAll("$", "\\u0024").replaceAll("'", "\\u0027")}'`;
}

/**
 * `text` with `name` set to the already-quoted `literal`: the first assignment of `name` is
 * replaced where it stands (also one spanning several lines), later ones removed, or the line is
 * appended. Throws when reading the result back would change any variable but `name`, or would not
 * give `expected` for it: the file is then left for a person to fix.
 */
export function setEnvVariable(text: string, name: string, literal: string, expected: string): string {
  const spans: { start: number; end: number }[] = [];
  for (const match of text.matchAll(LINE)) {
    if (match[1] === name) spans.push({ start: match.index, end: match.index + match[0].length });
  }
  const line = `${name}=${literal}`;
  let out: string;
  if (spans.length === 0) {
    out = `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`;
  } else {
    out = text;
    // From the last, so earlier offsets stay right; later duplicates go with their line break.
    for (const [i, span] of [...spans.entries()].reverse()) {
      if (i === 0) {
        out = `${out.slice(0, span.start)}${line}${out.slice(span.end)}`;
      } else {
        const end = out[span.end] === "\n" ? span.end + 1 : span.end;
        out = `${out.slice(0, span.start)}${out.slice(end)}`;
      }
    }
  }
  const before = parseEnv(text);
  const after = parseEnv(out);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (key) => key !== name && before[key] !== after[key],
  );
  if (after[name] !== expected || changed.length > 0) {
    throw new Error(
      `could not rewrite ${name} without changing ${changed.length > 0 ? changed.join(", ") : "its value"}; nothing was written. Edit the file by hand, or move ${name} to a line of its own.`,
    );
  }
  return out;
}

/** Writes `text` to `file` with mode 600, all at once (a new file renamed over the old one). */
export function writeSecretFile(file: string, text: string): void {
  const temporary = join(dirname(file), `.${process.pid}-${Date.now()}.tokendesk-tmp`);
  const fd = openSync(temporary, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
