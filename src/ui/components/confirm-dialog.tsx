import type { JSX } from "solid-js";

/**
 * Asks before an action that spends something: a title, what will happen, the action named for what
 * it does, and Cancel. An alertdialog, so a screen reader reads the question at once.
 */
export function ConfirmDialog(props: {
  id: string;
  title: string;
  children: JSX.Element;
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div
      class="confirm"
      role="alertdialog"
      aria-labelledby={`${props.id}-title`}
      aria-describedby={`${props.id}-text`}
    >
      <p id={`${props.id}-title`}>
        <strong>{props.title}</strong>
      </p>
      <p id={`${props.id}-text`}>{props.children}</p>
      <div class="actions">
        <button type="button" class="button danger" onClick={() => props.onConfirm()}>
          {props.confirm}
        </button>
        <button type="button" class="button" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </div>
  );
}
