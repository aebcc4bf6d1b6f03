import { Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { formatTime } from "../../components/format.ts";
import { HttpExchange } from "../../components/http-exchange.tsx";
import { knownSecrets } from "./known-secrets.ts";

/** The last token request as the relay sent it and the provider's raw answer. */
export function LastExchange(props: { connection: Connection }) {
  return (
    <Show when={props.connection.lastExchange}>
      {(last) => (
        <section aria-labelledby="last-heading" class="card">
          <h3 id="last-heading">
            Last exchange · {last().grantType === "authorization_code" ? "code exchange" : "refresh"} ·{" "}
            {formatTime(last().at)}
          </h3>
          <Show when={last().relayError}>
            {(e) => (
              <p class="muted">
                Relay: {e().status ?? "no answer"} {e().error}: {e().description}
              </p>
            )}
          </Show>
          <HttpExchange
            sent={last().envelope?.sent ?? last().sent}
            upstream={last().envelope?.upstream ?? null}
            ms={last().envelope?.ms}
            secrets={knownSecrets(props.connection)}
          />
        </section>
      )}
    </Show>
  );
}
