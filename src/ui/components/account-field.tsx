import { Show } from "solid-js";

/** Where the identity probe's answer named the account (`name`, `email`, `user.email`…), after the name. */
export function AccountField(props: { field: string | null }) {
  return (
    <Show when={props.field}>
      {(field) => (
        <>
          {" "}
          <span class="muted" data-testid="account-field">
            (from <code>{field()}</code> in the answer)
          </span>
        </>
      )}
    </Show>
  );
}
