import type { WorkStage } from "../../state/safekeeping.ts";

/** What a backup or restore is doing, for its "working" line. */
export function stageText(stage: WorkStage, done?: number, total?: number): string {
  switch (stage) {
    case "reading":
      return "Reading…";
    case "deriving":
      return "Deriving the key from the passphrase (PBKDF2-SHA-256, 600,000 rounds: about a second)…";
    case "encrypting":
      return "Compressing and encrypting (AES-256-GCM)…";
    case "decrypting":
      return "Decrypting and checking the file…";
    case "merging":
      return total === undefined
        ? "Merging…"
        : `Merging: ${(done ?? 0).toLocaleString("en")} of ${total.toLocaleString("en")} connections…`;
  }
}
