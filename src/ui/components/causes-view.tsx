import { For, Show } from "solid-js";
import type { Evidence, RankedCause } from "../../oauth/causes.ts";

function label(e: Evidence): string {
  return e.background ? "Known" : e.supports ? "Points to it" : "Points away";
}

/** The explainer's ranked causes, likeliest first, each with the local evidence for and against it. */
export function CausesView(props: { causes: readonly RankedCause[] }) {
  return (
    <Show
      when={props.causes.length > 0}
      fallback={
        <p class="muted" data-testid="no-causes">
          No ranked causes for this answer: read the provider's description and its documentation.
        </p>
      }
    >
      <ol class="causes" aria-label="Likely causes, likeliest first" data-testid="causes">
        <For each={props.causes}>
          {(cause) => (
            <li data-cause={cause.id}>
              <strong class="cause-title">{cause.title}</strong>
              <Show
                when={cause.evidence.length > 0}
                fallback={
                  <p class="muted">Nothing here points to it or away from it: ranked by how common it is.</p>
                }
              >
                <ul class="evidence">
                  <For each={cause.evidence}>
                    {(e) => (
                      <li classList={{ for: e.supports && !e.background, against: !e.supports }}>
                        <span class="evidence-label">{label(e)}:</span> {e.text}
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
              <p>
                <strong>Next:</strong> {cause.next}
              </p>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
