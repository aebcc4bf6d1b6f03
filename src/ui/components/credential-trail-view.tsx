import { For, Show } from "solid-js";
import { CREDENTIAL_NAMES, CREDENTIALS, type Holder, type TrailRow } from "../../store/credential-trail.ts";
import { formatTime } from "./format.ts";

function Holders(props: { holders: readonly Holder[] }) {
  return (
    <Show when={props.holders.length > 0} fallback={<span class="muted">not involved</span>}>
      <For each={props.holders}>
        {(h, i) => (
          <>
            {i() > 0 ? ", " : ""}
            {h.host} <span class="muted">({h.role})</span>
          </>
        )}
      </For>
    </Show>
  );
}

/**
 * "Where did my credentials go": one entry per step of the history, naming for each credential the
 * hosts that saw it. A list of steps rather than a table, so it reads the same on a phone.
 */
export function CredentialTrailView(props: { rows: readonly TrailRow[] }) {
  return (
    <Show
      when={props.rows.length > 0}
      fallback={<p class="muted">No step of this history moved a credential yet.</p>}
    >
      <ol class="trail" data-testid="credential-trail">
        <For each={props.rows}>
          {(row) => (
            <li>
              <p>
                <time datetime={new Date(row.at).toISOString()}>{formatTime(row.at)}</time>{" "}
                <strong class="trail-step">{row.step}</strong>
              </p>
              <dl class="facts">
                <For each={CREDENTIALS}>
                  {(c) => (
                    <>
                      <dt>{CREDENTIAL_NAMES[c]}</dt>
                      <dd data-credential={c}>
                        <Holders holders={row.seen[c]} />
                      </dd>
                    </>
                  )}
                </For>
              </dl>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
