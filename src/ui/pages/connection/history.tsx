import { For, Show } from "solid-js";
import type { ConnectionEvent } from "../../../store/records.ts";
import { historyEntryId } from "../../components/entry-ids.ts";
import { formatInstant, formatTime } from "../../components/format.ts";
import { HttpExchange } from "../../components/http-exchange.tsx";

export function History(props: { events: readonly ConnectionEvent[] | undefined }) {
  return (
    <section aria-labelledby="history-heading">
      <h3 id="history-heading">History</h3>
      <ol class="history" data-testid="history">
        <For each={props.events}>
          {(event) => (
            <li class={`event event-${event.type}`} id={historyEntryId(event.id)} tabindex="-1">
              <time datetime={new Date(event.at).toISOString()} title={formatInstant(event.at)}>
                {formatTime(event.at)}
              </time>{" "}
              <strong>{event.type}</strong> {event.summary}
              <Show when={event.exchange}>
                {(exchange) => (
                  <details>
                    <summary>HTTP exchange (tokens shown as fingerprints)</summary>
                    <HttpExchange sent={exchange().sent} upstream={exchange().upstream} ms={exchange().ms} />
                  </details>
                )}
              </Show>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
