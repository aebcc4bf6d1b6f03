import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import {
  type CauseContext,
  FAILURE_KINDS,
  FAILURE_NAMES,
  type FailureKind,
  rankCauses,
} from "../../../oauth/causes.ts";
import { CausesView } from "../../components/causes-view.tsx";

export type Grant = "authorization_code" | "refresh_token";

export const STATE_WORDS = {
  spent: "Most likely spent",
  expired: "Expired",
  "probably-usable": "Probably still usable",
  unknown: "Unknown without spending it",
} as const;

/** The failure to explain and the grant it happened on, chosen by the support user. */
export function Explainer(props: {
  context: (grant: Grant) => CauseContext | null;
  kind: FailureKind | null;
  grant: Grant;
  /** What the failure came from, shown above the choice ("the last exchange", "the pasted answer"). */
  source: string | null;
}) {
  const [kind, setKind] = createSignal<FailureKind | null>(props.kind);
  const [grant, setGrant] = createSignal<Grant>(props.grant);
  // A new paste or bundle brings its own failure: follow it, while the user may still change both.
  createEffect(
    on([() => props.kind, () => props.grant], ([k, g]) => {
      setKind(k);
      setGrant(g);
    }),
  );
  const causes = createMemo(() => {
    const k = kind();
    const ctx = props.context(grant());
    return k === null || ctx === null ? null : rankCauses(k, ctx);
  });
  return (
    <section aria-labelledby="explain-heading" class="card">
      <h3 id="explain-heading">Explain a failure</h3>
      <p class="muted">
        Ranked from what this page knows locally; nothing is sent.
        <Show when={props.source}>{(source) => <> Failure read from {source()}.</>}</Show>
      </p>
      <div class="actions">
        <label class="field">
          <span>What the provider answered</span>
          <select
            value={kind() ?? ""}
            onChange={(e) => setKind((e.currentTarget.value || null) as FailureKind | null)}
          >
            <option value="">Choose the failure…</option>
            <For each={FAILURE_KINDS}>{(k) => <option value={k}>{FAILURE_NAMES[k]}</option>}</For>
            <Show when={props.kind === "other"}>
              <option value="other">{FAILURE_NAMES.other}</option>
            </Show>
          </select>
        </label>
        <fieldset class="inline-field">
          <legend>On</legend>
          <label class="inline-field">
            <input
              type="radio"
              name="explain-grant"
              checked={grant() === "refresh_token"}
              onChange={() => setGrant("refresh_token")}
            />
            a refresh
          </label>
          <label class="inline-field">
            <input
              type="radio"
              name="explain-grant"
              checked={grant() === "authorization_code"}
              onChange={() => setGrant("authorization_code")}
            />
            a code exchange
          </label>
        </fieldset>
      </div>
      <Show when={causes()}>{(list) => <CausesView causes={list()} />}</Show>
    </section>
  );
}
