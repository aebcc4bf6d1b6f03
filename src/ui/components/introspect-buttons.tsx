import { Show } from "solid-js";
import type { RevocationTokenType } from "../../relay/contract.ts";

/**
 * A button per token there is to introspect (RFC 7662), both held while one check runs: the same
 * read whether the tokens are a connection's or pasted on the support desk.
 */
export function IntrospectButtons(props: {
  hasAccessToken: boolean;
  hasRefreshToken: boolean;
  busy: boolean;
  onIntrospect: (which: RevocationTokenType) => void;
}) {
  return (
    <div class="actions">
      <Show when={props.hasAccessToken}>
        <button
          type="button"
          class="button"
          disabled={props.busy}
          onClick={() => props.onIntrospect("access_token")}
        >
          Introspect the access token
        </button>
      </Show>
      <Show when={props.hasRefreshToken}>
        <button
          type="button"
          class="button"
          disabled={props.busy}
          onClick={() => props.onIntrospect("refresh_token")}
        >
          Introspect the refresh token
        </button>
      </Show>
    </div>
  );
}
