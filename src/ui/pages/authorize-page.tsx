import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { buildShareLink, forbiddenExtraParam, parseShareQuery } from "../../oauth/share.ts";
import { describeRecipe } from "../../providers/facts.ts";
import { scopeToRequest } from "../../providers/index.ts";
import type { Recipe } from "../../providers/types.ts";
import type { PublicClient } from "../../relay/contract.ts";
import { CALLBACK_SEGMENT } from "../callback-capture.ts";
import { CopyButton } from "../components/copy-button.tsx";
import { ProblemAlert } from "../components/problem-alert.tsx";
import { A, useParams, useSearchParams } from "../router.tsx";
import { useAppState } from "../state/app-state.tsx";

/** The app's root, from the redirect URI it answers at. */
function appRootOf(redirectUri: string): string {
  return redirectUri.slice(0, -CALLBACK_SEGMENT.length);
}

/** What this provider will do, before the user goes there; unconfirmed figures say so. */
function RecipeFacts(props: { recipe: Recipe; client: PublicClient; redirectUri: string }) {
  const described = createMemo(() => describeRecipe(props.recipe, props.redirectUri));
  return (
    <section aria-labelledby="provider-facts-heading">
      <h3 id="provider-facts-heading">
        What {props.recipe.name} will do
        <Show when={props.client.environment}>{(env) => <span class="muted"> · {env()}</span>}</Show>
      </h3>
      <For each={described().warnings}>
        {(warning) => (
          <p class="warning" role="note" data-testid="redirect-warning">
            {warning}
          </p>
        )}
      </For>
      <ul class="facts-list" data-testid="provider-facts">
        <For each={described().facts}>
          {(fact) => (
            <li data-fact={fact.key}>
              {fact.text}
              <Show when={fact.unconfirmed}>
                {" "}
                <span class="unconfirmed" title="Not confirmed against the provider's documentation">
                  (unconfirmed)
                </span>
              </Show>
            </li>
          )}
        </For>
        <Show when={props.client.identity_endpoint}>
          {(url) => (
            <li data-fact="identity">
              After the exchange, "Identify the account" asks <code>{url()}</code> whom the token belongs to.
            </li>
          )}
        </Show>
      </ul>
      <Show when={props.recipe.links?.docs}>
        {(docs) => (
          <p class="muted">
            Source: <a href={docs()}>{docs()}</a>
          </p>
        )}
      </Show>
    </section>
  );
}

/** `name=value` lines to parameters, naming the first line that cannot be one. */
function parseExtraParams(text: string): { params: Record<string, string>; error: string | null } {
  const params: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const at = line.indexOf("=");
    if (at <= 0) return { params, error: `"${line.trim()}" is not name=value` };
    const name = line.slice(0, at).trim();
    const problem = forbiddenExtraParam(name);
    if (problem !== null) return { params, error: problem };
    params[name] = line.slice(at + 1).trim();
  }
  return { params, error: null };
}

function Prepared(props: { client: PublicClient }) {
  const [state, actions] = useAppState();
  const [search] = useSearchParams();
  // A shared link may preset the scope and extra parameters; it never carries anything secret.
  const shared = parseShareQuery(props.client.id, new URLSearchParams(search as Record<string, string>));
  const [scope, setScope] = createSignal(
    search.scope !== undefined ? shared.scope : (props.client.scope ?? ""),
  );
  const [extraText, setExtraText] = createSignal(
    Object.entries(shared.extraParams)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );
  const extra = createMemo(() => parseExtraParams(extraText()));
  const [leaving, setLeaving] = createSignal(false);
  const [beginError, setBeginError] = createSignal<string | null>(null);
  const recipe = () => actions.recipeFor(props.client);
  // The scope as requested: what the user typed plus what the provider needs for a refresh token.
  const [prepared] = createResource(
    () => ({ scope: scope(), extra: extra().params }),
    (input) => actions.prepare(props.client, scopeToRequest(recipe(), input.scope), input.extra),
  );
  const shareLink = createMemo(() =>
    buildShareLink(appRootOf(state.redirectUri), {
      clientId: props.client.id,
      provider: props.client.provider,
      environment: props.client.environment,
      scope: scope(),
      extraParams: extra().params,
    }),
  );
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
      <RecipeFacts recipe={recipe()} client={props.client} redirectUri={state.redirectUri} />
      <label class="field">
        <span>Scope</span>
        <input
          type="text"
          value={scope()}
          onChange={(e) => setScope(e.currentTarget.value)}
          spellcheck={false}
          autocomplete="off"
          placeholder={recipe().scope.suggestions.join(recipe().scope.separator)}
        />
      </label>
      <Show when={recipe().scope.suggestions.length > 0}>
        <p class="muted">
          Scopes {recipe().name} knows: <code>{recipe().scope.suggestions.join(" ")}</code>
          {recipe().scope.required ? " (a scope is required)" : ""}.
        </p>
      </Show>
      <Show when={shared.provider !== "" && shared.provider !== props.client.provider}>
        <p class="warning" role="note">
          This link was made for a {shared.provider} client, but "{props.client.id}" here is a{" "}
          {props.client.provider} client.
        </p>
      </Show>
      <Show when={shared.dropped.length > 0}>
        <p class="warning" role="note">
          Ignored from the link: {shared.dropped.join(", ")} (a link may not carry credentials or one-time
          values).
        </p>
      </Show>
      <label class="field">
        <span>Extra authorization parameters, one name=value a line (e.g. prompt=consent)</span>
        <textarea
          value={extraText()}
          onChange={(e) => setExtraText(e.currentTarget.value)}
          spellcheck={false}
          autocomplete="off"
          rows={2}
        />
      </label>
      <ProblemAlert message={extra().error} />
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
              {p().url.searchParams.has("nonce")
                ? "The PKCE verifier, the state and the nonce (the ID token must carry it back)"
                : "The PKCE verifier and the state"}{" "}
              stay in this browser's storage until the provider sends you back.
            </p>
            <button type="button" class="button primary" disabled={leaving()} onClick={() => void go()}>
              Continue to {p().url.host}
            </button>
            <ProblemAlert message={beginError()} />
          </>
        )}
      </Show>
      <div class="token-field share">
        <div class="token-head">
          <span class="token-label">Share this configuration</span>
          <CopyButton value={shareLink()} label="share link" />
        </div>
        <code class="token-value" data-testid="share-link">
          {shareLink()}
        </code>
        <p class="muted">Client, provider, scope and extra parameters only: never a secret, code or token.</p>
      </div>
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
      {/* Keyed: another client (the address changed) gets a fresh state, verifier and scope. */}
      <Show
        when={client()}
        keyed
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
        {(c) => <Prepared client={c} />}
      </Show>
    </section>
  );
}
