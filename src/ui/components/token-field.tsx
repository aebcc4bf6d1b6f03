import type { JSX } from "solid-js";
import { CopyButton } from "./copy-button.tsx";
import { SecretValue } from "./secret-values.tsx";

/**
 * A token or code: label, value, copy button, and what to know about it. The value is masked until
 * the page's "Show values" switch is on (screens get shared in incidents), and then it is not in the
 * page at all, not even hidden; copying works either way.
 */
export function TokenField(props: { label: string; value: string; children?: JSX.Element; testId?: string }) {
  return (
    <div class="token-field">
      <div class="token-head">
        <span class="token-label">{props.label}</span>
        {props.children}
        <CopyButton value={props.value} label={props.label} />
      </div>
      <code class="token-value" data-testid={props.testId}>
        <SecretValue value={props.value} />
      </code>
    </div>
  );
}
