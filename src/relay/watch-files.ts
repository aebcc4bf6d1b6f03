/**
 * Tells when configuration files change, for the dev server and `npm run relay`, which reload
 * `.env.local` without a restart. Node only.
 */
import { type FSWatcher, unwatchFile, watch, watchFile } from "node:fs";
import { basename, dirname, resolve } from "node:path";

export interface FileWatch {
  close(): void;
}

/**
 * Calls `onChange` once things settle (`debounceMs`) after any of `files` is created, written,
 * replaced or removed. Watches the files' directories, not the files: editors that save by writing
 * a new file and renaming it over the old one replace the inode a file watch would follow. Where the
 * system cannot watch a directory (no inotify left, some network mounts), it polls the files' stat.
 * A change can be reported when nothing changed: callers compare what they read.
 */
export function watchFiles(
  files: readonly string[],
  onChange: () => void,
  { debounceMs = 150, pollMs = 1000 }: { debounceMs?: number; pollMs?: number } = {},
): FileWatch {
  const paths = files.map((file) => resolve(file));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const schedule = () => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
  };

  const watchers: FSWatcher[] = [];
  const polled: string[] = [];
  for (const dir of new Set(paths.map((path) => dirname(path)))) {
    const names = new Set(paths.filter((path) => dirname(path) === dir).map((path) => basename(path)));
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        // No name (some platforms): any change in the directory may be ours.
        if (name === null || names.has(String(name))) schedule();
      });
      watcher.on("error", () => {
        // The directory went away or the watch broke: keep going by polling.
        watcher.close();
        for (const name of names) poll(resolve(dir, name));
      });
      watchers.push(watcher);
    } catch {
      for (const name of names) poll(resolve(dir, name));
    }
  }

  function poll(path: string): void {
    if (closed || polled.includes(path)) return;
    polled.push(path);
    watchFile(path, { persistent: false, interval: pollMs }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) schedule();
    });
  }

  return {
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      for (const path of polled) unwatchFile(path);
    },
  };
}
