/**
 * Keeping connections safe beyond this browser's whim: persistent storage, its state in words, and
 * backup files. Loaded on first use (app-state's `safekeeping()`), never with the first screen.
 */
import { BACKUP_FILE_SUFFIX, BackupError, type BackupStage } from "../../store/backup.ts";
import { type LeftOut, readBackup, writeBackup } from "../../store/backup-payload.ts";
import type { Db } from "../../store/db.ts";
import { type RestoreReport, restoreBackup } from "../../store/lifecycle/restore.ts";

/** What this browser says about tokendesk's storage. */
export interface StorageState {
  /** Whether the browser has a StorageManager (navigator.storage) at all. */
  readonly supported: boolean;
  /** `navigator.storage.persisted()`; null when the browser cannot say. */
  readonly persisted: boolean | null;
  readonly usage: number | null;
  readonly quota: number | null;
  /** WebKit (Safari, and every browser on iOS) deletes script-written storage after 7 days unused. */
  readonly webkit: boolean;
  /** Running as an installed app (Dock, Home Screen, or a Chromium app window). */
  readonly installed: boolean;
}

/** Every stage a backup or restore shows while it works. */
export type WorkStage = BackupStage | "reading" | "merging";

export interface BackupResult {
  readonly blob: Blob;
  readonly fileName: string;
  readonly connections: number;
  readonly events: number;
  readonly leftOut: readonly LeftOut[];
}

export interface Safekeeping {
  storage(): Promise<StorageState>;
  /** Asks the browser to keep storage (a person's click: Firefox asks them), then reads the state again. */
  askToPersist(): Promise<StorageState>;
  /** After a connection is made: asks for persistent storage unless it is already, once per page. */
  keepStorage(): Promise<void>;
  /** Seals the connections named (all when null) into a file; stores nothing. */
  backup(
    ids: readonly string[] | null,
    passphrase: string,
    onStage: (stage: WorkStage) => void,
  ): Promise<BackupResult>;
  /** Opens a backup file and merges it in; throws BackupError (nothing stored) for a file it refuses. */
  restore(
    file: Blob,
    passphrase: string,
    onStage: (stage: WorkStage, done?: number, total?: number) => void,
  ): Promise<RestoreReport>;
}

export interface SafekeepingContext {
  readonly db: () => Promise<Db>;
  readonly locks: LockManager | undefined;
  /** Tells this tab and the others that connections changed (one call reloads them all). */
  readonly notify: (connectionId: string) => void;
  /** The relay's client ids, once listed. */
  readonly clients: () => readonly string[] | null;
}

/** A file bigger than this is not a backup tokendesk wrote (1,000 connections' history is a few MB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

function isWebKit(userAgent: string): boolean {
  // Safari's engine without Blink's: Safari on macOS, and every browser on iOS (CriOS, FxiOS too).
  return /AppleWebKit\//.test(userAgent) && !/(Chrome|Chromium|Edg)\//.test(userAgent);
}

function isInstalled(): boolean {
  const standalone = (navigator as Navigator & { standalone?: boolean }).standalone === true;
  return (
    standalone ||
    (typeof matchMedia === "function" &&
      ["standalone", "minimal-ui", "fullscreen", "window-controls-overlay"].some(
        (mode) => matchMedia(`(display-mode: ${mode})`).matches,
      ))
  );
}

export async function readStorageState(): Promise<StorageState> {
  const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
  const base = {
    webkit: typeof navigator !== "undefined" && isWebKit(navigator.userAgent),
    installed: typeof window !== "undefined" && isInstalled(),
  };
  if (storage === undefined) return { supported: false, persisted: null, usage: null, quota: null, ...base };
  const [persisted, estimate] = await Promise.all([
    typeof storage.persisted === "function" ? storage.persisted().catch(() => null) : Promise.resolve(null),
    typeof storage.estimate === "function" ? storage.estimate().catch(() => null) : Promise.resolve(null),
  ]);
  return {
    supported: true,
    persisted,
    usage: estimate?.usage ?? null,
    quota: estimate?.quota ?? null,
    ...base,
  };
}

/** `tokendesk-backup-2026-11-23-1501.tokendesk`, in the page's local time. */
export function backupFileName(at: number, single: boolean): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}`;
  return `tokendesk-${single ? "connection" : "backup"}-${stamp}${BACKUP_FILE_SUFFIX}`;
}

let persistAsked = false;

export function createSafekeeping(context: SafekeepingContext): Safekeeping {
  const self: Safekeeping = {
    storage: readStorageState,
    async askToPersist() {
      persistAsked = true;
      await navigator.storage?.persist?.().catch(() => false);
      return readStorageState();
    },
    async keepStorage() {
      // Once per page: Chromium decides silently (and may say yes later, as the site is used more);
      // Firefox asks the person, and asking again at every connection would nag.
      if (persistAsked || navigator.storage?.persist === undefined) return;
      persistAsked = true;
      if (await navigator.storage.persisted().catch(() => false)) return;
      await navigator.storage.persist().catch(() => false);
    },
    async backup(ids, passphrase, onStage) {
      const now = Date.now();
      const written = await writeBackup(await context.db(), ids, passphrase, { now, onStage });
      return {
        blob: new Blob([written.bytes], { type: "application/octet-stream" }),
        fileName: backupFileName(now, ids !== null && ids.length === 1),
        connections: written.connections,
        events: written.events,
        leftOut: written.leftOut,
      };
    },
    async restore(file, passphrase, onStage) {
      if (file.size > MAX_FILE_BYTES) {
        throw new BackupError(
          `This file is ${Math.round(file.size / 1048576)} MB, far more than a tokendesk backup: choose the ${BACKUP_FILE_SUFFIX} file that "Back up" saved. Nothing stored was changed.`,
          "not_backup",
        );
      }
      onStage("reading");
      const bytes = new Uint8Array(await file.arrayBuffer());
      const payload = await readBackup(bytes, passphrase, { onStage });
      onStage("merging", 0, payload.entries.length);
      const report = await restoreBackup(
        { db: await context.db(), now: Date.now, locks: context.locks },
        payload,
        {
          knownClients: context.clients(),
          onProgress: (done, total) => onStage("merging", done, total),
        },
      );
      const first = report.changed[0];
      if (first !== undefined) {
        context.notify(first);
        void self.keepStorage();
      }
      return report;
    },
  };
  return self;
}
