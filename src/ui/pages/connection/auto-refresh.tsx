import { createSignal, Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { formatInstant } from "../../components/format.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { useClock } from "../../state/clock.ts";

export function AutoRefreshSettings(props: { connection: Connection }) {
  const [, actions] = useAppState();
  const now = useClock();
  const [error, setError] = createSignal<string | null>(null);
  const save = async (autoRefresh: boolean, lead: number) => {
    setError(null);
    try {
      await actions.setAutoRefresh(props.connection.id, { autoRefresh, autoRefreshLeadSeconds: lead });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const next = () => {
    now();
    return actions.nextAutoRefresh(props.connection.id);
  };
  return (
    <section aria-labelledby="auto-heading" class="card">
      <h3 id="auto-heading">Automatic refresh</h3>
      <div class="actions">
        <label class="inline-field">
          <input
            type="checkbox"
            checked={props.connection.settings.autoRefresh}
            disabled={props.connection.handedOffAt !== null}
            onChange={(e) =>
              void save(e.currentTarget.checked, props.connection.settings.autoRefreshLeadSeconds)
            }
          />
          Refresh automatically
        </label>
        <label class="inline-field">
          <input
            type="number"
            min="5"
            step="5"
            value={props.connection.settings.autoRefreshLeadSeconds}
            onChange={(e) => void save(props.connection.settings.autoRefresh, Number(e.currentTarget.value))}
          />
          seconds before the access token expires
        </label>
      </div>
      <Show when={props.connection.handedOffAt !== null}>
        <p class="muted">Off: this connection was handed off to a server, which now refreshes it.</p>
      </Show>
      <Show when={props.connection.settings.autoRefresh && next()}>
        {(at) => (
          <p class="muted" data-testid="next-auto-refresh">
            Next automatic refresh at {formatInstant(at())}.
          </p>
        )}
      </Show>
      <ProblemAlert message={error()} />
    </section>
  );
}
