import { Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { Countdown } from "../../components/countdown.tsx";
import { formatDuration, formatTime } from "../../components/format.ts";
import { TokenField } from "../../components/token-field.tsx";
import { useClock } from "../../state/clock.ts";

/** RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED." */
const RFC_CODE_LIFETIME_MS = 10 * 60_000;

/** For a code whose provider states no lifetime: what the RFC advises, against this code's age. */
function UnknownCodeLifetime(props: { receivedAt: number; now: number }) {
  const left = () => props.receivedAt + RFC_CODE_LIFETIME_MS - props.now;
  return (
    <p class="muted" data-testid="code-lifetime-advice">
      The provider states no lifetime for its codes. RFC 6749 §4.1.2 advises that codes live at most 10
      minutes
      {left() > 0
        ? `: exchange this one within ${formatDuration(left())}.`
        : `; this one is older than that, so it has most likely expired. If the exchange fails with invalid_grant, authorize again.`}
    </p>
  );
}

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
              receivedAt={code().receivedAt}
            />
          </TokenField>
          <Show when={code().expiresAt === null && code().exchangeStartedAt === null}>
            <UnknownCodeLifetime receivedAt={code().receivedAt} now={now()} />
          </Show>
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
