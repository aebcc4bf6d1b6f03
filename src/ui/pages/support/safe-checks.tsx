import { createSignal, For, Show } from "solid-js";
import type { ProbeOutcome } from "../../../oauth/identity.ts";
import type { PublicClient } from "../../../relay/contract.ts";
import { AccountField } from "../../components/account-field.tsx";
import { formatHost } from "../../components/format.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { RelayExchange } from "../../components/relay-exchange.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { createTask } from "../../state/task.ts";
import { IntrospectPasted } from "./introspect-pasted.tsx";

/**
 * The reads: the identity probe with the access token, and introspection (RFC 7662) of either token.
 * They send the token to the provider and spend nothing.
 */
export function SafeChecks(props: {
  clients: readonly PublicClient[];
  clientId: string;
  onClient: (id: string) => void;
  accessToken: string | null;
  refreshToken: string | null;
  onProbe: (outcome: ProbeOutcome, at: number) => void;
}) {
  const [, actions] = useAppState();
  const task = createTask();
  const [outcome, setOutcome] = createSignal<ProbeOutcome | null>(null);
  const client = () => props.clients.find((c) => c.id === props.clientId);
  const recipe = () => actions.recipeFor({ provider: client()?.provider ?? "custom" });
  const host = () => formatHost(client()?.identity_endpoint);
  const relayFailure = () => {
    const result = outcome()?.result;
    return result === undefined || result.kind === "envelope" ? null : result.error.error_description;
  };
  const probe = async () => {
    const token = props.accessToken;
    if (token === null) return;
    await task.run(async () => {
      const result = await actions.probeToken(props.clientId, token);
      setOutcome(result);
      props.onProbe(result, Date.now());
    });
  };
  return (
    <section aria-labelledby="checks-heading" class="card">
      <h3 id="checks-heading">
        Safe checks <span class="badge">read-only</span>
      </h3>
      <p class="muted">These send a token to the provider to ask about it. They spend nothing.</p>
      <label class="field">
        <span>Relay client for the checks</span>
        <select value={props.clientId} onChange={(e) => props.onClient(e.currentTarget.value)}>
          <For each={props.clients}>
            {(c) => (
              <option value={c.id}>
                {c.id} ({actions.recipeFor(c).name})
              </option>
            )}
          </For>
        </select>
      </label>
      <Show
        when={client()?.identity_endpoint}
        fallback={<p>{recipe().name} has no identity endpoint tokendesk knows: nothing to probe.</p>}
      >
        <p>Identity probe: the relay sends one GET to {host()} with the access token, and nothing else.</p>
        <button
          type="button"
          class="button"
          disabled={task.busy() || props.accessToken === null}
          onClick={() => void probe()}
        >
          Identify the account (read-only)
        </button>
        <Show when={props.accessToken === null}>
          <p class="muted">The paste has no access token to probe with.</p>
        </Show>
      </Show>
      <ProblemAlert message={task.error()} />
      <Show when={outcome()}>
        {(o) => (
          <div data-testid="probe-result">
            <Show when={o().account}>
              {(account) => (
                <p>
                  The token belongs to <strong data-testid="probe-account">{account()}</strong>
                  <AccountField field={o().accountField} />.
                </p>
              )}
            </Show>
            <Show when={o().problem}>
              {(problem) => (
                <p data-testid="probe-problem">
                  <strong>{problem().title}.</strong> {problem().detail}
                </p>
              )}
            </Show>
            <Show when={relayFailure()}>
              {(description) => <p class="problem">The relay did not get an answer: {description()}</p>}
            </Show>
            <RelayExchange result={o().result} title="identity probe" secrets={[props.accessToken ?? ""]} />
          </div>
        )}
      </Show>
      <IntrospectPasted
        clientId={props.clientId}
        recipeName={recipe().name}
        endpoint={client()?.introspection_endpoint ?? null}
        accessToken={props.accessToken}
        refreshToken={props.refreshToken}
      />
    </section>
  );
}
