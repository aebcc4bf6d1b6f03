import type { JSX } from "solid-js";
import { CopyButton } from "./copy-button.tsx";

/** A token or code: label, value (wraps, never overflows), copy button, and what to know about it. */
export function TokenField(props: { label: string; value: string; children?: JSX.Element; testId?: string }) {
  return (
    <div class="token-field">
      <div class="token-head">
        <span class="token-label">{props.label}</span>
        {props.children}
        <CopyButton value={props.value} label={props.label} />
      </div>
      <code class="token-value" data-testid={props.testId}>
        {props.value}
      </code>
    </div>
  );
}
