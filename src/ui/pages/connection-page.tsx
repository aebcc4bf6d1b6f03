import { A, useNavigate, useParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import type { Connection } from "../../store/records.ts";
import { connectionStatus, STATUS_TEXT } from "../../store/status.ts";
import { Countdown } from "../components/countdown.tsx";
import { formatInstant, formatTime } from "../components/format.ts";
import { HttpExchange } from "../components/http-exchange.tsx";
import { TokenField } from "../components/token-field.tsx";
import { useAppState } from "../state/app-state.tsx";
import { useClock } from "../state/clock.ts";

function CodeStep(props: { connection: Connection; busy: boolean; onExchange: () => void }) {
  const now = useClock();
  return (
    <Show when={props.connection.authorization}>
      {(code) => (
        <section aria-labelledby="code-heading" class="card">
          <h3 id="code-heading">Authorization code</h3>
          <TokenField label="Authorization code" value={code().code} testId="code">
            <Countdown
              label="Code expires"
              expiresAt={code().expiresAt}
              now={now()}
              none="lifetime not known"
            />
          </TokenField>
          <Show
            when={code().exchangeStartedAt === null}
            fallback={
              <p class="muted">
                Sent for exchange at {formatTime(code().exchangeStartedAt ?? 0)}; a code works once.
              </p>
            }
          >
            <button
              type="button"
              class="button primary"
              disabled={props.busy}
              onClick={() => props.onExchange()}
            >
              Exchange
            </button>
          </Show>
        </section>
      )}
    </Show>
  );
}

function TokenSetView(props: { connection: Connection; busy: boolean; onRefresh: () => void }) {
  const now = useClock();
  return (
    <Show when={props.connection.tokenSet}>
      {(tokens) => (
        <section aria-labelledby="tokens-heading" class="card">
          <h3 id="tokens-heading">Token set</h3>
          <p class="muted">
            Received {formatInstant(tokens().receivedAt)} · type {tokens().tokenType}
            <Show when={tokens().scope !== null}> · scope "{tokens().scope}"</Show>
          </p>
          <TokenField label="Access token" value={tokens().accessToken} testId="access-token">
            <Countdown label="Access token expires" expiresAt={tokens().accessExpiresAt} now={now()} />
          </TokenField>
          <Show
            when={tokens().refreshToken}
            fallback={<p>No refresh token: when the access token expires, authorize again.</p>}
          >
            {(refresh) => (
              <TokenField label="Refresh token" value={refresh()} testId="refresh-token">
                <Countdown label="Refresh token expires" expiresAt={tokens().refreshExpiresAt} now={now()} />
                <Show when={props.connection.refreshTokenStatus !== "active"}>
                  <span class={`status status-${props.connection.refreshTokenStatus}`}>
                    {props.connection.refreshTokenStatus === "dead"
                      ? "refused by the provider"
                      : "state unknown"}
                  </span>
                </Show>
              </TokenField>
            )}
          </Show>
          <Show when={tokens().idToken}>
            {(id) => <TokenField label="ID token" value={id()} testId="id-token" />}
          </Show>
          <Show when={tokens().refreshToken !== null}>
            <button
              type="button"
              class="button primary"
              disabled={props.busy || props.connection.refreshTokenStatus === "dead"}
              onClick={() => props.onRefresh()}
            >
              Refresh
            </button>
          </Show>
        </section>
      )}
    </Show>
  );
}

function History(props: { connection: Connection }) {
  const [, actions] = useAppState();
  const [events] = createResource(
    () => ({ id: props.connection.id, revision: props.connection.revision }),
    (key) => actions.events(key.id),
  );
  return (
    <section aria-labelledby="history-heading">
      <h3 id="history-heading">History</h3>
      <ol class="history" data-testid="history">
        <For each={events()}>
          {(event) => (
            <li class={`event event-${event.type}`}>
              <time datetime={new Date(event.at).toISOString()} title={formatInstant(event.at)}>
                {formatTime(event.at)}
              </time>{" "}
              <strong>{event.type}</strong> {event.summary}
              <Show when={event.exchange}>
                {(exchange) => (
                  <details>
                    <summary>HTTP exchange (tokens shown as fingerprints)</summary>
                    <HttpExchange sent={exchange().sent} upstream={exchange().upstream} ms={exchange().ms} />
                  </details>
                )}
              </Show>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}

export function ConnectionPage() {
  const params = useParams<{ id: string }>();
  const [state, actions] = useAppState();
  const navigate = useNavigate();
  const now = useClock();
  const connection = createMemo(() => state.connections.find((c) => c.id === params.id));
  const [busy, setBusy] = createSignal(false);
  const [notice, setNotice] = createSignal<string | null>(null);

  const run = async (step: () => Promise<{ kind: string; message?: string }>) => {
    setBusy(true);
    setNotice(null);
    try {
      const outcome = await step();
      if (outcome.kind === "not_sent" && outcome.message) setNotice(outcome.message);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  const forget = async (c: Connection) => {
    if (!window.confirm(`Forget "${c.name}"? Its tokens and history are deleted from this browser for good.`))
      return;
    await actions.forget(c.id);
    navigate("/", { replace: true });
  };

  return (
    <Show
      when={connection()}
      fallback={
        <Show when={state.connectionsLoaded} fallback={<p>Loading…</p>}>
          <section>
            <h2>No such connection</h2>
            <p>
              It may have been forgotten in another tab. <A href="/">Back to the connections</A>.
            </p>
          </section>
        </Show>
      }
    >
      {(c) => (
        <article aria-labelledby="connection-heading">
          <h2 id="connection-heading">{c().name}</h2>
          <p>
            <span class={`status status-${connectionStatus(c(), now())}`} data-testid="status">
              {STATUS_TEXT[connectionStatus(c(), now())]}
            </span>{" "}
            <span class="muted">
              client {c().clientId} · provider {c().provider}
            </span>
          </p>
          <Show when={notice()}>
            {(message) => (
              <p class="problem" role="alert">
                {message()}
              </p>
            )}
          </Show>
          <Show when={c().problem}>
            {(problem) => (
              <div class="problem" role="alert" data-testid="problem">
                <h3>{problem().title}</h3>
                <p>{problem().detail}</p>
                <p>
                  <strong>Next:</strong> {problem().next}
                </p>
              </div>
            )}
          </Show>
          <Show when={c().tokenSet === null}>
            <CodeStep
              connection={c()}
              busy={busy()}
              onExchange={() => void run(() => actions.exchange(c().id))}
            />
          </Show>
          <TokenSetView
            connection={c()}
            busy={busy()}
            onRefresh={() => void run(() => actions.refresh(c().id))}
          />
          <Show when={c().lastExchange}>
            {(last) => (
              <section aria-labelledby="last-heading" class="card">
                <h3 id="last-heading">
                  Last exchange · {last().grantType === "authorization_code" ? "code exchange" : "refresh"} ·{" "}
                  {formatTime(last().at)}
                </h3>
                <Show when={last().relayError}>
                  {(e) => (
                    <p class="muted">
                      Relay: {e().status ?? "no answer"} {e().error}: {e().description}
                    </p>
                  )}
                </Show>
                <HttpExchange
                  sent={last().envelope?.sent ?? last().sent}
                  upstream={last().envelope?.upstream ?? null}
                  ms={last().envelope?.ms}
                />
              </section>
            )}
          </Show>
          <History connection={c()} />
          <p>
            <button type="button" class="button danger" onClick={() => void forget(c())}>
              Forget this connection
            </button>
          </p>
        </article>
      )}
    </Show>
  );
}
