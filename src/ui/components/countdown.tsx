import { Show } from "solid-js";
import { formatDuration, formatInstant } from "./format.ts";

/**
 * Time left until `expiresAt`, from the shared clock. Always `expiresAt - now`, so a tab that slept
 * shows the truth as soon as it wakes.
 */
export function Countdown(props: { expiresAt: number | null; now: number; label: string; none?: string }) {
  const left = () => (props.expiresAt === null ? null : props.expiresAt - props.now);
  return (
    <Show
      when={props.expiresAt !== null}
      fallback={<span class="countdown none">{props.none ?? "no expiry stated"}</span>}
    >
      <time
        class="countdown"
        classList={{ expired: (left() ?? 0) <= 0, soon: (left() ?? 0) > 0 && (left() ?? 0) < 60_000 }}
        datetime={new Date(props.expiresAt ?? 0).toISOString()}
        title={`${props.label}: ${formatInstant(props.expiresAt ?? 0)}`}
        tabindex="0"
      >
        {(left() ?? 0) > 0
          ? `expires in ${formatDuration(left() ?? 0)}`
          : `expired ${formatDuration(left() ?? 0)} ago`}
      </time>
    </Show>
  );
}
