import { createSignal, For, Show } from "solid-js";
import type { RestoreReport } from "../../../store/lifecycle/restore.ts";
import type { RestoreOutcome } from "../../../store/restore-merge.ts";
import { A } from "../../router.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { createTask } from "../../state/task.ts";
import { SubmitStatus } from "./submit-status.tsx";
import { stageText } from "./work-stage.ts";

const OUTCOME_WORDS: Readonly<Record<RestoreOutcome, string>> = {
  added: "Added",
  updated: "Updated",
  kept: "Kept",
  skipped: "Skipped",
};

function count(report: RestoreReport, outcome: RestoreOutcome): number {
  return report.lines.filter((l) => l.outcome === outcome).length;
}

/** What a restore did, connection by connection, with the reason for each. */
function RestoreReportView(props: { report: RestoreReport }) {
  return (
    <section aria-labelledby="restore-report-heading" data-testid="restore-report">
      <h4 id="restore-report-heading">
        Restored from a backup made {new Date(props.report.backupCreatedAt).toLocaleString()}
      </h4>
      <p data-testid="restore-summary">
        {count(props.report, "added")} added, {count(props.report, "updated")} updated,{" "}
        {count(props.report, "kept")} kept as they are here, {count(props.report, "skipped")} skipped. Nothing
        was sent to any provider.
      </p>
      <ul class="restore-lines">
        <For each={props.report.lines}>
          {(line) => (
            <li data-outcome={line.outcome}>
              <strong>{OUTCOME_WORDS[line.outcome]}</strong>{" "}
              <Show when={line.outcome !== "skipped"} fallback={line.name}>
                <A href={`/connections/${encodeURIComponent(line.connectionId)}`}>{line.name}</A>
              </Show>
              : {line.reason}
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}

/**
 * Opens a backup file with its passphrase and merges it in. A file it refuses (wrong passphrase,
 * changed, cut short, newer) is named and changes nothing.
 */
export function RestoreForm() {
  const [, actions] = useAppState();
  const task = createTask();
  const [report, setReport] = createSignal<RestoreReport | null>(null);
  let file: HTMLInputElement | undefined;
  let passphrase: HTMLInputElement | undefined;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    task.setError(null);
    setReport(null);
    const chosen = file?.files?.[0];
    if (chosen === undefined) {
      task.setError("Choose the backup file first (a .tokendesk file that Back up saved).");
      return;
    }
    await task.run(async () => {
      const { restoreFile } = await import("../../state/backup-actions.ts");
      const done = await restoreFile(
        actions.safekeeping(),
        chosen,
        passphrase?.value ?? "",
        (stage, n, total) => {
          // A status region is read aloud: every 50th connection is news enough, each one is noise.
          if (stage !== "merging" || n === undefined || n % 50 === 0 || n === total)
            task.setStage(stageText(stage, n, total));
        },
      );
      if (passphrase) passphrase.value = "";
      setReport(done);
    }, stageText("reading"));
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-busy={task.busy()}>
      <p>
        Restoring merges: a connection missing here is added; for one this browser has, the newer token set
        stays (by the refresh-token history, then by when each was issued), and an older refresh token never
        replaces a newer one. Nothing is sent to any provider, and auto-refresh is off for every connection
        whose tokens come from the file.
      </p>
      <label class="field">
        <span>Backup file</span>
        <input ref={file} type="file" accept=".tokendesk,application/octet-stream" />
      </label>
      <label class="field">
        <span>Its passphrase</span>
        <input ref={passphrase} type="password" autocomplete="current-password" spellcheck={false} />
      </label>
      <SubmitStatus label="Restore" stage={task.stage()} error={task.error()} />
      <Show when={report()}>{(r) => <RestoreReportView report={r()} />}</Show>
    </form>
  );
}
