import { createSignal, Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { useAppState } from "../../state/app-state.tsx";

export function Rename(props: { connection: Connection }) {
  const [, actions] = useAppState();
  const [editing, setEditing] = createSignal(false);
  let input: HTMLInputElement | undefined;
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const name = input?.value.trim() ?? "";
    if (name !== "") await actions.rename(props.connection.id, name);
    setEditing(false);
  };
  return (
    <Show
      when={editing()}
      fallback={
        <button type="button" class="copy" onClick={() => setEditing(true)}>
          Rename
        </button>
      }
    >
      <form class="inline-field" onSubmit={(e) => void save(e)}>
        <label class="inline-field">
          <span class="sr-only">Connection name</span>
          <input ref={input} type="text" value={props.connection.name} maxlength="120" />
        </label>
        <button type="submit" class="copy">
          Save
        </button>
        <button type="button" class="copy" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </form>
    </Show>
  );
}
