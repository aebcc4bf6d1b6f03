import { For, Show } from "solid-js";
import { API_CALL_METHODS, type ApiDraft, isReadOnly, takesBody } from "../../../oauth/api-call.ts";
import type { ApiSample } from "../../../providers/types.ts";
import type { ApiCallMethod } from "../../../relay/contract.ts";

/** A sample as the editor offers it: what it asks, and what it still needs, if anything. */
export interface OfferedSample {
  readonly sample: ApiSample;
  /** Why it cannot be sent yet ("needs the first business's account id: send … first"), or null. */
  readonly waiting: string | null;
}

/**
 * The request editor: the recipe's samples one click away, then method, URL, headers and (for methods
 * that take one) a body. Controlled: the panel holds the draft.
 */
export function TryApiEditor(props: {
  draft: ApiDraft;
  samples: readonly OfferedSample[];
  onChange: (draft: ApiDraft) => void;
  onSample: (sample: ApiSample) => void;
}) {
  const set = (patch: Partial<ApiDraft>) => props.onChange({ ...props.draft, ...patch });
  return (
    <div class="api-editor">
      <Show when={props.samples.length > 0}>
        <fieldset class="api-samples">
          <legend>Sample requests (read-only)</legend>
          <ul>
            <For each={props.samples}>
              {(offered) => (
                <li>
                  <button type="button" class="button" onClick={() => props.onSample(offered.sample)}>
                    {offered.sample.method} {offered.sample.label}
                  </button>{" "}
                  <span class="muted">
                    {offered.sample.note}{" "}
                    <a href={offered.sample.source} target="_blank" rel="noreferrer noopener">
                      documentation
                    </a>
                  </span>
                  <Show when={offered.waiting}>
                    {(waiting) => <span class="api-waiting"> {waiting()}</span>}
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </fieldset>
      </Show>
      <div class="api-line">
        <label class="field api-method">
          <span>Method</span>
          <select
            value={props.draft.method}
            onChange={(e) => set({ method: e.currentTarget.value as ApiCallMethod })}
            aria-describedby="api-method-note"
          >
            <For each={API_CALL_METHODS}>{(method) => <option value={method}>{method}</option>}</For>
          </select>
        </label>
        <label class="field api-url">
          <span>URL</span>
          <input
            type="url"
            value={props.draft.url}
            spellcheck={false}
            autocomplete="off"
            onInput={(e) => set({ url: e.currentTarget.value })}
          />
        </label>
      </div>
      <p id="api-method-note" class="muted" data-testid="api-method-note">
        {isReadOnly(props.draft.method)
          ? `${props.draft.method} only reads: nothing changes at the provider.`
          : `${props.draft.method} may change data at the provider: you will be asked before it is sent.`}
      </p>
      <label class="field api-text">
        <span>Headers, one "Name: value" per line (the relay adds Authorization itself)</span>
        <textarea
          rows="3"
          spellcheck={false}
          value={props.draft.headers}
          onInput={(e) => set({ headers: e.currentTarget.value })}
        />
      </label>
      <Show when={takesBody(props.draft.method)}>
        <label class="field api-text">
          <span>Body (JSON is checked before sending when Content-Type says JSON)</span>
          <textarea
            rows="6"
            spellcheck={false}
            value={props.draft.body}
            onInput={(e) => set({ body: e.currentTarget.value })}
          />
        </label>
      </Show>
    </div>
  );
}
