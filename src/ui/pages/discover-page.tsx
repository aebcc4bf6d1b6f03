import { A } from "@solidjs/router";
import { createMemo, createSignal, For, Show } from "solid-js";
import type { DiscoveryResult } from "../../oauth/discover.ts";
import { type DiscoveredMetadata, type DraftResult, draftCustomClient } from "../../providers/discovery.ts";
import { CopyButton } from "../components/copy-button.tsx";
import { ProblemAlert } from "../components/problem-alert.tsx";
import { useAppState } from "../state/app-state.tsx";

/** A client id for the draft: the issuer's host, as the relay's id rules allow. */
function idFor(issuer: string): string {
  try {
    return new URL(issuer).hostname.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64) || "custom";
  } catch {
    return "custom";
  }
}

/** The endpoints and abilities the metadata states. */
function MetadataFacts(props: { metadata: DiscoveredMetadata }) {
  const m = () => props.metadata;
  return (
    <dl class="facts" data-testid="discovered-metadata">
      <dt>Authorization endpoint</dt>
      <dd>
        <code>{m().authorization_endpoint}</code>
      </dd>
      <dt>Token endpoint</dt>
      <dd>
        <code>{m().token_endpoint}</code>
      </dd>
      <dt>Client authentication</dt>
      <dd>{m().token_endpoint_auth_methods_supported.join(", ") || "not stated"}</dd>
      <dt>PKCE</dt>
      <dd>
        {m().code_challenge_methods_supported.includes("S256")
          ? "S256 supported"
          : "S256 not listed (tokendesk sends it anyway)"}
      </dd>
      <Show when={m().userinfo_endpoint}>
        {(url) => (
          <>
            <dt>Identity probe</dt>
            <dd>
              <code>{url()}</code>
            </dd>
          </>
        )}
      </Show>
      <Show when={m().revocation_endpoint}>
        {(url) => (
          <>
            <dt>Revocation</dt>
            <dd>
              <code>{url()}</code>
            </dd>
          </>
        )}
      </Show>
      <Show when={m().scopes_supported.length > 0}>
        <dt>Scopes</dt>
        <dd>{m().scopes_supported.join(" ")}</dd>
      </Show>
    </dl>
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
    return r?.ok === false ? r.problem : null;
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
  const discover = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      setResult(await actions.discover(issuer().trim()));
    } catch (error) {
      setResult({ ok: false, problem: error instanceof Error ? error.message : String(error), attempts: [] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="discover-heading">
      <h2 id="discover-heading">Discover a provider</h2>
      <p class="muted">
        For a provider tokendesk has no recipe for: its issuer's published metadata (RFC 8414 or OpenID
        Connect Discovery) names its endpoints. The page reads it directly when the issuer allows it, through
        the relay otherwise.
      </p>
      <form onSubmit={(e) => void discover(e)}>
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
            <ProblemAlert message={failed()} />
            <Show when={found()}>
              {(ok) => (
                <>
                  <p role="status" data-testid="discovered">
                    Found the metadata of <code>{ok().metadata.issuer}</code>{" "}
                    {ok().via === "browser" ? "from the page" : "through the relay"}.
                  </p>
                  <MetadataFacts metadata={ok().metadata} />
                  <Show when={draft()}>
                    {(d) => (
                      <Show
                        when={d().ok ? snippet() : null}
                        fallback={
                          <p class="problem" role="alert">
                            {d().ok ? "" : (d() as Extract<DraftResult, { ok: false }>).problem}
                          </p>
                        }
                      >
                        {(text) => (
                          <>
                            <h3>Add it to the relay</h3>
                            <p>
                              Put this in <code>.env.local</code> with the client id and secret the provider
                              gave you, register <code>{state.redirectUri}</code> there, and restart{" "}
                              <code>npm start</code>:
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
