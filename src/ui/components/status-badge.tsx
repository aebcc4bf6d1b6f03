import type { ConnectionStatus } from "../../store/status.ts";
import { STATUS_TEXT } from "../../store/status.ts";

/** A shape per state, so colour is never the only signal. */
const ICON: Readonly<Record<ConnectionStatus, string>> = {
  valid: "●",
  expiring: "◐",
  expired: "○",
  dead: "✕",
  unknown: "?",
  failed: "✕",
  "awaiting-exchange": "…",
  "handed-off": "⇢",
};

/** A connection's state in words, an icon and a colour. */
export function StatusBadge(props: { status: ConnectionStatus; testId?: string }) {
  return (
    <span class={`status status-${props.status}`}>
      <span class="status-icon" aria-hidden="true">
        {ICON[props.status]}
      </span>
      <span class="status-text" data-testid={props.testId}>
        {STATUS_TEXT[props.status]}
      </span>
    </span>
  );
}
