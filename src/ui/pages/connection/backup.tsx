import { Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { BackupForm } from "../safekeeping/backup-form.tsx";

/** Back up this one connection: to move it to another browser, or to keep a copy before a risky step. */
export function BackupConnection(props: { connection: Connection }) {
  // A code not yet exchanged is never put in a file (it works once): there is nothing else to keep.
  const worthKeeping = () =>
    props.connection.tokenSet !== null || props.connection.authorization?.exchangeStartedAt != null;
  return (
    <Show when={worthKeeping()}>
      <details class="card">
        <summary>Back up this connection to a file</summary>
        <BackupForm ids={[props.connection.id]} action="Back up this connection" />
      </details>
    </Show>
  );
}
