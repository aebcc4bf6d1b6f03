import { A, useParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import type { Recipe } from "../../providers/types.ts";
import type { PublicClient } from "../../relay/contract.ts";
import { formatDuration } from "../components/format.ts";
import { useAppState } from "../state/app-state.tsx";

const POLICY_TEXT: Readonly<Record<Recipe["refreshPolicy"], string>> = {
  reusable: "Refresh tokens stay valid after use.",
  rotating:
    "Refresh tokens rotate: each refresh returns a new one and the old one stops working. After you copy a refresh token to your server, do not refresh here.",
  "single-use":
    "Each refresh token works once. After you copy one to your server, do not refresh here, or the server's copy dies.",
};

function RecipeFacts(props: { recipe: Recipe }) {
  const code = () => props.recipe.lifetimes.code;
  const access = () => props.recipe.lifetimes.access;
  return (
    <ul class="facts-list">
      <Show when={code().seconds}>
        {(s) => (
          <li>
            The authorization code lives {formatDuration(s() * 1000)}: exchange it within that time
            {code().confirmed ? "" : " (unconfirmed)"}.
          </li>
        )}
      </Show>
      <Show when={access().seconds}>
        {(s) => (
          <li>
            Access tokens live {formatDuration(s() * 1000)}
            {access().confirmed ? "" : " (unconfirmed)"}.
          </li>
        )}
      </Show>
      <li>{POLICY_TEXT[props.recipe.refreshPolicy]}</li>
      <Show when={props.recipe.refreshRateLimit}>
        {(limit) => (
          <li>
            Refreshes are limited to {limit().requests} per {limit().perSeconds} s.
          </li>
        )}
      </Show>
      <Show when={props.recipe.notes}>{(notes) => <li>{notes()}</li>}</Show>
    </ul>
  );
}

function Prepared(props: { client: PublicClient }) {
  const [, actions] = useAppState();
  const [scope, setScope] = createSignal(props.client.scope ?? "");
  const [leaving, setLeaving] = createSignal(false);
  const [beginError, setBeginError] = createSignal<string | null>(null);
  const [prepared] = createResource(scope, (s) => actions.prepare(props.client, s));
  const recipe = () => actions.recipeFor(props.client);
  const go = async () => {
    const p = prepared();
    if (p === undefined) return;
    setLeaving(true);
    setBeginError(null);
    try {
      await actions.begin(p);
    } catch (error) {
      setLeaving(false);
      setBeginError(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <>
      <RecipeFacts recipe={recipe()} />
      <label class="field">
        <span>Scope</span>
        <input
          type="text"
          value={scope()}
          onChange={(e) => setScope(e.currentTarget.value)}
          spellcheck={false}
          autocomplete="off"
        />
      </label>
      <Show when={prepared.error}>
        {(error) => (
          <p class="problem" role="alert">
            {error() instanceof Error ? (error() as Error).message : String(error())}
          </p>
        )}
      </Show>
      <Show when={prepared()}>
        {(p) => (
          <>
            <h3>Authorization URL</h3>
            <code class="token-value" data-testid="authorization-url">
              {p().url.href}
            </code>
            <table class="params">
              <caption>Every parameter it carries</caption>
              <thead>
                <tr>
                  <th scope="col">Parameter</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                <For each={[...p().url.searchParams]}>
                  {([name, value]) => (
                    <tr>
                      <th scope="row">{name}</th>
                      <td>
                        <code>{value}</code>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <p class="muted">
              The PKCE verifier and the state stay in this browser's storage until the provider sends you
              back.
            </p>
            <button type="button" class="button primary" disabled={leaving()} onClick={() => void go()}>
              Continue to {p().url.host}
            </button>
            <Show when={beginError()}>
              {(message) => (
                <p class="problem" role="alert">
                  {message()}
                </p>
              )}
            </Show>
          </>
        )}
      </Show>
    </>
  );
}

export function AuthorizePage() {
  const params = useParams<{ clientId: string }>();
  const [state] = useAppState();
  const client = createMemo(() => state.clients?.find((c) => c.id === params.clientId));
  return (
    <section aria-labelledby="authorize-heading">
      <h2 id="authorize-heading">Authorize {params.clientId}</h2>
      <Show
        when={client()}
        fallback={
          <Show
            when={state.clients !== null || state.clientsError !== null}
            fallback={<p>Loading clients…</p>}
          >
            <p class="problem" role="alert">
              The relay has no client "{params.clientId}". <A href="/">Choose one of its clients</A>.
            </p>
          </Show>
        }
      >
        {(c) => <Prepared client={c()} />}
      </Show>
    </section>
  );
}
