/**
 * A relay whose configuration can change while it runs (`npm start` and `npm run relay` reload
 * `.env.local`): each reload builds a whole new relay and swaps it in at once, so a request is
 * answered entirely by the old configuration or entirely by the new one. A configuration that does
 * not parse is refused: the last good clients keep being served, and `GET {base}/clients` says why.
 * Runtime-free, like the handler.
 */
import { RelayConfigError, type RelayOptions } from "./config.ts";
import { createRelay, type RelayHandler } from "./handler.ts";

/** What a reload did, for the terminal. Names client ids only, never anything secret. */
export type ReloadOutcome =
  | {
      readonly ok: true;
      /** Every client id now served, in configuration order. */
      readonly clients: readonly string[];
      readonly added: readonly string[];
      readonly removed: readonly string[];
      /** Clients whose configuration (client id, secret, redirect URIs…) differs. */
      readonly changed: readonly string[];
    }
  | {
      readonly ok: false;
      /** The parser's words, with any secret it could hold replaced by `[redacted]`. */
      readonly problem: string;
      /** The last good clients, still served. */
      readonly clients: readonly string[];
    };

export interface ReloadableRelay {
  /** Answers each request with the relay of the latest configuration that was valid. */
  readonly handler: RelayHandler;
  /**
   * Builds options (reading the environment, parsing clients) and swaps in a relay made from them.
   * A {@link RelayConfigError} from `build` or from the relay keeps the current clients, and
   * `GET {base}/clients` reports the problem until a later reload succeeds. `attempted` is the raw
   * `TOKENDESK_CLIENTS` that was tried: secrets found in it are kept out of the problem's words.
   */
  reload(build: () => RelayOptions, attempted?: string): ReloadOutcome;
  /** The problem of the last refused configuration, or null when the one in use is the latest. */
  readonly problem: string | null;
}

/** A relay serving `initial`; throws a {@link RelayConfigError} when `initial` is not valid. */
export function createReloadableRelay(initial: RelayOptions): ReloadableRelay {
  let good = initial;
  let current = createRelay(initial);
  let problem: string | null = null;

  return {
    handler: (request, context) => current(request, context),
    get problem() {
      return problem;
    },
    reload(build, attempted) {
      let next: RelayOptions;
      let relay: RelayHandler;
      try {
        next = build();
        relay = createRelay(next);
      } catch (error) {
        if (!(error instanceof RelayConfigError)) throw error;
        problem = redactSecrets(error.message, [...secretsOf(good), ...secretsIn(attempted)]);
        // The same clients (and rate limiters: the options carry them) with the problem to report.
        current = createRelay({ ...good, configurationError: problem });
        return { ok: false, problem, clients: good.clients.map((c) => c.id) };
      }
      const before = new Map(good.clients.map((c) => [c.id, JSON.stringify(c)]));
      const after = next.clients.map((c) => c.id);
      const outcome: ReloadOutcome = {
        ok: true,
        clients: after,
        added: after.filter((id) => !before.has(id)),
        removed: [...before.keys()].filter((id) => !after.includes(id)),
        changed: next.clients
          .filter((c) => before.has(c.id) && before.get(c.id) !== JSON.stringify(c))
          .map((c) => c.id),
      };
      good = next;
      current = relay;
      problem = null;
      return outcome;
    },
  };
}

function secretsOf(options: RelayOptions): string[] {
  return options.clients.map((c) => c.client_secret);
}

/**
 * Every `client_secret` value in a raw `TOKENDESK_CLIENTS`, found even when the JSON around it is
 * broken, so words about that JSON can be checked for them.
 */
export function secretsIn(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const found: string[] = [];
  for (const match of raw.matchAll(/"client_secret"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) {
    const escaped = match[1] ?? "";
    found.push(escaped);
    try {
      found.push(JSON.parse(`"${escaped}"`) as string);
    } catch {
      // A broken escape: the raw text is all there is to look for.
    }
  }
  return found;
}

/**
 * `text` with every secret replaced by `[redacted]`, also where it was quoted as JSON, and where
 * the message cut it short (the parser quotes at most 200 characters of a value).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue; // Too short to tell apart from ordinary words.
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    out = out.split(form).join("[redacted]");
    // A value quoted cut short ends where the quote closes; catch a secret's first 200 characters.
    if (form.length > 200) out = out.split(form.slice(0, 200)).join("[redacted]");
  }
  return out;
}
