import { createMemo, Show } from "solid-js";
import { type CountdownBand, countdownBand, formatDuration, formatInstant } from "./format.ts";

const BAND_WORDS: Readonly<Record<CountdownBand, string>> = {
  ok: "valid",
  soon: "expires soon",
  expired: "has expired",
};

/**
 * Time left until `expiresAt`, from the shared clock. Always `expiresAt - now`, so a tab that slept
 * shows the truth as soon as it wakes. The visible text changes every second; screen readers are
 * told only when the band changes (valid → expires soon → has expired). Without an expiry, the age
 * counts up from `receivedAt` instead: how old a thing is tells what its lifetime cannot.
 */
export function Countdown(props: {
  expiresAt: number | null;
  now: number;
  label: string;
  /** When the thing was issued, to judge what "soon" means for its lifetime. */
  issuedAt?: number | null;
  none?: string;
  /** When it was received; shown as an age counting up when no expiry is known. */
  receivedAt?: number | null;
}) {
  const left = () => (props.expiresAt ?? 0) - props.now;
  const lifetime = () =>
    props.issuedAt == null || props.expiresAt === null ? null : props.expiresAt - props.issuedAt;
  const band = createMemo(() => countdownBand(left(), lifetime()));
  // Written three times below, formatted once (a list shows a thousand of these).
  const instant = createMemo(() => formatInstant(props.expiresAt ?? 0));
  return (
    <Show
      when={props.expiresAt !== null}
      fallback={
        <span class="countdown none">
          {props.none ?? "no expiry stated"}
          {props.receivedAt == null ? "" : ` · received ${formatDuration(props.now - props.receivedAt)} ago`}
        </span>
      }
    >
      <time
        class={`countdown band-${band()}`}
        classList={{ expired: band() === "expired", soon: band() === "soon" }}
        datetime={new Date(props.expiresAt ?? 0).toISOString()}
        title={`${props.label}: ${instant()}`}
        data-instant={instant()}
        tabindex="0"
      >
        <span class="left">
          {left() > 0 ? `expires in ${formatDuration(left())}` : `expired ${formatDuration(left())} ago`}
        </span>
        <span class="sr-only">, at {instant()}</span>
      </time>
      <span class="sr-only" aria-live="polite">
        {`${props.label.replace(/ expires$/, "")} ${BAND_WORDS[band()]}`}
      </span>
    </Show>
  );
}
