import { A, useNavigate, useParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import type { Handoff } from "../../oauth/handoff.ts";
import type { RevocationTokenType } from "../../relay/contract.ts";
import type { Connection, ConnectionEvent } from "../../store/records.ts";
import { connectionStatus, refreshTokenRevoked } from "../../store/status.ts";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { CopyButton } from "../components/copy-button.tsx";
import { Countdown } from "../components/countdown.tsx";
import { formatHost, formatInstant, formatTime } from "../components/format.ts";
import { HttpExchange } from "../components/http-exchange.tsx";
import { ProblemAlert } from "../components/problem-alert.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { TokenField } from "../components/token-field.tsx";
import { useAppState } from "../state/app-state.tsx";
import { useClock } from "../state/clock.ts";
import { ProviderDetails } from "./provider-details.tsx";

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

function RefreshButton(props: {
  connection: Connection;
  busy: boolean;
  onRefresh: (confirmed: boolean) => void;
}) {
  const [, actions] = useAppState();
  const [asking, setAsking] = createSignal(false);
  const needsConfirmation = () => {
    if (props.connection.handedOffAt === null) return false;
    return actions.recipeFor(props.connection).refreshPolicy !== "reusable";
  };
  return (
    <>
      <Show when={asking()}>
        <ConfirmDialog
          id="confirm-refresh"
          title="Refresh a handed-off token?"
          confirm="Refresh anyway"
          onConfirm={() => {
            setAsking(false);
            props.onRefresh(true);
          }}
          onCancel={() => setAsking(false)}
        >
          This refresh token was handed off to a server at {formatTime(props.connection.handedOffAt ?? 0)}.
          Refreshing here replaces it: the copy your server holds stops working, and the server must be given
          the new one.
        </ConfirmDialog>
      </Show>
      <button
        type="button"
        class="button primary"
        disabled={props.busy || props.connection.refreshTokenStatus === "dead" || asking()}
        onClick={() => (needsConfirmation() ? setAsking(true) : props.onRefresh(false))}
      >
        Refresh
      </button>
    </>
  );
}

function TokenSetView(props: {
  connection: Connection;
  /** Whether this connection's refresh token was revoked here (rather than refused by the provider). */
  refreshRevoked: boolean;
  busy: boolean;
  onRefresh: (confirmed: boolean) => void;
}) {
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
          <Show
            when={tokens().accessToken}
            fallback={<p>No access token (none was imported, or it was revoked): refresh to get one.</p>}
          >
            {(access) => (
              <TokenField label="Access token" value={access()} testId="access-token">
                <Countdown
                  label="Access token expires"
                  expiresAt={tokens().accessExpiresAt}
                  issuedAt={tokens().receivedAt}
                  now={now()}
                />
              </TokenField>
            )}
          </Show>
          <Show
            when={tokens().refreshToken}
            fallback={<p>No refresh token: when the access token expires, authorize again.</p>}
          >
            {(refresh) => (
              <TokenField label="Refresh token" value={refresh()} testId="refresh-token">
                <Countdown
                  label="Refresh token expires"
                  expiresAt={tokens().refreshExpiresAt}
                  issuedAt={tokens().refreshReceivedAt}
                  now={now()}
                />
                <Show when={props.connection.refreshTokenStatus !== "active"}>
                  <span class={`status status-${props.connection.refreshTokenStatus}`}>
                    {props.connection.refreshTokenStatus !== "dead"
                      ? "state unknown"
                      : props.refreshRevoked
                        ? "revoked"
                        : "refused by the provider"}
                  </span>
                </Show>
              </TokenField>
            )}
          </Show>
          <Show when={tokens().idToken}>
            {(id) => <TokenField label="ID token" value={id()} testId="id-token" />}
          </Show>
          <Show when={tokens().refreshToken !== null}>
            <RefreshButton connection={props.connection} busy={props.busy} onRefresh={props.onRefresh} />
          </Show>
        </section>
      )}
    </Show>
  );
}

/**
 * Revocation (RFC 7009), a spending action: each button names what it ends, and asks first. Offered
 * when the relay lists a revocation endpoint for the connection's client; otherwise it says so.
 */
function Revoke(props: {
  connection: Connection;
  busy: boolean;
  onRevoke: (which: RevocationTokenType) => void;
}) {
  const [state, actions] = useAppState();
  const [asking, setAsking] = createSignal<RevocationTokenType | null>(null);
  const client = () => state.clients?.find((c) => c.id === props.connection.clientId);
  const recipe = () => actions.recipeFor(props.connection);
  const host = () => formatHost(client()?.revocation_endpoint);
  const tokens = () => props.connection.tokenSet;
  const handedOff = () => props.connection.handedOffAt;
  return (
    <Show when={client() && (tokens()?.refreshToken || tokens()?.accessToken)}>
      <section aria-labelledby="revoke-heading" class="card">
        <h3 id="revoke-heading">Revoke</h3>
        <Show
          when={host()}
          fallback={
            <p>
              {recipe().name} has no revocation endpoint tokendesk knows: to end these tokens, remove the
              app's access in the provider's account settings.
            </p>
          }
        >
          {(where) => (
            <>
              <p>
                Revoking (RFC 7009) asks {where()} to end a token now; it cannot be undone. A revoked refresh
                token stops working everywhere, a server's copy too
                {recipe().refreshPolicy === "reusable"
                  ? "."
                  : `: ${recipe().name} refresh tokens are ${recipe().refreshPolicy}, so there is only ever one that works.`}
              </p>
              <Show when={asking()}>
                {(which) => (
                  <ConfirmDialog
                    id="confirm-revoke"
                    title={
                      which() === "refresh_token" ? "Revoke the refresh token?" : "Revoke the access token?"
                    }
                    confirm={which() === "refresh_token" ? "Revoke it for good" : "Revoke the access token"}
                    onConfirm={() => {
                      // Read before closing: the dialog's value is gone once it is.
                      const chosen = which();
                      setAsking(null);
                      props.onRevoke(chosen);
                    }}
                    onCancel={() => setAsking(null)}
                  >
                    {which() === "refresh_token"
                      ? `The provider ends this refresh token, and usually the access tokens issued with it; some providers end the whole grant. Nothing can refresh it again: you will have to authorize again.${handedOff() === null ? "" : ` It was handed off to a server at ${formatTime(handedOff() ?? 0)}: the server's copy stops working too.`}`
                      : "The provider ends this access token now, and calls made with it fail. Some providers end the refresh token with it (RFC 7009 §2.1 allows it)."}
                  </ConfirmDialog>
                )}
              </Show>
              <div class="actions">
                <Show when={tokens()?.refreshToken}>
                  <button
                    type="button"
                    class="button danger"
                    disabled={
                      props.busy || props.connection.refreshTokenStatus === "dead" || asking() !== null
                    }
                    onClick={() => setAsking("refresh_token")}
                  >
                    Revoke the refresh token (ends it for good)
                  </button>
                </Show>
                <Show when={tokens()?.accessToken}>
                  <button
                    type="button"
                    class="button danger"
                    disabled={props.busy || asking() !== null}
                    onClick={() => setAsking("access_token")}
                  >
                    Revoke the access token (ends it now)
                  </button>
                </Show>
              </div>
            </>
          )}
        </Show>
      </section>
    </Show>
  );
}

function AutoRefreshSettings(props: { connection: Connection }) {
  const [, actions] = useAppState();
  const now = useClock();
  const [error, setError] = createSignal<string | null>(null);
  const save = async (autoRefresh: boolean, lead: number) => {
    setError(null);
    try {
      await actions.setAutoRefresh(props.connection.id, { autoRefresh, autoRefreshLeadSeconds: lead });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const next = () => {
    now();
    return actions.nextAutoRefresh(props.connection.id);
  };
  return (
    <section aria-labelledby="auto-heading" class="card">
      <h3 id="auto-heading">Automatic refresh</h3>
      <div class="actions">
        <label class="inline-field">
          <input
            type="checkbox"
            checked={props.connection.settings.autoRefresh}
            disabled={props.connection.handedOffAt !== null}
            onChange={(e) =>
              void save(e.currentTarget.checked, props.connection.settings.autoRefreshLeadSeconds)
            }
          />
          Refresh automatically
        </label>
        <label class="inline-field">
          <input
            type="number"
            min="5"
            step="5"
            value={props.connection.settings.autoRefreshLeadSeconds}
            onChange={(e) => void save(props.connection.settings.autoRefresh, Number(e.currentTarget.value))}
          />
          seconds before the access token expires
        </label>
      </div>
      <Show when={props.connection.handedOffAt !== null}>
        <p class="muted">Off: this connection was handed off to a server, which now refreshes it.</p>
      </Show>
      <Show when={props.connection.settings.autoRefresh && next()}>
        {(at) => (
          <p class="muted" data-testid="next-auto-refresh">
            Next automatic refresh at {formatInstant(at())}.
          </p>
        )}
      </Show>
      <ProblemAlert message={error()} />
    </section>
  );
}

function HandOff(props: { connection: Connection }) {
  const [, actions] = useAppState();
  const [handoff, setHandoff] = createSignal<Handoff | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const exportNow = async () => {
    setError(null);
    try {
      setHandoff(await actions.exportForServer(props.connection.id));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Show when={props.connection.tokenSet?.refreshToken}>
      <section aria-labelledby="handoff-heading" class="card handoff">
        <h3 id="handoff-heading">Hand off to a server</h3>
        <p>
          Everything a server needs to keep refreshing on its own, with the client secret as a placeholder.
          Exporting marks this connection handed off: automatic refresh turns off, and a refresh here asks
          first, because with rotating or single-use refresh tokens it would break the server's copy.
        </p>
        <Show when={props.connection.handedOffAt !== null}>
          <p class="muted">Handed off at {formatInstant(props.connection.handedOffAt ?? 0)}.</p>
        </Show>
        <button type="button" class="button" onClick={() => void exportNow()}>
          {props.connection.handedOffAt === null ? "Export for a server" : "Show the export again"}
        </button>
        <ProblemAlert message={error()} />
        <Show when={handoff()}>
          {(h) => (
            <>
              <For
                each={
                  [
                    ["env", ".env lines", h().env],
                    ["json", "JSON", h().json],
                    ["curl", "curl refresh command", h().curl],
                  ] as const
                }
              >
                {([key, label, text]) => (
                  <div class="token-field">
                    <div class="token-head">
                      <span class="token-label">{label}</span>
                      <CopyButton value={text} label={label} />
                    </div>
                    {/* Focusable: a long export scrolls, and keyboard users must be able to scroll it. */}
                    <pre class="http" data-testid={`handoff-${key}`} tabindex="0">
                      {text}
                    </pre>
                  </div>
                )}
              </For>
            </>
          )}
        </Show>
      </section>
    </Show>
  );
}

function Rename(props: { connection: Connection }) {
  const [, actions] = useAppState();
  const [editing, setEditing] = createSignal(false);
  let input: HTMLInputElement | undefined;
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const name = input?.value.trim() ?? "";
    if (name !== "") await actions.rename(props.connection.id, name);
    setEditing(false);
  };
  return (
    <Show
      when={editing()}
      fallback={
        <button type="button" class="copy" onClick={() => setEditing(true)}>
          Rename
        </button>
      }
    >
      <form class="inline-field" onSubmit={(e) => void save(e)}>
        <label class="inline-field">
          <span class="sr-only">Connection name</span>
          <input ref={input} type="text" value={props.connection.name} maxlength="120" />
        </label>
        <button type="submit" class="copy">
          Save
        </button>
        <button type="button" class="copy" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </form>
    </Show>
  );
}

function History(props: { events: readonly ConnectionEvent[] | undefined }) {
  return (
    <section aria-labelledby="history-heading">
      <h3 id="history-heading">History</h3>
      <ol class="history" data-testid="history">
        <For each={props.events}>
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
  // Read again whenever the connection is written, so the history never lags the token set.
  const [events] = createResource(
    () => {
      const c = connection();
      return c === undefined ? false : { id: c.id, revision: c.revision };
    },
    (key) => actions.events(key.id),
  );
  const refreshRevoked = () => refreshTokenRevoked(events() ?? []);

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
          <Rename connection={c()} />
          <p>
            <StatusBadge status={connectionStatus(c(), now())} testId="status" />{" "}
            <span class="muted">
              client {c().clientId} · provider {c().provider}
              <Show when={c().account}>
                {(account) => <span data-testid="connection-account"> · account {account().name}</span>}
              </Show>
            </span>
          </p>
          <ProblemAlert message={notice()} />
          <Show when={c().problem}>
            {(problem) => (
              <div class="problem" role="alert" data-testid="problem">
                <h3>{problem().title}</h3>
                <p>{problem().detail}</p>
                <p>
                  <strong>Next:</strong> {problem().next}
                </p>
                <Show
                  when={
                    problem().kind === "outcome_unknown" ||
                    c().refreshTokenStatus === "dead" ||
                    c().tokenSet === null
                  }
                >
                  <A class="button" href={`/authorize/${encodeURIComponent(c().clientId)}`}>
                    Authorize again
                  </A>
                </Show>
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
            refreshRevoked={refreshRevoked()}
            busy={busy()}
            onRefresh={(confirmed) =>
              void run(() => actions.refresh(c().id, { confirmHandedOff: confirmed }))
            }
          />
          <Revoke
            connection={c()}
            busy={busy()}
            onRevoke={(which) => void run(() => actions.revoke(c().id, which, { confirmed: true }))}
          />
          <Show when={c().tokenSet?.refreshToken}>
            <AutoRefreshSettings connection={c()} />
          </Show>
          <HandOff connection={c()} />
          <ProviderDetails connection={c()} />
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
          <History events={events()} />
          <p>
            <A href={`/support?connection=${encodeURIComponent(c().id)}`}>Diagnose in the support desk</A>
            <span class="muted">
              : the explainer, a diagnostic bundle for a ticket, where the credentials went.
            </span>
          </p>
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
