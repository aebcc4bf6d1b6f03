import { createSignal, For, Show } from "solid-js";
import type { ProbeOutcome } from "../../oauth/identity.ts";
import { findRecipe } from "../../providers/index.ts";
import type { Connection } from "../../store/records.ts";
import { AccountField } from "../components/account-field.tsx";
import { formatInstant } from "../components/format.ts";
import { ProblemAlert } from "../components/problem-alert.tsx";
import { RelayExchange } from "../components/relay-exchange.tsx";
import { useAppState } from "../state/app-state.tsx";
import { createTask } from "../state/task.ts";
import { knownSecrets } from "./connection/known-secrets.ts";

/**
 * What the provider added beside the tokens, and whom they belong to: the callback parameters the
 * recipe keeps (QuickBooks realmId), the provider's own issue time (FreshBooks created_at), and the
 * identity probe, asked through the relay.
 */
export function ProviderDetails(props: { connection: Connection }) {
  const [state, actions] = useAppState();
  const recipe = () => findRecipe(props.connection.provider);
  const client = () => state.clients?.find((c) => c.id === props.connection.clientId);
  const kept = () =>
    (recipe()?.callbackParams ?? []).flatMap((param) => {
      const value = props.connection.authorization?.extra[param.name];
      return value === undefined ? [] : [{ ...param, value }];
    });
  const issuedAt = () => {
    const field = recipe()?.issuedAtField;
    const raw = field === undefined ? undefined : props.connection.tokenSet?.raw[field];
    return typeof raw === "number" ? raw * 1000 : null;
  };
  const [outcome, setOutcome] = createSignal<ProbeOutcome | null>(null);
  const task = createTask();
  const probe = () =>
    task.run(async () => {
      setOutcome(await actions.probe(props.connection.id));
    });
  const relayError = () => {
    const result = outcome()?.result;
    return result === undefined || result.kind === "envelope" ? null : result.error;
  };

  return (
    <section aria-labelledby="account-heading" class="card">
      <h3 id="account-heading">Account</h3>
      <For each={kept()}>
        {(param) => (
          <p data-testid={`callback-${param.name}`}>
            {param.name}: <code>{param.value}</code> <span class="muted">({param.meaning})</span>
          </p>
        )}
      </For>
      <Show when={issuedAt()}>
        {(at) => (
          <p class="muted" data-testid="provider-issued-at">
            The provider says it issued these tokens at {formatInstant(at())}; tokendesk counts their
            lifetimes from when the answer arrived,{" "}
            {formatInstant(props.connection.tokenSet?.receivedAt ?? 0)}.
          </p>
        )}
      </Show>
      <Show
        when={client()?.identity_endpoint}
        fallback={
          <p class="muted">
            {state.clients === null
              ? "The relay's clients are not loaded (offline, or the relay cannot be reached), so the identity endpoint is not known here."
              : "The relay knows no identity endpoint for this client."}
          </p>
        }
      >
        {(url) => (
          <>
            <p class="muted">
              Asks <code>{url()}</code>, through the relay, whom the access token belongs to.
            </p>
            <button
              type="button"
              class="button"
              disabled={task.busy() || props.connection.tokenSet?.accessToken == null}
              onClick={() => void probe()}
            >
              Identify the account
            </button>
          </>
        )}
      </Show>
      <ProblemAlert message={task.error()} />
      <Show when={outcome()?.account}>
        {(account) => (
          <p role="status" data-testid="account">
            This token belongs to <strong>{account()}</strong>
            <AccountField field={outcome()?.accountField ?? null} />.
          </p>
        )}
      </Show>
      <Show when={outcome()?.problem}>
        {(problem) => (
          <div class="problem" role="alert" data-testid="probe-problem">
            <h4>{problem().title}</h4>
            <p>{problem().detail}</p>
          </div>
        )}
      </Show>
      <Show when={relayError()}>
        {(error) => (
          <p class="problem" role="alert">
            The relay did not probe ({error().error}): {error().error_description}
          </p>
        )}
      </Show>
      <RelayExchange
        result={outcome()?.result}
        title="identity probe"
        secrets={knownSecrets(props.connection)}
      />
    </section>
  );
}
