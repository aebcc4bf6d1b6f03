/**
 * Keeping connections beyond this browser's whim: the storage state in words, and what backups and
 * restores need from the app. Light on purpose: the storage status loads it after the first screen;
 * the crypto and merge code (backup-actions.ts) loads only when a backup or restore starts.
 */

import type { PublicClient } from "../../relay/contract.ts";
import type { BackupStage } from "../../store/backup.ts";
import type { Db } from "../../store/db.ts";

/** What app-state gives backups and restores. */
export interface SafekeepingContext {
  readonly db: Promise<Db>;
  readonly locks: LockManager | undefined;
  /** Tells this tab and the others that a connection changed. */
  readonly notify: (connectionId: string) => void;
  /** Tells this tab and the others that many connections changed (each tab reads its whole list again). */
  readonly notifyMany: () => void;
  /** The relay's clients, once listed. */
  readonly clients: () => readonly Pick<PublicClient, "id">[] | null;
  /** A connection was just made: asks the browser to persist storage, once per page. */
  readonly keepStorage: () => void;
}

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

/** Reads persisted() and estimate(); never throws (a browser that cannot say reads as null). */
export async function readStorageState(): Promise<StorageState> {
  const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
  const base = {
    webkit: typeof navigator !== "undefined" && isWebKit(navigator.userAgent),
    installed: typeof navigator !== "undefined" && isInstalled(),
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

/** Asks the browser to persist storage (after a person's click: Firefox asks them), then reads the state. */
export async function askToPersist(): Promise<StorageState> {
  await navigator.storage?.persist?.().catch(() => false);
  return readStorageState();
}
