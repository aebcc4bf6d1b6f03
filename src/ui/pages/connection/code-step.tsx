import { Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { Countdown } from "../../components/countdown.tsx";
import { formatTime } from "../../components/format.ts";
import { TokenField } from "../../components/token-field.tsx";
import { useClock } from "../../state/clock.ts";

export function CodeStep(props: { connection: Connection; busy: boolean; onExchange: () => void }) {
  const now = useClock();
  return (
    <Show when={props.connection.authorization}>
      {(code) => (
        <section aria-labelledby="code-heading" class="card">
          <h3 id="code-heading">Authorization code</h3>
          <TokenField label="Authorization code" value={code().code} testId="code">
            <Countdown
              label="Code expires"
              expiresAt={code().expiresAt}
              now={now()}
              none="lifetime not known"
            />
          </TokenField>
          <Show
            when={code().exchangeStartedAt === null}
            fallback={
              <p class="muted">
                Sent for exchange at {formatTime(code().exchangeStartedAt ?? 0)}; a code works once.
              </p>
            }
          >
            <button
              type="button"
              class="button primary"
              disabled={props.busy}
              onClick={() => props.onExchange()}
            >
              Exchange
            </button>
          </Show>
        </section>
      )}
    </Show>
  );
}
