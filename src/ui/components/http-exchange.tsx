import { For, Show } from "solid-js";
import type { SentRequest, UpstreamResponse } from "../../relay/contract.ts";

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

function Headers(props: { headers: Readonly<Record<string, string>> }) {
  return (
    <For each={Object.entries(props.headers)}>
      {([name, value]) => (
        <div class="header-line">
          <span class="header-name">{name}:</span> {value}
        </div>
      )}
    </For>
  );
}

/** One HTTP exchange as it happened: the request as sent and the provider's raw answer. */
export function HttpExchange(props: {
  sent: SentRequest | null;
  upstream: UpstreamResponse | null;
  ms?: number | undefined;
  title?: string;
}) {
  return (
    <div class="exchange">
      <Show when={props.sent}>
        {(sent) => (
          <div class="exchange-part">
            <h4>Request{props.title ? ` · ${props.title}` : ""}</h4>
            <pre class="http" data-testid="sent-request">
              <span class="request-line">
                {sent().method} {sent().url}
              </span>
              {"\n"}
              <Headers headers={sent().headers} />
              {"\n"}
              {pretty(sent().body, sent().headers["content-type"] ?? sent().headers["Content-Type"])}
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
              <Headers headers={upstream().headers} />
              {"\n"}
              {pretty(upstream().body, upstream().headers["content-type"])}
            </pre>
          </div>
        )}
      </Show>
    </div>
  );
}
