/**
 * Questions in a terminal for `npm run client -- add`, one of them answered without echo (the
 * client secret). Built on node:readline: the secret is typed into a line editor whose output goes
 * nowhere, and that keeps no history, so no key (↑, redraw on resize) can bring it back on screen.
 * Node only.
 */
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";

/** Thrown when the person presses Ctrl-C or Ctrl-D at a question. */
export class PromptCancelled extends Error {
  override readonly name = "PromptCancelled";
}

export interface Prompter {
  /** Asks and returns the trimmed answer; an empty answer gives `fallback` when there is one. */
  ask(question: string, fallback?: string): Promise<string>;
  /** Asks with echo off; returns the answer as typed, nothing trimmed but the line end. */
  askSecret(question: string): Promise<string>;
  /** Writes a line of explanation. */
  say(text: string): void;
  close(): void;
}

/** A prompter on a terminal: `input` must be a TTY (readline puts it in raw mode). */
export function createPrompter(input: NodeJS.ReadStream, output: NodeJS.WriteStream): Prompter {
  // Echo only while an ordinary question waits: what is typed ahead, between questions, may be
  // the secret.
  let muted = true;
  const screen = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  // readline lays out the line by the terminal's width.
  Object.defineProperty(screen, "columns", { get: () => output.columns });
  const rl = createInterface({ input, output: screen, terminal: true, historySize: 0 });
  let abort = new AbortController();
  const cancel = () => abort.abort(new PromptCancelled("cancelled"));
  rl.on("SIGINT", cancel);
  rl.on("close", cancel);

  async function question(text: string): Promise<string> {
    abort = new AbortController();
    try {
      return await rl.question(text, { signal: abort.signal });
    } catch (error) {
      if (abort.signal.aborted) throw new PromptCancelled("cancelled");
      throw error;
    }
  }

  return {
    async ask(text, fallback) {
      const shown = fallback === undefined || fallback === "" ? "" : ` [${fallback}]`;
      muted = false;
      let answer: string;
      try {
        answer = (await question(`${text}${shown}: `)).trim();
      } finally {
        muted = true;
      }
      return answer === "" && fallback !== undefined ? fallback : answer;
    },
    async askSecret(text) {
      output.write(`${text} (typing is not shown): `);
      try {
        return await question("");
      } finally {
        output.write("\n");
      }
    },
    say(text) {
      output.write(`${text}\n`);
    },
    close() {
      rl.off("close", cancel);
      rl.close();
    },
  };
}
