import { createSignal, Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { formatTime } from "../../components/format.ts";
import { useAppState } from "../../state/app-state.tsx";

export function RefreshButton(props: {
  connection: Connection;
  busy: boolean;
  onRefresh: (confirmed: boolean) => void;
  /** Another wording where the button stands elsewhere ("Refresh first"); default "Refresh". */
  label?: string;
  /** The confirmation's id, unique on the page. Default "confirm-refresh". */
  dialogId?: string;
}) {
  const [, actions] = useAppState();
  const [asking, setAsking] = createSignal(false);
  const needsConfirmation = () => {
    if (props.connection.handedOffAt === null) return false;
    return actions.recipeFor(props.connection).refreshPolicy !== "reusable";
  };
  return (
    <>
      <Show when={asking()}>
        <ConfirmDialog
          id={props.dialogId ?? "confirm-refresh"}
          title="Refresh a handed-off token?"
          confirm="Refresh anyway"
          onConfirm={() => {
            setAsking(false);
            props.onRefresh(true);
          }}
          onCancel={() => setAsking(false)}
        >
          This refresh token was handed off to a server at {formatTime(props.connection.handedOffAt ?? 0)}.
          Refreshing here replaces it: the copy your server holds stops working, and the server must be given
          the new one.
        </ConfirmDialog>
      </Show>
      <button
        type="button"
        class="button primary"
        disabled={props.busy || props.connection.refreshTokenStatus === "dead" || asking()}
        onClick={() => (needsConfirmation() ? setAsking(true) : props.onRefresh(false))}
      >
        {props.label ?? "Refresh"}
      </button>
    </>
  );
}
