import { createSignal, type JSX } from "solid-js";
import { CopyButton } from "./copy-button.tsx";

/**
 * A token or code: label, value, copy button, and what to know about it. The value is masked until
 * the person asks to see it (screens get shared in incidents); copying works either way. The text
 * stays in the page, only hidden from view and from screen readers, so the layout does not jump.
 */
export function TokenField(props: { label: string; value: string; children?: JSX.Element; testId?: string }) {
  const [shown, setShown] = createSignal(false);
  return (
    <div class="token-field">
      <div class="token-head">
        <span class="token-label">{props.label}</span>
        {props.children}
        <button
          type="button"
          class="copy"
          aria-pressed={shown()}
          aria-label={`${shown() ? "Hide" : "Show"} ${props.label}`}
          onClick={() => setShown(!shown())}
        >
          {shown() ? "Hide" : "Show"}
        </button>
        <CopyButton value={props.value} label={props.label} />
      </div>
      <code
        class="token-value"
        classList={{ masked: !shown() }}
        data-testid={props.testId}
        aria-hidden={!shown()}
      >
        {props.value}
      </code>
      {shown() ? null : (
        <span class="sr-only">
          {props.label} hidden, {props.value.length} characters. Use Show to read it.
        </span>
      )}
    </div>
  );
}
