/**
 * Making a backup file and restoring one: the crypto and merge code, loaded when a person starts a
 * backup or a restore (never with a page).
 */
import { BACKUP_FILE_SUFFIX, BackupError } from "../../store/backup.ts";
import { type LeftOut, readBackup, writeBackup } from "../../store/backup-payload.ts";
import { type RestoreReport, restoreBackup } from "../../store/lifecycle/restore.ts";
import type { SafekeepingContext, WorkStage } from "./safekeeping.ts";

export interface BackupResult {
  readonly blob: Blob;
  readonly fileName: string;
  readonly connections: number;
  readonly events: number;
  readonly leftOut: readonly LeftOut[];
}

/** A file bigger than this is not a backup tokendesk wrote (1,000 connections' history is a few MB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** `tokendesk-backup-2026-11-23-1501.tokendesk`, in the page's local time. */
export function backupFileName(at: number, single: boolean): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}`;
  return `tokendesk-${single ? "connection" : "backup"}-${stamp}${BACKUP_FILE_SUFFIX}`;
}

/** Seals the connections named (all when null) into a file; stores and sends nothing. */
export async function backupConnections(
  context: SafekeepingContext,
  ids: readonly string[] | null,
  passphrase: string,
  onStage: (stage: WorkStage) => void,
): Promise<BackupResult> {
  const now = Date.now();
  const written = await writeBackup(await context.db, ids, passphrase, { now, onStage });
  return {
    blob: new Blob([written.bytes], { type: "application/octet-stream" }),
    fileName: backupFileName(now, ids !== null && ids.length === 1),
    connections: written.connections,
    events: written.events,
    leftOut: written.leftOut,
  };
}

/**
 * Opens a backup file and merges it in. A file it refuses throws {@link BackupError} and changes
 * nothing; no request is ever sent. The first connection a restore makes asks to persist storage.
 */
export async function restoreFile(
  context: SafekeepingContext,
  file: Blob,
  passphrase: string,
  onStage: (stage: WorkStage, done?: number, total?: number) => void,
): Promise<RestoreReport> {
  if (file.size > MAX_FILE_BYTES) {
    throw new BackupError(
      `This file is ${Math.round(file.size / 1048576)} MB, far more than a tokendesk backup: choose the ${BACKUP_FILE_SUFFIX} file that "Back up" saved. Nothing stored was changed.`,
      "not_backup",
    );
  }
  onStage("reading");
  const payload = await readBackup(new Uint8Array(await file.arrayBuffer()), passphrase, { onStage });
  onStage("merging", 0, payload.entries.length);
  const report = await restoreBackup({ db: await context.db, now: Date.now, locks: context.locks }, payload, {
    knownClients: context.clients()?.map((c) => c.id) ?? null,
    onProgress: (done, total) => onStage("merging", done, total),
  });
  const [first, ...more] = report.changed;
  if (first !== undefined) {
    if (more.length === 0) context.notify(first);
    else context.notifyMany();
    context.keepStorage();
  }
  return report;
}
