import { createSignal, Show } from "solid-js";
import { createOnline } from "../state/network.ts";

// Set by the service worker's registration (register.ts) when a new version waits.
const [apply, setApply] = createSignal<(() => void) | null>(null);

/** Offers a waiting version; `activate` switches to it and reloads. */
export function offerUpdate(activate: () => void): void {
  setApply(() => activate);
}

/** Offline, and a new version waiting; rendered inside the layout's polite live region. */
export function Notices() {
  const online = createOnline();
  return (
    <>
      <Show when={!online()}>
        <p class="notice" data-testid="offline-notice">
          <strong>Offline.</strong> Connections, tokens, countdowns, history and the support desk's inspect
          work from this browser; exchange, refresh, revoke and lookups wait for the network.
        </p>
      </Show>
      <Show when={apply()}>
        <p class="notice">
          A new version is ready — reload to use it.{" "}
          <button type="button" class="button" onClick={() => apply()?.()}>
            Reload
          </button>
        </p>
      </Show>
    </>
  );
}
