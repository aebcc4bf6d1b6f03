import { Show } from "solid-js";
import { useAppState } from "../../state/app-state.tsx";
import { BackupForm } from "./backup-form.tsx";
import { RestoreForm } from "./restore-form.tsx";
import { StorageStatus } from "./storage-status.tsx";

/** The home page's storage state, backup of every connection, and restore. Loaded after the first screen. */
export function SafekeepingPanel() {
  const [state] = useAppState();
  const count = () => state.connections.length;
  return (
    <section aria-labelledby="safekeeping-heading">
      <h2 id="safekeeping-heading">Storage and backups</h2>
      <StorageStatus />
      <Show when={count() > 0}>
        <details class="card">
          <summary>Back up all connections to a file</summary>
          <BackupForm ids={null} action={`Back up ${count()} connection${count() === 1 ? "" : "s"}`} />
        </details>
      </Show>
      <details class="card">
        <summary>Restore from a backup file</summary>
        <RestoreForm />
      </details>
    </section>
  );
}
