import { For, Show } from "solid-js";
import type { IntrospectionKind, IntrospectionVerdict } from "../../oauth/introspection.ts";
import type { RelayTokenResult } from "../../oauth/relay-client.ts";
import { formatDuration, formatInstant } from "./format.ts";
import { RelayExchange } from "./relay-exchange.tsx";

/** A shape per outcome, so colour is never the only signal. */
const MARK: Readonly<Record<IntrospectionKind, string>> = {
  active: "●",
  inactive: "✕",
  failed: "!",
  refused: "!",
  unanswered: "?",
};

/**
 * What an introspection (RFC 7662) came to: the verdict in words, each member of the answer with
 * what it says (instants as dates and how far off), what to do next, and the exchange as it happened.
 */
export function IntrospectionView(props: {
  verdict: IntrospectionVerdict;
  result: RelayTokenResult;
  now: number;
}) {
  return (
    <div class="introspection" data-testid="introspection-result">
      <p class={`verdict verdict-${props.verdict.kind}`} data-testid="introspection-verdict">
        <span aria-hidden="true">{MARK[props.verdict.kind]} </span>
        <strong>{props.verdict.title}.</strong> {props.verdict.detail}
      </p>
      <p>
        <strong>Next:</strong> {props.verdict.next}
      </p>
      <Show when={props.verdict.claims.length > 0}>
        <h4>What the answer says</h4>
        <dl class="facts claims" data-testid="introspection-claims">
          <For each={props.verdict.claims}>
            {(claim) => (
              <>
                <dt>
                  <code>{claim.name}</code>
                </dt>
                <dd data-testid={`introspection-claim-${claim.name}`}>
                  <Show when={claim.at} fallback={<span class="claim-value">{claim.value}</span>}>
                    {(at) => (
                      <>
                        <time datetime={new Date(at()).toISOString()}>{formatInstant(at())}</time>{" "}
                        <span class="muted">
                          (
                          {at() <= props.now
                            ? `${formatDuration(props.now - at())} ago`
                            : `in ${formatDuration(at() - props.now)}`}
                          )
                        </span>
                      </>
                    )}
                  </Show>
                  <span class="claim-meaning muted">{claim.meaning}</span>
                </dd>
              </>
            )}
          </For>
        </dl>
      </Show>
      <RelayExchange result={props.result} title="introspection" />
    </div>
  );
}
