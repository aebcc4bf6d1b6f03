import { createResource, createSignal, Show } from "solid-js";
import { useAppState } from "../../state/app-state.tsx";
import { askToPersist, readStorageState, type StorageState } from "../../state/safekeeping.ts";

/** Bytes as a person reads them: kB and MB of 1,000, as browsers' own settings pages count. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** What the storage state means in this browser, in a sentence or three. */
export function storageMeaning(s: StorageState): string {
  const safari = !s.webkit
    ? ""
    : s.installed
      ? " Installed as an app, tokendesk escapes Safari's rule that deletes a site's storage after 7 days of use without a visit."
      : " Safari (and every browser on iOS) also deletes a site's storage after 7 days of use without a visit; tokendesk added to the Dock or the Home Screen escapes that rule.";
  if (!s.supported || s.persisted === null) {
    return `This browser does not say whether it keeps tokendesk's storage: treat it as best-effort.${safari} Back up to a file to keep a copy.`;
  }
  if (s.persisted) {
    return `The browser will not delete it to free disk space; clearing this site's data still does.${safari} A backup file is the copy that survives both.`;
  }
  return `The browser may delete it when the disk runs low, and clearing browsing data deletes it.${s.webkit ? "" : " Chromium keeps storage for sites you use often, bookmark or install; Firefox asks you."}${safari} Back up to a file to keep a copy.`;
}

function keptLabel(s: StorageState): string {
  if (!s.supported || s.persisted === null) return "Unknown: this browser does not say";
  return s.persisted ? "Persistent: the browser keeps it" : "Best-effort: the browser may delete it";
}

/** The browser's storage for tokendesk: persisted or best-effort, how much is used, and what that means. */
export function StorageStatus() {
  const [state] = useAppState();
  const [asked, setAsked] = createSignal(false);
  // Read again when connections come or go: the first one asks the browser to persist storage.
  const [storage, { mutate }] = createResource(() => state.connections.length, readStorageState);
  const ask = async () => {
    mutate(await askToPersist());
    setAsked(true);
  };
  return (
    <section aria-labelledby="storage-heading" class="card storage-status">
      <h3 id="storage-heading">Storage in this browser</h3>
      <Show when={storage()} fallback={<p class="muted">Asking the browser…</p>}>
        {(s) => (
          <>
            <dl class="facts">
              <dt>Kept</dt>
              <dd data-testid="storage-kept">{keptLabel(s())}</dd>
              <dt>Used</dt>
              <dd data-testid="storage-usage">
                {s().usage === null
                  ? "not known"
                  : `${formatBytes(s().usage ?? 0)}${s().quota === null ? "" : ` of the ${formatBytes(s().quota ?? 0)} this browser allows this site`}`}
              </dd>
            </dl>
            <p data-testid="storage-meaning">{storageMeaning(s())}</p>
            <Show when={s().persisted === false}>
              <button type="button" class="button" onClick={() => void ask()}>
                Ask the browser to keep it
              </button>
              <Show when={asked()}>
                <p role="status">
                  The browser said no. Bookmarking or installing tokendesk, and using it often, makes Chromium
                  say yes later; meanwhile, back up.
                </p>
              </Show>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
