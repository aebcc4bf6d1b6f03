import { For, Show } from "solid-js";
import { type DiagnosticBundle, sentOf, upstreamOf } from "../../store/bundle.ts";
import { refreshTokenRevoked } from "../../store/status.ts";
import { Countdown } from "./countdown.tsx";
import { bundleEntryId } from "./entry-ids.ts";
import { formatInstant, formatTime } from "./format.ts";
import { HttpExchange } from "./http-exchange.tsx";

/**
 * A diagnostic bundle as a reader needs it: the connection's state and its history with every HTTP
 * exchange, tokens as fingerprints. Read-only: nothing here can send anything.
 */
export function BundleView(props: { bundle: DiagnosticBundle; now: number }) {
  const c = () => props.bundle.connection;
  return (
    <>
      <dl class="facts" data-testid="bundle-facts">
        <dt>Connection</dt>
        <dd>{c().name}</dd>
        <dt>Provider · client</dt>
        <dd>
          {c().provider} · {c().clientId}
          <Show when={props.bundle.client?.environment}>{(env) => <> · {env()}</>}</Show>
        </dd>
        <dt>Refresh token state</dt>
        <dd data-testid="bundle-refresh-state">
          {c().refreshTokenStatus === "active"
            ? "believed to work"
            : c().refreshTokenStatus !== "dead"
              ? "outcome of the last refresh unknown"
              : refreshTokenRevoked(props.bundle.log.entries.map((e) => e.event))
                ? "revoked here (RFC 7009)"
                : "refused by the provider"}
        </dd>
        <Show when={c().handedOffAt !== null}>
          <dt>Handed off</dt>
          <dd>{formatInstant(c().handedOffAt ?? 0)}</dd>
        </Show>
        <Show when={c().tokenSet}>
          {(t) => (
            <>
              <dt>Tokens</dt>
              <dd>
                access {t().accessToken ?? "none"} · refresh {t().refreshToken ?? "none"}
                <Show when={t().scope !== null}> · scope "{t().scope}"</Show>
              </dd>
              <dt>Access token</dt>
              <dd>
                <Countdown label="Access token expires" expiresAt={t().accessExpiresAt} now={props.now} />
              </dd>
              <dt>Refresh token</dt>
              <dd>
                <Countdown label="Refresh token expires" expiresAt={t().refreshExpiresAt} now={props.now} />
              </dd>
            </>
          )}
        </Show>
        <Show when={c().problem}>
          {(problem) => (
            <>
              <dt>Last problem</dt>
              <dd>
                {problem().title}: {problem().detail}
              </dd>
            </>
          )}
        </Show>
        <dt>Bundle made</dt>
        <dd>{formatInstant(Date.parse(props.bundle.createdAt))}</dd>
      </dl>
      <h4>History</h4>
      <ol class="history" data-testid="bundle-history">
        <For each={props.bundle.log.entries}>
          {(entry, i) => (
            <li class={`event event-${entry.event.type}`} id={bundleEntryId(i())} tabindex="-1">
              <time datetime={entry.startedDateTime}>{formatTime(Date.parse(entry.startedDateTime))}</time>{" "}
              <strong>{entry.event.type}</strong> {entry.event.summary}
              <Show when={entry.request}>
                {(request) => (
                  <details>
                    <summary>HTTP exchange (tokens shown as fingerprints)</summary>
                    <HttpExchange
                      sent={sentOf(request())}
                      upstream={entry.response === null ? null : upstreamOf(entry.response)}
                      ms={entry.time}
                    />
                  </details>
                )}
              </Show>
            </li>
          )}
        </For>
      </ol>
    </>
  );
}
