import { createSignal, For, lazy, Show } from "solid-js";
import type { PublicClient } from "../../relay/contract.ts";
import { statusOf } from "../../store/status.ts";
import type { ConnectionSummary } from "../../store/summary.ts";
import { CopyButton } from "../components/copy-button.tsx";
import { Countdown } from "../components/countdown.tsx";
import { drawnInSteps } from "../components/drawn-in-steps.ts";
import { ProblemAlert } from "../components/problem-alert.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { A, useNavigate } from "../router.tsx";
import { useAppState } from "../state/app-state.tsx";
import { useClockWhileVisible } from "../state/clock.ts";

// Storage state, backup and restore: after the first screen, in their own chunk (npm run bench budgets it).
const SafekeepingPanel = lazy(() =>
  import("./safekeeping/safekeeping-panel.tsx").then((m) => ({ default: m.SafekeepingPanel })),
);

function ClientCard(props: { client: PublicClient }) {
  const [state, actions] = useAppState();
  const recipe = () => actions.recipeFor(props.client);
  const registered = () => props.client.redirect_uris.includes(state.redirectUri);
  return (
    <article class="card" aria-labelledby={`client-${props.client.id}`}>
      <h3 id={`client-${props.client.id}`}>
        {props.client.id}{" "}
        <span class="muted">
          · {recipe().name}
          {props.client.environment === null ? "" : ` · ${props.client.environment}`}
        </span>
      </h3>
      <dl class="facts">
        <dt>Client ID</dt>
        <dd>
          <code>{props.client.client_id}</code>
        </dd>
        <dt>Token endpoint</dt>
        <dd>
          <code>{props.client.token_endpoint}</code>
        </dd>
        <dt>Redirect URI</dt>
        <dd>
          <code data-testid="redirect-uri">{state.redirectUri}</code>{" "}
          <CopyButton value={state.redirectUri} label="redirect URI" />
          <Show when={!registered()}>
            <p class="warning" role="note">
              This page's redirect URI is not among the client's configured redirect URIs (
              {props.client.redirect_uris.join(", ")}), so the relay would refuse the exchange. Add it to the
              client in TOKENDESK_CLIENTS and register it at the provider.
            </p>
          </Show>
        </dd>
      </dl>
      <A class="button primary" href={`/authorize/${encodeURIComponent(props.client.id)}`}>
        Authorize
      </A>
    </article>
  );
}

/** Paste a token response or a bare refresh token to make a connection without authorizing here. */
function ImportForm(props: { clients: readonly PublicClient[] }) {
  const [, actions] = useAppState();
  const navigate = useNavigate();
  const [error, setError] = createSignal<string | null>(null);
  let select: HTMLSelectElement | undefined;
  let text: HTMLTextAreaElement | undefined;
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    const outcome = await actions.importTokens(select?.value ?? "", text?.value ?? "");
    if (outcome.kind === "refused") setError(outcome.message);
    else navigate(`/connections/${outcome.connectionId}`);
  };
  return (
    <details class="card">
      <summary>Import a token response or a refresh token</summary>
      <form onSubmit={(e) => void submit(e)}>
        <label class="field">
          <span>Client it belongs to</span>
          <select ref={select}>
            <For each={props.clients}>{(client) => <option value={client.id}>{client.id}</option>}</For>
          </select>
        </label>
        <label class="field">
          <span>Token response JSON, or a refresh token alone</span>
          <textarea ref={text} spellcheck={false} autocomplete="off" />
        </label>
        <ProblemAlert message={error()} />
        <button type="submit" class="button">
          Import
        </button>
      </form>
    </details>
  );
}

/** One connection in the list; its status and countdown follow the clock only while it is on screen. */
function ConnectionRow(props: { connection: ConnectionSummary }) {
  let row: HTMLLIElement | undefined;
  const now = useClockWhileVisible(() => row);
  return (
    <li ref={row}>
      <A href={`/connections/${props.connection.id}`}>{props.connection.name}</A>{" "}
      <Show when={props.connection.account}>{(account) => <span class="muted">{account()}</span>}</Show>{" "}
      <StatusBadge status={statusOf(props.connection, now())} />{" "}
      <Show when={props.connection.tokens}>
        {(tokens) => (
          <Countdown
            label="Access token"
            expiresAt={tokens().accessExpiresAt}
            receivedAt={tokens().receivedAt}
            now={now()}
          />
        )}
      </Show>
    </li>
  );
}

/** Rows drawn before the first frame (a tall screen's worth), then per task after each frame. */
const FIRST_ROWS = 60;
const ROWS_PER_STEP = 120;

export function HomePage() {
  const [state, actions] = useAppState();
  const rows = drawnInSteps(() => state.connections, FIRST_ROWS, ROWS_PER_STEP);
  return (
    <>
      <section aria-labelledby="clients-heading">
        <h2 id="clients-heading">Clients</h2>
        <p class="muted">
          A provider without a recipe? <A href="/discover">Discover its endpoints</A> from its issuer.
        </p>
        <p class="muted">
          Apps the relay holds a secret for
          <Show when={state.relayBase}>{(base) => <> (relay: {base()})</>}</Show>. Register the redirect URI
          at the provider, then authorize.
        </p>
        <Show when={state.clientsError}>
          {(message) => (
            <div class="problem" role="alert">
              <p>{message()}</p>
              <button type="button" onClick={() => void actions.reloadClients()}>
                Try again
              </button>
            </div>
          )}
        </Show>
        <Show when={state.relayConfigError}>
          {(message) => (
            <div class="problem" role="alert" data-testid="relay-config-error">
              <p>
                The relay refused its new configuration and still serves the clients it had. What is wrong:{" "}
                {message()}
              </p>
              <p>
                Fix it where the relay reads it (.env.local for <code>npm start</code> and{" "}
                <code>npm run relay</code>; <code>npm run client -- list</code> shows what that file holds):
                this list follows as soon as it is valid.
              </p>
            </div>
          )}
        </Show>
        <Show when={state.clients}>
          {(clients) => (
            <Show
              when={clients().length > 0}
              fallback={
                <p>
                  The relay knows no clients. Add one with <code>npm run client -- add</code> (or to
                  TOKENDESK_CLIENTS, see the README); this list follows.
                </p>
              }
            >
              <div class="cards">
                <For each={clients()}>{(client) => <ClientCard client={client} />}</For>
              </div>
            </Show>
          )}
        </Show>
      </section>
      <section aria-labelledby="connections-heading">
        <h2 id="connections-heading">Connections</h2>
        <ProblemAlert message={state.storageError} />
        <Show
          when={state.connections.length > 0}
          fallback={
            <Show when={state.connectionsLoaded}>
              <p class="muted">No connections yet. Authorize a client to make one.</p>
            </Show>
          }
        >
          <ul class="connections">
            <For each={rows()}>{(connection) => <ConnectionRow connection={connection} />}</For>
          </ul>
        </Show>
        <Show when={state.clients !== null && (state.clients?.length ?? 0) > 0}>
          <ImportForm clients={state.clients ?? []} />
        </Show>
      </section>
      <SafekeepingPanel />
    </>
  );
}
