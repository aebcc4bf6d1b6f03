import { Show } from "solid-js";

/** A problem the person must read now, announced by screen readers; nothing when there is none. */
export function ProblemAlert(props: { message: string | null | undefined }) {
  return (
    <Show when={props.message}>
      {(message) => (
        <p class="problem" role="alert">
          {message()}
        </p>
      )}
    </Show>
  );
}
