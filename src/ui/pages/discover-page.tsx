import { createMemo, createSignal, For, Show } from "solid-js";
import type { DiscoveryResult } from "../../oauth/discover.ts";
import { type DiscoveredMetadata, type DraftResult, draftCustomClient } from "../../providers/discovery.ts";
import { CopyButton } from "../components/copy-button.tsx";
import { ProblemAlert } from "../components/problem-alert.tsx";
import { A } from "../router.tsx";
import { useAppState } from "../state/app-state.tsx";

/** A client id for the draft: the issuer's host, as the relay's id rules allow. */
function idFor(issuer: string): string {
  try {
    return new URL(issuer).hostname.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64) || "custom";
  } catch {
    return "custom";
  }
}

type EndpointField =
  | "authorization_endpoint"
  | "token_endpoint"
  | "userinfo_endpoint"
  | "revocation_endpoint"
  | "introspection_endpoint"
  | "jwks_uri";

/** The endpoints a drafted client carries, what tokendesk does with each, and what is lost without it. */
const ENDPOINTS: ReadonlyArray<{
  readonly field: EndpointField;
  readonly name: string;
  readonly use: string;
  readonly missing: string;
}> = [
  {
    field: "authorization_endpoint",
    name: "Authorization endpoint",
    use: "where the browser goes to sign in and consent",
    missing: "",
  },
  {
    field: "token_endpoint",
    name: "Token endpoint",
    use: "where the relay exchanges codes and refreshes tokens, adding the secret",
    missing: "",
  },
  {
    field: "userinfo_endpoint",
    name: "Userinfo endpoint",
    use: "the identity probe: whose account a token belongs to",
    missing: "the identity probe cannot name the account",
  },
  {
    field: "revocation_endpoint",
    name: "Revocation endpoint (RFC 7009)",
    use: "ends a refresh or access token for good",
    missing: "tokendesk cannot revoke tokens at this provider",
  },
  {
    field: "introspection_endpoint",
    name: "Introspection endpoint (RFC 7662)",
    use: "asks the provider whether a token is still active, and its scope and expiry",
    missing: "the provider cannot be asked whether a token is active",
  },
  {
    field: "jwks_uri",
    name: "JWKS",
    use: "the keys that verify ID token signatures",
    missing: "ID token signatures cannot be verified",
  },
];

/** Each endpoint the metadata names, or says it does not, with what it is for. */
function EndpointList(props: { metadata: DiscoveredMetadata }) {
  return (
    <ul class="endpoints" data-testid="discovered-endpoints">
      <For each={ENDPOINTS}>
        {(endpoint) => {
          const url = () => props.metadata[endpoint.field];
          return (
            <li>
              <strong>{endpoint.name}</strong>: {endpoint.use}.{" "}
              <Show when={url()} fallback={<span class="muted">Not published: {endpoint.missing}.</span>}>
                {(found) => <code>{found()}</code>}
              </Show>
            </li>
          );
        }}
      </For>
    </ul>
  );
}

/** Client authentication, PKCE and scopes as the metadata states them. */
function MetadataFacts(props: { metadata: DiscoveredMetadata; draft: DraftResult | null }) {
  const m = () => props.metadata;
  return (
    <>
      <dl class="facts" data-testid="discovered-metadata">
        <dt>Client authentication</dt>
        <dd>
          {m().authMethodsStated
            ? m().token_endpoint_auth_methods_supported.join(", ") || "none listed"
            : "not stated"}
        </dd>
        <dt>PKCE</dt>
        <dd>
          {m().code_challenge_methods_supported.includes("S256")
            ? "S256 supported"
            : "S256 not listed (tokendesk sends it anyway)"}
        </dd>
        <Show when={m().scopes_supported.length > 0}>
          <dt>Scopes</dt>
          <dd>{m().scopes_supported.join(" ")}</dd>
        </Show>
      </dl>
      <Show when={props.draft?.ok ? props.draft.authMethodReason : null}>
        {(reason) => (
          <p class="muted" data-testid="auth-method-reason">
            Client authentication drafted as {reason()}
          </p>
        )}
      </Show>
    </>
  );
}

/**
 * A provider without a recipe: read its RFC 8414 / OpenID Connect metadata and draft the `custom`
 * client for TOKENDESK_CLIENTS. The secret is never typed here: it goes into the relay's
 * configuration only.
 */
export function DiscoverPage() {
  const [state, actions] = useAppState();
  const [issuer, setIssuer] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [result, setResult] = createSignal<DiscoveryResult | null>(null);
  const found = () => {
    const r = result();
    return r?.ok === true ? r : null;
  };
  const failed = () => {
    const r = result();
    return r?.ok === false ? r : null;
  };
  const draft = createMemo(() => {
    const r = found();
    return r === null
      ? null
      : draftCustomClient(r.metadata, { id: idFor(r.metadata.issuer), redirectUri: state.redirectUri });
  });
  const snippet = () => {
    const d = draft();
    return d?.ok ? `TOKENDESK_CLIENTS='${JSON.stringify([d.client], null, 2)}'` : "";
  };
  const run = async (value: string) => {
    setBusy(true);
    setResult(null);
    try {
      setResult(await actions.discover(value));
    } catch (error) {
      setResult({ ok: false, problem: error instanceof Error ? error.message : String(error), attempts: [] });
    } finally {
      setBusy(false);
    }
  };
  const discover = (event: SubmitEvent) => {
    event.preventDefault();
    void run(issuer().trim());
  };
  // Offered only for an issuer on the same origin (see explainIssuerMismatch): typed in for the person
  // to see, and discovered afresh, so its own metadata is checked against it.
  const discoverInstead = (suggestion: string) => {
    setIssuer(suggestion);
    void run(suggestion);
  };

  return (
    <section aria-labelledby="discover-heading">
      <h2 id="discover-heading">Discover a provider</h2>
      <p class="muted">
        For a provider tokendesk has no recipe for: its issuer's published metadata (RFC 8414 or OpenID
        Connect Discovery) names its endpoints. The page reads it directly when the issuer allows it, through
        the relay otherwise, and follows one redirect at most: one that adds or removes a trailing slash on
        the same origin.
      </p>
      <form onSubmit={discover}>
        <label class="field">
          <span>Issuer</span>
          <input
            type="url"
            required
            placeholder="https://auth.example.com"
            value={issuer()}
            onInput={(e) => setIssuer(e.currentTarget.value)}
            spellcheck={false}
            autocomplete="off"
          />
        </label>
        <button type="submit" class="button primary" disabled={busy()}>
          Discover
        </button>
      </form>
      <Show when={result()}>
        {(r) => (
          <>
            <Show when={r().attempts.length > 0}>
              <h3>What was tried</h3>
              <ol class="attempts">
                <For each={r().attempts}>
                  {(a) => (
                    <li>
                      <code>{a.url}</code> from the {a.via === "browser" ? "page" : "relay"}: {a.outcome}
                    </li>
                  )}
                </For>
              </ol>
            </Show>
            <Show when={failed()}>
              {(f) => (
                <div class="problem" role="alert" data-testid="discovery-problem">
                  <p>{f().problem}</p>
                  <Show when={f().mismatch?.suggestion}>
                    {(suggestion) => (
                      <button type="button" class="button" onClick={() => discoverInstead(suggestion())}>
                        Discover {suggestion()} instead
                      </button>
                    )}
                  </Show>
                </div>
              )}
            </Show>
            <Show when={found()}>
              {(ok) => (
                <>
                  <p role="status" data-testid="discovered">
                    Found the metadata of <code>{ok().metadata.issuer}</code>{" "}
                    {ok().via === "browser" ? "from the page" : "through the relay"}
                    <Show when={ok().redirectedTo}>
                      {(to) => (
                        <>
                          , read at <code>{to()}</code> after a trailing-slash redirect
                        </>
                      )}
                    </Show>
                    .
                  </p>
                  <h3>Endpoints</h3>
                  <EndpointList metadata={ok().metadata} />
                  <MetadataFacts metadata={ok().metadata} draft={draft()} />
                  <Show when={draft()}>
                    {(d) => (
                      <Show
                        when={d().ok ? snippet() : null}
                        fallback={
                          <ProblemAlert
                            message={d().ok ? null : (d() as Extract<DraftResult, { ok: false }>).problem}
                          />
                        }
                      >
                        {(text) => (
                          <>
                            <h3>Add it to the relay</h3>
                            <p>
                              Put this in <code>.env.local</code> with the client id and secret the provider
                              gave you (and an id of your own if you have a client with this one), and
                              register <code>{state.redirectUri}</code> there. <code>npm start</code> and{" "}
                              <code>npm run relay</code> pick the file up while they run: the client appears
                              on the clients page.
                            </p>
                            <pre class="http" data-testid="client-draft">
                              {text()}
                            </pre>
                            <CopyButton value={text()} label="client configuration" />
                          </>
                        )}
                      </Show>
                    )}
                  </Show>
                </>
              )}
            </Show>
          </>
        )}
      </Show>
      <p>
        <A href="/">Back to the clients</A>
      </p>
    </section>
  );
}
