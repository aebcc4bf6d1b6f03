/**
 * Backup and restore figures, in the page, on the store `page.ts` seeded (1,000 connections, 10,000
 * history events): each against a floor measured in the same round, so the ratio holds on a busy
 * machine where milliseconds do not. A backup must at least read everything and derive one key; a
 * restore into an empty store must at least derive one key and write everything; a restore over the
 * same data must at least derive one key and read everything.
 */
import type { Page } from "playwright-core";
import type { BackupRound } from "./in-page.ts";
import type { Figure } from "./report.ts";
import { median } from "./stats.ts";

const PASSPHRASE = "bench passphrase, four words";

export interface BackupOptions {
  /** Rounds measured (the seeding just before warmed IndexedDB up); medians are reported. */
  readonly rounds: number;
  readonly connections: number;
  readonly events: number;
  readonly log: (line: string) => void;
}

const ms = (value: number) => `${Math.round(value).toLocaleString("en")} ms`;

export async function measureBackupRestore(
  page: Page,
  options: BackupOptions,
): Promise<{ figures: Figure[]; samples: Record<string, number[]> }> {
  const rounds: BackupRound[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const result = await page.evaluate(
      ([passphrase, n]) => window.tokendeskBench.backupRound(passphrase, n),
      [PASSPHRASE, round] as const,
    );
    // Every round must have carried the whole store through: a figure for less would flatter.
    const expected = [options.connections, options.events, options.connections, options.connections];
    const got = [result.connections, result.events, result.added, result.kept];
    if (got.some((v, i) => v !== expected[i])) {
      throw new Error(
        `backup round ${round}: connections, events, added, kept = ${got.join(", ")}; expected ${expected.join(", ")}`,
      );
    }
    rounds.push(result);
  }
  const pick = (f: (r: BackupRound) => number) => rounds.map(f);
  const samples = {
    backupRatio: pick((r) => r.backupMs / (r.readMs + r.pbkdf2Ms)),
    restoreEmptyRatio: pick((r) => r.restoreEmptyMs / (r.writeMs + r.pbkdf2Ms)),
    restoreSameRatio: pick((r) => r.restoreSameMs / (r.readMs + r.pbkdf2Ms)),
    backupMs: pick((r) => r.backupMs),
    restoreEmptyMs: pick((r) => r.restoreEmptyMs),
    restoreSameMs: pick((r) => r.restoreSameMs),
    readMs: pick((r) => r.readMs),
    writeMs: pick((r) => r.writeMs),
    pbkdf2Ms: pick((r) => r.pbkdf2Ms),
    fileBytes: pick((r) => r.fileBytes),
  };
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<
    keyof typeof samples,
    number
  >;
  const what = `${options.connections.toLocaleString("en")} conn. + ${options.events.toLocaleString("en")} events`;
  options.log(
    `backup: ${ms(m.backupMs)} (read ${ms(m.readMs)}, PBKDF2 ${ms(m.pbkdf2Ms)}), file ${(m.fileBytes / 1e6).toFixed(2)} MB; restore into empty ${ms(m.restoreEmptyMs)} (plain write ${ms(m.writeMs)}); restore over the same ${ms(m.restoreSameMs)}`,
  );
  const figures: Figure[] = [
    {
      section: "backup",
      name: `back up ${what}`,
      value: m.backupRatio,
      unit: "ratio",
      detail: `${ms(m.backupMs)} against a floor of ${ms(m.readMs + m.pbkdf2Ms)} (plain IndexedDB read ${ms(m.readMs)} + one PBKDF2 ${ms(m.pbkdf2Ms)}); file ${(m.fileBytes / 1e6).toFixed(2)} MB; median of ${rounds.length}`,
      budget: {
        max: 3,
        why: "serialising, gzip and AES-GCM cost no more than twice the read and key derivation they follow",
      },
    },
    {
      section: "backup",
      name: `restore ${what} into an empty store`,
      value: m.restoreEmptyRatio,
      unit: "ratio",
      detail: `${ms(m.restoreEmptyMs)} against a floor of ${ms(m.writeMs + m.pbkdf2Ms)} (plain IndexedDB write ${ms(m.writeMs)} + one PBKDF2 ${ms(m.pbkdf2Ms)}); all added; median of ${rounds.length}`,
      budget: {
        max: 3,
        why: "decrypting, checking every field and planning each merge cost no more than twice the key derivation and writes",
      },
    },
    {
      section: "backup",
      name: `restore ${what} over the same data`,
      value: m.restoreSameRatio,
      unit: "ratio",
      detail: `${ms(m.restoreSameMs)} against a floor of ${ms(m.readMs + m.pbkdf2Ms)} (plain IndexedDB read ${ms(m.readMs)} + one PBKDF2 ${ms(m.pbkdf2Ms)}); each connection merged under its Web Lock, all kept; median of ${rounds.length}`,
      budget: {
        max: 5,
        why: "a lock, a read and a lineage check per connection: a thousand of them within a few times one bulk read",
      },
    },
  ];
  return { figures, samples };
}
