import { For, Show } from "solid-js";
import type { RevocationTokenType } from "../../relay/contract.ts";

const LABELS: Readonly<Record<RevocationTokenType, string>> = {
  access_token: "Introspect the access token",
  refresh_token: "Introspect the refresh token",
};

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
  const has = (which: RevocationTokenType) =>
    which === "access_token" ? props.hasAccessToken : props.hasRefreshToken;
  return (
    <div class="actions">
      <For each={["access_token", "refresh_token"] as const}>
        {(which) => (
          <Show when={has(which)}>
            <button
              type="button"
              class="button"
              disabled={props.busy}
              onClick={() => props.onIntrospect(which)}
            >
              {LABELS[which]}
            </button>
          </Show>
        )}
      </For>
    </div>
  );
}
