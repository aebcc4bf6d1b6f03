import { createMemo, For, Show } from "solid-js";
import { secretValuesIn } from "../../oauth/secrets.ts";
import type { SentRequest, UpstreamResponse } from "../../relay/contract.ts";
import { SecretText } from "./secret-values.tsx";

function pretty(body: string, contentType: string | undefined): string {
  if (contentType?.includes("json") || body.trimStart().startsWith("{")) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

function Headers(props: { headers: Readonly<Record<string, string>>; secrets: readonly string[] }) {
  return (
    <For each={Object.entries(props.headers)}>
      {([name, value]) => (
        <div class="header-line">
          <span class="header-name">{name}:</span> <SecretText text={value} secrets={props.secrets} />
        </div>
      )}
    </For>
  );
}

/**
 * One HTTP exchange as it happened: the request as sent and the provider's raw answer. Codes,
 * verifiers and tokens in it (credential fields of either body, `Authorization` headers, and any of
 * `secrets` the caller knows of) are masked until the page's "Show values" switch is on.
 */
export function HttpExchange(props: {
  sent: SentRequest | null;
  upstream: UpstreamResponse | null;
  ms?: number | undefined;
  title?: string;
  /** Values known to be credentials (the connection's tokens), masked wherever they appear. */
  secrets?: readonly string[];
}) {
  const secrets = createMemo(() => [
    ...(props.secrets ?? []),
    ...secretValuesIn([props.sent, props.upstream]),
  ]);
  return (
    <div class="exchange">
      <Show when={props.sent}>
        {(sent) => (
          <div class="exchange-part">
            <h4>Request{props.title ? ` · ${props.title}` : ""}</h4>
            <pre class="http" data-testid="sent-request">
              <span class="request-line">
                {sent().method} <SecretText text={sent().url} secrets={secrets()} />
              </span>
              {"\n"}
              <Headers headers={sent().headers} secrets={secrets()} />
              {"\n"}
              <SecretText
                text={pretty(sent().body, sent().headers["content-type"] ?? sent().headers["Content-Type"])}
                secrets={secrets()}
              />
            </pre>
          </div>
        )}
      </Show>
      <Show when={props.upstream} fallback={<p class="muted">No answer from the provider.</p>}>
        {(upstream) => (
          <div class="exchange-part">
            <h4>
              Response · {upstream().status}
              <Show when={props.ms !== undefined}> · {props.ms} ms</Show>
            </h4>
            <pre class="http" data-testid="upstream-response">
              <Headers headers={upstream().headers} secrets={secrets()} />
              {"\n"}
              <SecretText
                text={pretty(upstream().body, upstream().headers["content-type"])}
                secrets={secrets()}
              />
            </pre>
          </div>
        )}
      </Show>
    </div>
  );
}
