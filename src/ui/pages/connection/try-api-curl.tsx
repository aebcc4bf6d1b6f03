import { createMemo, createSignal, Show } from "solid-js";
import { curlCommand } from "../../../oauth/api-call.ts";
import type { ApiCallMethod } from "../../../relay/contract.ts";
import { CopyButton } from "../../components/copy-button.tsx";
import { SecretText } from "../../components/secret-values.tsx";

/**
 * "Copy as curl": the request as a command for a terminal or a server's tests, with the token as
 * `$ACCESS_TOKEN` unless the person chooses, explicitly, to put the real one in the copy.
 */
export function TryApiCurl(props: {
  request: {
    readonly method: ApiCallMethod;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string | null;
  } | null;
  token: string | null;
  secrets: readonly string[];
}) {
  const [withToken, setWithToken] = createSignal(false);
  const command = createMemo(() => {
    const request = props.request;
    if (request === null) return null;
    return curlCommand(request, withToken() ? props.token : null);
  });
  return (
    <Show when={command()}>
      {(text) => (
        <div class="api-curl">
          <p class="actions">
            <CopyButton value={text()} label="as curl" />
            <Show when={props.token !== null}>
              <label class="inline-field">
                <input
                  type="checkbox"
                  checked={withToken()}
                  onChange={(e) => setWithToken(e.currentTarget.checked)}
                />
                Put the real access token in the copy
              </label>
            </Show>
          </p>
          <Show
            when={withToken()}
            fallback={
              <p class="muted">
                The copy says $ACCESS_TOKEN where the token goes: set it in your shell (export
                ACCESS_TOKEN=…).
              </p>
            }
          >
            <p class="warning" role="status">
              The copy holds this connection's live access token: whoever has it can act as the authorizing
              user until it expires. Paste it only where you would paste the token itself.
            </p>
          </Show>
          <details>
            <summary>The curl command</summary>
            <pre class="http" data-testid="api-curl" tabindex="0">
              <SecretText text={text()} secrets={props.secrets} />
            </pre>
          </details>
        </div>
      )}
    </Show>
  );
}
