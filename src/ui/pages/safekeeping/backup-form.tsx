import { createSignal, For, onCleanup, Show } from "solid-js";
import { useAppState } from "../../state/app-state.tsx";
import type { BackupResult } from "../../state/backup-actions.ts";
import { createTask } from "../../state/task.ts";
import { formatBytes } from "./storage-status.tsx";
import { SubmitStatus } from "./submit-status.tsx";
import { stageText } from "./work-stage.ts";

/** Long enough that 600,000 rounds of PBKDF2 per guess make guessing hopeless; four random words are. */
export const MIN_PASSPHRASE = 12;

/**
 * Backs up the connections named (all when `ids` is null) to a file sealed with a passphrase typed
 * twice, then offers the file to save. Nothing is stored or sent.
 */
export function BackupForm(props: { ids: readonly string[] | null; action: string }) {
  const [, actions] = useAppState();
  const task = createTask();
  const [result, setResult] = createSignal<(BackupResult & { url: string }) | null>(null);
  let first: HTMLInputElement | undefined;
  let second: HTMLInputElement | undefined;
  let save: HTMLAnchorElement | undefined;
  const forget = () => {
    const previous = result();
    if (previous !== null) URL.revokeObjectURL(previous.url);
    setResult(null);
  };
  onCleanup(forget);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    task.setError(null);
    forget();
    const passphrase = first?.value ?? "";
    if (passphrase.length < MIN_PASSPHRASE) {
      task.setError(
        `Use a passphrase of at least ${MIN_PASSPHRASE} characters (four random words work well): it is all that protects the tokens in the file.`,
      );
      return;
    }
    if (passphrase !== second?.value) {
      task.setError(
        "The two passphrases differ. Type the same one twice: a typo would make the file impossible to open.",
      );
      return;
    }
    await task.run(async () => {
      const { backupConnections } = await import("../../state/backup-actions.ts");
      const made = await backupConnections(actions.safekeeping(), props.ids, passphrase, (stage) =>
        task.setStage(stageText(stage)),
      );
      if (first) first.value = "";
      if (second) second.value = "";
      setResult({ ...made, url: URL.createObjectURL(made.blob) });
      save?.focus();
    }, stageText("reading"));
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-busy={task.busy()}>
      <p>
        The file holds each connection's tokens, settings and history. It never holds the client secret (the
        relay keeps it; this page never has it), authorizations in progress, or codes not yet exchanged. It is
        encrypted with your passphrase (PBKDF2-SHA-256, 600,000 rounds, then AES-256-GCM): without the
        passphrase nobody can open it, and tokendesk keeps no copy of it.
      </p>
      <label class="field">
        <span>Passphrase (at least {MIN_PASSPHRASE} characters)</span>
        <input ref={first} type="password" autocomplete="new-password" spellcheck={false} />
      </label>
      <label class="field">
        <span>The same passphrase again</span>
        <input ref={second} type="password" autocomplete="new-password" spellcheck={false} />
      </label>
      <SubmitStatus label={props.action} stage={task.stage()} error={task.error()} />
      <Show when={result()}>
        {(made) => (
          <div class="backup-ready">
            <p>
              Backup ready: {made().connections} connection{made().connections === 1 ? "" : "s"},{" "}
              {made().events} history event{made().events === 1 ? "" : "s"}, {formatBytes(made().blob.size)}.
            </p>
            <p>
              <a ref={save} class="button primary" href={made().url} download={made().fileName}>
                Save {made().fileName}
              </a>
            </p>
            <Show when={made().leftOut.length > 0}>
              <p>Left out:</p>
              <ul>
                <For each={made().leftOut}>
                  {(left) => (
                    <li>
                      {left.name}: {left.reason}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </div>
        )}
      </Show>
    </form>
  );
}
