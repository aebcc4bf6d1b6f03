import { createSignal, For, Show } from "solid-js";
import type { Handoff } from "../../../oauth/handoff.ts";
import type { Connection } from "../../../store/records.ts";
import { CopyButton } from "../../components/copy-button.tsx";
import { formatInstant } from "../../components/format.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { SecretText } from "../../components/secret-values.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { knownSecrets } from "./known-secrets.ts";

export function HandOff(props: { connection: Connection }) {
  const [state, actions] = useAppState();
  const [handoff, setHandoff] = createSignal<Handoff | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const exportNow = async () => {
    setError(null);
    if (state.clients === null && state.clientsError !== null) {
      setError(
        "The relay's clients are not loaded (offline, or the relay cannot be reached), and the export needs the client's token endpoint from it. Try again once they are.",
      );
      return;
    }
    try {
      setHandoff(await actions.exportForServer(props.connection.id));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Show when={props.connection.tokenSet?.refreshToken}>
      <section aria-labelledby="handoff-heading" class="card handoff">
        <h3 id="handoff-heading">Hand off to a server</h3>
        <p>
          Everything a server needs to keep refreshing on its own, with the client secret as a placeholder.
          Exporting marks this connection handed off: automatic refresh turns off, and a refresh here asks
          first, because with rotating or single-use refresh tokens it would break the server's copy.
        </p>
        <Show when={props.connection.handedOffAt !== null}>
          <p class="muted">Handed off at {formatInstant(props.connection.handedOffAt ?? 0)}.</p>
        </Show>
        <button type="button" class="button" onClick={() => void exportNow()}>
          {props.connection.handedOffAt === null ? "Export for a server" : "Show the export again"}
        </button>
        <ProblemAlert message={error()} />
        <Show when={handoff()}>
          {(h) => (
            <>
              <For
                each={
                  [
                    ["env", ".env lines", h().env],
                    ["json", "JSON", h().json],
                    ["curl", "curl refresh command", h().curl],
                  ] as const
                }
              >
                {([key, label, text]) => (
                  <div class="token-field">
                    <div class="token-head">
                      <span class="token-label">{label}</span>
                      <CopyButton value={text} label={label} />
                    </div>
                    {/* Focusable: a long export scrolls, and keyboard users must be able to scroll it. */}
                    <pre class="http" data-testid={`handoff-${key}`} tabindex="0">
                      <SecretText text={text} secrets={knownSecrets(props.connection)} />
                    </pre>
                  </div>
                )}
              </For>
            </>
          )}
        </Show>
      </section>
    </Show>
  );
}
