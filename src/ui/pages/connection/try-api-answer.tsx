import { createMemo, For, Match, Show, Switch } from "solid-js";
import { answerFacts, formatBytes, isReadOnly } from "../../../oauth/api-call.ts";
import type { RelayTokenResult } from "../../../oauth/relay-client.ts";
import { secretValuesIn } from "../../../oauth/secrets.ts";
import type { ApiCallMethod, Envelope } from "../../../relay/contract.ts";
import { HttpExchange } from "../../components/http-exchange.tsx";
import { JsonTree } from "../../components/json-tree.tsx";
import { SecretText } from "../../components/secret-values.tsx";

/** What kind of answer a status is, in words beside the number. */
function statusWords(status: number): string {
  if (status >= 200 && status < 300) return "success";
  if (status >= 300 && status < 400) return "redirect, not followed";
  if (status === 401) return "the token was refused";
  if (status === 403) return "not allowed for this token";
  if (status === 429) return "rate limited";
  if (status >= 400 && status < 500) return "refused by the API";
  if (status >= 500) return "the API failed";
  return "informational";
}

function Answer(props: { envelope: Envelope; secrets: readonly string[] }) {
  const facts = createMemo(() => answerFacts(props.envelope));
  const secrets = createMemo(() => [...props.secrets, ...secretValuesIn([props.envelope.upstream])]);
  const raw = createMemo(() =>
    facts().json === undefined ? props.envelope.upstream.body : JSON.stringify(facts().json, null, 2),
  );
  const status = () => facts().status;
  return (
    <div class="api-answer" data-testid="api-answer">
      <p class="api-status">
        <strong>
          <span data-testid="api-status">{status()}</span> · {statusWords(status())}
        </strong>{" "}
        <span class="muted">
          · <span data-testid="api-time">{facts().ms} ms</span> · {formatBytes(facts().bytes)}
          <Show when={facts().contentType}>{(type) => <> · {type()}</>}</Show>
        </span>
      </p>
      <Show when={facts().truncated}>
        <p class="warning" data-testid="api-truncated">
          The answer was longer than 1 MiB: the relay read its first 1 MiB, shown below as text, and no more.
        </p>
      </Show>
      <details>
        <summary>Answer headers ({Object.keys(props.envelope.upstream.headers).length})</summary>
        <dl class="api-headers">
          <For each={Object.entries(props.envelope.upstream.headers)}>
            {([name, value]) => (
              <>
                <dt>{name}</dt>
                <dd>
                  <SecretText text={value} secrets={secrets()} />
                </dd>
              </>
            )}
          </For>
        </dl>
      </details>
      <Show
        when={props.envelope.upstream.body !== ""}
        fallback={<p class="muted">The answer has no body.</p>}
      >
        <div class={facts().json === undefined ? "api-body" : "api-body api-body-json"}>
          <Show when={facts().json !== undefined}>
            <section aria-label="Answer as a tree" class="api-tree">
              <h5>Tree</h5>
              <JsonTree value={facts().json} secrets={secrets()} label="The answer's JSON" />
            </section>
          </Show>
          <section aria-label="Answer as text" class="api-raw">
            <h5>{facts().json === undefined ? "Body" : "Raw"}</h5>
            <pre class="http" data-testid="api-body" tabindex="0">
              <SecretText text={raw()} secrets={secrets()} />
            </pre>
          </section>
        </div>
      </Show>
      <details>
        <summary>The request as the relay sent it</summary>
        <HttpExchange sent={props.envelope.sent} upstream={null} secrets={props.secrets} />
      </details>
    </div>
  );
}

/**
 * The outcome of one API call: the answer (status, time, size, headers, and the body as a JSON tree
 * beside the raw text, or as text), or why there is none. Everything from the provider is text, never
 * markup; the connection's tokens in it stay masked until "Show values".
 */
export function TryApiAnswer(props: {
  result: RelayTokenResult;
  method: ApiCallMethod;
  secrets: readonly string[];
}) {
  return (
    <section aria-labelledby="api-answer-heading" class="api-result">
      <h4 id="api-answer-heading">Answer</h4>
      <Switch>
        <Match when={props.result.kind === "envelope" && props.result}>
          {(r) => <Answer envelope={r().envelope} secrets={props.secrets} />}
        </Match>
        <Match when={props.result.kind === "refused" && props.result}>
          {(r) => (
            <p class="problem" role="alert" data-testid="api-refused">
              The relay refused the call ({r().error.error}): {r().error.error_description} Nothing was sent
              to the API.
            </p>
          )}
        </Match>
        <Match when={props.result.kind === "unknown" && props.result}>
          {(r) => (
            <p class="problem" role="alert" data-testid="api-unanswered">
              No answer ({r().error.error}): {r().error.error_description}{" "}
              {isReadOnly(props.method)
                ? `A ${props.method} changes nothing: send it again when the API answers.`
                : `The API may or may not have carried out the ${props.method}: check before sending it again.`}
            </p>
          )}
        </Match>
      </Switch>
    </section>
  );
}
