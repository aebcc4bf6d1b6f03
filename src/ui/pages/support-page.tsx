import { A, useNavigate, useSearchParams } from "@solidjs/router";
import { createEffect, createMemo, createResource, createSignal, For, on, Show } from "solid-js";
import {
  assessRefreshToken,
  type CauseContext,
  FAILURE_KINDS,
  FAILURE_NAMES,
  type FailureKind,
  rankCauses,
} from "../../oauth/causes.ts";
import { fingerprint } from "../../oauth/fingerprint.ts";
import type { ProbeOutcome } from "../../oauth/identity.ts";
import { guessOrigin, type Inspection, inspectPaste } from "../../oauth/inspect.ts";
import type { RelayTokenResult } from "../../oauth/relay-client.ts";
import type { RevocationVerdict } from "../../oauth/revocation.ts";
import { recipes } from "../../providers/index.ts";
import type { PublicClient, RevocationTokenType } from "../../relay/contract.ts";
import {
  buildDiagnosticBundle,
  bundleFileName,
  type DiagnosticBundle,
  parseDiagnosticBundle,
  serializeBundle,
} from "../../store/bundle.ts";
import { credentialTrail } from "../../store/credential-trail.ts";
import { contextFromBundle, contextFromPaste, lastFailure } from "../../store/diagnose.ts";
import { BundleView } from "../components/bundle-view.tsx";
import { CausesView } from "../components/causes-view.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { CopyButton } from "../components/copy-button.tsx";
import { CredentialTrailView } from "../components/credential-trail-view.tsx";
import { formatHost } from "../components/format.ts";
import { HttpExchange } from "../components/http-exchange.tsx";
import { InspectionView } from "../components/inspection-view.tsx";
import { ProblemAlert } from "../components/problem-alert.tsx";
import { useAppState } from "../state/app-state.tsx";
import { useClock } from "../state/clock.ts";

type Grant = "authorization_code" | "refresh_token";

const STATE_WORDS = {
  spent: "Most likely spent",
  expired: "Expired",
  "probably-usable": "Probably still usable",
  unknown: "Unknown without spending it",
} as const;

/** The failure to explain and the grant it happened on, chosen by the support user. */
function Explainer(props: {
  context: (grant: Grant) => CauseContext | null;
  kind: FailureKind | null;
  grant: Grant;
  /** What the failure came from, shown above the choice ("the last exchange", "the pasted answer"). */
  source: string | null;
}) {
  const [kind, setKind] = createSignal<FailureKind | null>(props.kind);
  const [grant, setGrant] = createSignal<Grant>(props.grant);
  // A new paste or bundle brings its own failure: follow it, while the user may still change both.
  createEffect(
    on([() => props.kind, () => props.grant], ([k, g]) => {
      setKind(k);
      setGrant(g);
    }),
  );
  const causes = createMemo(() => {
    const k = kind();
    const ctx = props.context(grant());
    return k === null || ctx === null ? null : rankCauses(k, ctx);
  });
  return (
    <section aria-labelledby="explain-heading" class="card">
      <h3 id="explain-heading">Explain a failure</h3>
      <p class="muted">
        Ranked from what this page knows locally; nothing is sent.
        <Show when={props.source}>{(source) => <> Failure read from {source()}.</>}</Show>
      </p>
      <div class="actions">
        <label class="field">
          <span>What the provider answered</span>
          <select
            value={kind() ?? ""}
            onChange={(e) => setKind((e.currentTarget.value || null) as FailureKind | null)}
          >
            <option value="">Choose the failure…</option>
            <For each={FAILURE_KINDS}>{(k) => <option value={k}>{FAILURE_NAMES[k]}</option>}</For>
            <Show when={props.kind === "other"}>
              <option value="other">{FAILURE_NAMES.other}</option>
            </Show>
          </select>
        </label>
        <fieldset class="inline-field">
          <legend>On</legend>
          <label class="inline-field">
            <input
              type="radio"
              name="explain-grant"
              checked={grant() === "refresh_token"}
              onChange={() => setGrant("refresh_token")}
            />
            a refresh
          </label>
          <label class="inline-field">
            <input
              type="radio"
              name="explain-grant"
              checked={grant() === "authorization_code"}
              onChange={() => setGrant("authorization_code")}
            />
            a code exchange
          </label>
        </fieldset>
      </div>
      <Show when={causes()}>{(list) => <CausesView causes={list()} />}</Show>
    </section>
  );
}

/** The identity probe and the other reads: they send the access token to the provider, spend nothing. */
function SafeChecks(props: {
  clients: readonly PublicClient[];
  clientId: string;
  onClient: (id: string) => void;
  accessToken: string | null;
  onProbe: (outcome: ProbeOutcome, at: number) => void;
}) {
  const [, actions] = useAppState();
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<ProbeOutcome | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const client = () => props.clients.find((c) => c.id === props.clientId);
  const recipe = () => actions.recipeFor({ provider: client()?.provider ?? "custom" });
  const host = () => formatHost(client()?.identity_endpoint);
  const envelope = () => {
    const result = outcome()?.result;
    return result?.kind === "envelope" ? result.envelope : null;
  };
  const relayFailure = () => {
    const result = outcome()?.result;
    return result === undefined || result.kind === "envelope" ? null : result.error.error_description;
  };
  const probe = async () => {
    const token = props.accessToken;
    if (token === null) return;
    setBusy(true);
    setError(null);
    try {
      const result = await actions.probeToken(props.clientId, token);
      setOutcome(result);
      props.onProbe(result, Date.now());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="checks-heading" class="card">
      <h3 id="checks-heading">
        Safe checks <span class="badge">read-only</span>
      </h3>
      <p class="muted">
        These send the access token to the provider's API to ask about it. They spend nothing.
      </p>
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
          disabled={busy() || props.accessToken === null}
          onClick={() => void probe()}
        >
          Identify the account (read-only)
        </button>
        <Show when={props.accessToken === null}>
          <p class="muted">The paste has no access token to probe with.</p>
        </Show>
      </Show>
      <p class="muted" data-testid="introspection">
        Token introspection (RFC 7662) and token-info: {recipe().name} has no such endpoint tokendesk knows.
      </p>
      <ProblemAlert message={error()} />
      <Show when={outcome()}>
        {(o) => (
          <div data-testid="probe-result">
            <Show when={o().account}>
              {(account) => (
                <p>
                  The token belongs to <strong data-testid="probe-account">{account()}</strong>.
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
            <Show when={envelope()}>
              {(e) => (
                <HttpExchange sent={e().sent} upstream={e().upstream} ms={e().ms} title="identity probe" />
              )}
            </Show>
          </div>
        )}
      </Show>
    </section>
  );
}

/** Refresh and revoke: each says what it spends, and asks first where a copy elsewhere would die. */
function SpendingActions(props: {
  clientId: string;
  refreshText: string | null;
  policy: string;
  recipeName: string;
  /** The relay client's revocation endpoint; null when it has none. */
  revocationEndpoint: string | null;
  refreshToken: string | null;
  accessToken: string | null;
}) {
  const [, actions] = useAppState();
  const navigate = useNavigate();
  const [asking, setAsking] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const spends = () => props.policy === "rotating" || props.policy === "single-use";
  const refresh = async () => {
    setAsking(false);
    setError(null);
    const text = props.refreshText;
    if (text === null) return;
    const imported = await actions.importTokens(props.clientId, text);
    if (imported.kind === "refused") return setError(imported.message);
    const outcome = await actions.refresh(imported.connectionId, { confirmHandedOff: true });
    if (outcome.kind === "not_sent") setError(outcome.message);
    navigate(`/connections/${imported.connectionId}`);
  };
  return (
    <section aria-labelledby="spend-heading" class="card">
      <h3 id="spend-heading">Actions that spend something</h3>
      <Show
        when={props.refreshText !== null}
        fallback={<p>The paste has no refresh token: nothing to refresh.</p>}
      >
        <p>
          <strong>Refresh</strong> spends this refresh token
          {spends()
            ? `: ${props.recipeName} refresh tokens are ${props.policy}, so every other copy (the customer's server) stops working.`
            : `; ${props.recipeName} refresh tokens stay valid, so copies elsewhere keep working.`}{" "}
          The new tokens are saved here as a new connection.
        </p>
        <Show when={asking()}>
          <ConfirmDialog
            id="confirm-spend"
            title="Spend this refresh token?"
            confirm="Spend it and refresh"
            onConfirm={() => void refresh()}
            onCancel={() => setAsking(false)}
          >
            {props.recipeName} refresh tokens are {props.policy}. Refreshing here replaces it: the copy the
            customer's server holds stops working, and the server must be given the new one.
          </ConfirmDialog>
        </Show>
        <button
          type="button"
          class="button danger"
          disabled={asking()}
          onClick={() => (spends() ? setAsking(true) : void refresh())}
        >
          Refresh (spends the refresh token)
        </button>
      </Show>
      <RevokePasted
        clientId={props.clientId}
        recipeName={props.recipeName}
        endpoint={props.revocationEndpoint}
        refreshToken={props.refreshToken}
        accessToken={props.accessToken}
      />
      <ProblemAlert message={error()} />
    </section>
  );
}

/**
 * Revoking a pasted token (RFC 7009) through the relay: it ends the customer's token for good, so
 * each button says which token it ends and asks first. Nothing is stored; the answer is shown.
 */
function RevokePasted(props: {
  clientId: string;
  recipeName: string;
  endpoint: string | null;
  refreshToken: string | null;
  accessToken: string | null;
}) {
  const [, actions] = useAppState();
  const [asking, setAsking] = createSignal<RevocationTokenType | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<{ result: RelayTokenResult; verdict: RevocationVerdict } | null>(null);
  const host = () => formatHost(props.endpoint);
  // What was revoked belongs to the paste it came from: a new paste or client starts afresh.
  createEffect(
    on(
      [() => props.refreshToken, () => props.accessToken, () => props.clientId],
      () => {
        setDone(null);
        setAsking(null);
      },
      { defer: true },
    ),
  );
  const revoke = async (which: RevocationTokenType) => {
    setAsking(null);
    setError(null);
    const token = which === "refresh_token" ? props.refreshToken : props.accessToken;
    if (token === null) return;
    setBusy(true);
    try {
      setDone(await actions.revokePasted(props.clientId, token, which));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const envelope = () => {
    const result = done()?.result;
    return result?.kind === "envelope" ? result.envelope : null;
  };
  return (
    <>
      <p data-testid="revoke-note">
        <strong>Revoke</strong> (RFC 7009) ends the token now, and often the whole grant; it cannot be undone.{" "}
        <Show
          when={host()}
          fallback={`${props.recipeName} has no revocation endpoint tokendesk knows, so nothing can be revoked from here: the customer can remove the app's access in the provider's account settings.`}
        >
          {(where) => `The relay sends it to ${where()} and nowhere else.`}
        </Show>
      </p>
      <Show when={host() && (props.refreshToken !== null || props.accessToken !== null)}>
        <Show when={asking()}>
          {(which) => (
            <ConfirmDialog
              id="confirm-revoke"
              title={which() === "refresh_token" ? "Revoke this refresh token?" : "Revoke this access token?"}
              confirm={which() === "refresh_token" ? "Revoke it for good" : "Revoke the access token"}
              onConfirm={() => void revoke(which())}
              onCancel={() => setAsking(null)}
            >
              {which() === "refresh_token"
                ? "The provider ends this refresh token whatever its policy: the customer's server can never refresh with it again, and must be authorized again. Providers usually end the access tokens issued with it, some the whole grant."
                : "The provider ends this access token now: the customer's calls with it fail. Some providers end the refresh token with it (RFC 7009 §2.1 allows it)."}
            </ConfirmDialog>
          )}
        </Show>
        <div class="actions">
          <Show when={props.refreshToken !== null}>
            <button
              type="button"
              class="button danger"
              disabled={busy() || asking() !== null}
              onClick={() => setAsking("refresh_token")}
            >
              Revoke the refresh token (ends it for good)
            </button>
          </Show>
          <Show when={props.accessToken !== null}>
            <button
              type="button"
              class="button danger"
              disabled={busy() || asking() !== null}
              onClick={() => setAsking("access_token")}
            >
              Revoke the access token (ends it now)
            </button>
          </Show>
        </div>
      </Show>
      <ProblemAlert message={error()} />
      <Show when={done()}>
        {(d) => (
          <div data-testid="revoke-result">
            <p>
              <strong>{d().verdict.title}.</strong> {d().verdict.detail}
            </p>
            <p>
              <strong>Next:</strong> {d().verdict.next}
            </p>
            <Show when={envelope()}>
              {(e) => <HttpExchange sent={e().sent} upstream={e().upstream} ms={e().ms} title="revocation" />}
            </Show>
          </div>
        )}
      </Show>
    </>
  );
}

/** Everything about a paste: inspection, reads, spending actions, the explainer. */
function PasteDesk(props: { inspection: Inspection }) {
  const [state, actions] = useAppState();
  const now = useClock();
  const clients = () => state.clients ?? [];
  const guesses = createMemo(() => guessOrigin(props.inspection, clients(), recipes));
  const [chosen, setChosen] = createSignal<string | null>(null);
  const clientId = () => chosen() ?? guesses()[0]?.clientIds[0] ?? clients()[0]?.id ?? "";
  const client = () => clients().find((c) => c.id === clientId()) ?? null;
  const recipe = () =>
    actions.recipeFor({ provider: client()?.provider ?? guesses()[0]?.recipeId ?? "custom" });
  const [asRefresh, setAsRefresh] = createSignal(false);
  const tokenOf = (role: string) => props.inspection.tokens.find((t) => t.role === role)?.value ?? null;
  const single = () => (props.inspection.kind === "token" ? tokenOf("token") : null);
  const accessToken = () => tokenOf("access_token") ?? (asRefresh() ? null : single());
  const refreshToken = () => tokenOf("refresh_token") ?? (asRefresh() ? single() : null);
  const [fingerprints] = createResource(
    () => props.inspection,
    async (i) =>
      Object.fromEntries(await Promise.all(i.tokens.map(async (t) => [t.value, await fingerprint(t.value)]))),
  );
  const [history] = createResource(
    () => refreshToken() ?? false,
    (token) => actions.refreshTokenHistory(token),
  );
  const [probe, setProbe] = createSignal<{
    status: number;
    at: number;
    ms: number;
    headers: Record<string, string>;
  } | null>(null);
  createEffect(
    on(
      () => props.inspection,
      () => setProbe(null),
      { defer: true },
    ),
  );
  const context = (grant: Grant): CauseContext =>
    contextFromPaste({
      facts: props.inspection.facts,
      recipe: recipe(),
      grantType: grant,
      client: client(),
      isExport: props.inspection.kind === "handoff",
      history: history() ?? null,
      refreshFingerprint: (refreshToken() && fingerprints()?.[refreshToken() ?? ""]) || null,
      probe: probe(),
      now: now(),
    });
  const assessment = () =>
    refreshToken() === null ? null : assessRefreshToken(context("refresh_token"), now());
  const pastedKind = (): FailureKind | null => {
    const error = props.inspection.error?.error;
    if (error === undefined) return null;
    return (FAILURE_KINDS as readonly string[]).includes(error) ? (error as FailureKind) : "other";
  };
  const refreshText = () =>
    props.inspection.kind === "token_response"
      ? props.inspection.json && JSON.stringify(props.inspection.json)
      : refreshToken();
  return (
    <>
      <InspectionView
        inspection={props.inspection}
        guesses={guesses()}
        now={now()}
        fingerprints={fingerprints() ?? {}}
      />
      <Show when={single()}>
        <fieldset class="inline-field">
          <legend>This token is</legend>
          <label class="inline-field">
            <input
              type="radio"
              name="token-role"
              checked={!asRefresh()}
              onChange={() => setAsRefresh(false)}
            />
            an access token
          </label>
          <label class="inline-field">
            <input type="radio" name="token-role" checked={asRefresh()} onChange={() => setAsRefresh(true)} />
            a refresh token
          </label>
        </fieldset>
      </Show>
      <Show when={history()}>
        {(h) => (
          <p data-testid="history-match">
            This browser knows this refresh token: connection{" "}
            <A href={`/connections/${h().connectionId}`}>{h().connectionName}</A>
            {h().current ? " holds it as its current one" : " held it"}
            {h().handedOffAt === null ? "" : ", and exported it for a server"}.
          </p>
        )}
      </Show>
      <Show when={assessment()}>
        {(a) => (
          <div class="card" data-testid="refresh-state">
            <h3>Refresh token: {STATE_WORDS[a().state]}</h3>
            <ul>
              <For each={a().because}>{(reason) => <li>{reason}</li>}</For>
            </ul>
          </div>
        )}
      </Show>
      <Show when={clients().length > 0 && props.inspection.tokens.length > 0}>
        <SafeChecks
          clients={clients()}
          clientId={clientId()}
          onClient={setChosen}
          accessToken={accessToken()}
          onProbe={(o, at) =>
            setProbe(
              o.result.kind === "envelope"
                ? {
                    status: o.result.envelope.upstream.status,
                    at,
                    ms: o.result.envelope.ms,
                    headers: { ...o.result.envelope.upstream.headers },
                  }
                : null,
            )
          }
        />
        <SpendingActions
          clientId={clientId()}
          refreshText={refreshText()}
          policy={recipe().refreshPolicy}
          recipeName={recipe().name}
          revocationEndpoint={client()?.revocation_endpoint ?? null}
          refreshToken={refreshToken()}
          accessToken={accessToken()}
        />
      </Show>
      <Explainer
        context={context}
        kind={pastedKind()}
        grant={
          refreshToken() !== null || props.inspection.kind === "error_response"
            ? "refresh_token"
            : "authorization_code"
        }
        source={props.inspection.kind === "error_response" ? "the pasted answer" : null}
      />
    </>
  );
}

/** A bundle, live or imported: its state, the explainer on its last failure, the credential trail. */
function BundleDesk(props: { bundle: DiagnosticBundle; readOnly: boolean }) {
  const [, actions] = useAppState();
  const now = useClock();
  const recipe = () => actions.recipeFor({ provider: props.bundle.connection.provider });
  const failure = () => lastFailure(props.bundle);
  const text = () => serializeBundle(props.bundle);
  const download = () => {
    const url = URL.createObjectURL(new Blob([text()], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = bundleFileName(props.bundle);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <>
      <Show when={props.readOnly}>
        <p class="warning" role="note" data-testid="read-only">
          Opened read-only: this bundle holds fingerprints, not tokens, so nothing here can be refreshed or
          sent.
        </p>
      </Show>
      <section aria-labelledby="bundle-heading" class="card">
        <h3 id="bundle-heading">Diagnostic bundle</h3>
        <Show when={!props.readOnly}>
          <p>
            The connection's history as one redacted JSON file for a ticket: every token, code and secret is a
            short fingerprint.
          </p>
          <div class="actions">
            <button type="button" class="button" onClick={download}>
              Download diagnostic bundle
            </button>
            <CopyButton value={text()} label="diagnostic bundle" />
          </div>
        </Show>
        <BundleView bundle={props.bundle} now={now()} />
      </section>
      <Explainer
        context={(grant) => contextFromBundle(props.bundle, recipe(), grant)}
        kind={failure()?.kind ?? null}
        grant={failure()?.grantType ?? props.bundle.lastExchange?.grantType ?? "refresh_token"}
        source={failure() === null ? null : "the last exchange"}
      />
      <section aria-labelledby="trail-heading" class="card">
        <h3 id="trail-heading">Where did my credentials go</h3>
        <p class="muted">
          For each request in the history: which hosts saw the secret, the code and the tokens.
        </p>
        <CredentialTrailView rows={credentialTrail(props.bundle)} />
      </section>
    </>
  );
}

export function SupportPage() {
  const [state, actions] = useAppState();
  const [search, setSearch] = useSearchParams<{ connection?: string }>();
  const [text, setText] = createSignal("");
  const [fileError, setFileError] = createSignal<string | null>(null);
  const inspection = createMemo(() => inspectPaste(text()));
  const imported = createMemo(() => {
    const i = inspection();
    return i.kind === "bundle" ? parseDiagnosticBundle(i.json) : null;
  });
  const importedBundle = () => {
    const parsed = imported();
    return parsed?.ok ? parsed.bundle : null;
  };
  const importProblem = () => {
    const parsed = imported();
    return parsed === null || parsed.ok ? null : parsed.problem;
  };
  const connection = () => state.connections.find((c) => c.id === search.connection);
  const [live] = createResource(
    () => {
      const c = connection();
      return c === undefined ? false : { c, revision: c.revision };
    },
    async ({ c }) => {
      const client = state.clients?.find((x) => x.id === c.clientId) ?? null;
      return buildDiagnosticBundle(c, await actions.events(c.id), {
        now: Date.now(),
        client,
        appOrigin: new URL(state.redirectUri).origin,
        relayBase: state.relayBase,
      });
    },
  );
  const openFile = async (file: File | undefined) => {
    setFileError(null);
    if (file === undefined) return;
    if (file.size > 5_000_000) return setFileError("This file is larger than 5 MB: not a diagnostic bundle.");
    setSearch({ connection: undefined });
    setText(await file.text());
  };
  return (
    <article aria-labelledby="support-heading">
      <h2 id="support-heading">Support desk</h2>
      <p>
        See and explain a token's state without spending it. Reads are marked{" "}
        <span class="badge">read-only</span>. Anything that spends a token says what it spends, and asks first
        when a copy elsewhere would stop working.
      </p>
      <section aria-labelledby="inspect-heading" class="card">
        <h3 id="inspect-heading">Inspect</h3>
        <p class="muted">Read in this page only: nothing is sent while you paste.</p>
        <label class="field">
          <span>Paste a token, a token response, an exported connection or a diagnostic bundle</span>
          <textarea
            spellcheck={false}
            autocomplete="off"
            value={text()}
            onInput={(e) => {
              setText(e.currentTarget.value);
              if (search.connection !== undefined) setSearch({ connection: undefined });
            }}
          />
        </label>
        <label class="field">
          <span>Or open a diagnostic bundle file</span>
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => void openFile(e.currentTarget.files?.[0])}
          />
        </label>
        <Show when={state.connections.length > 0}>
          <label class="field">
            <span>Or diagnose a connection in this browser</span>
            <select
              value={search.connection ?? ""}
              onChange={(e) => setSearch({ connection: e.currentTarget.value || undefined })}
            >
              <option value="">Choose a connection…</option>
              <For each={state.connections}>{(c) => <option value={c.id}>{c.name}</option>}</For>
            </select>
          </label>
        </Show>
        <ProblemAlert message={fileError()} />
      </section>
      <Show
        when={search.connection === undefined}
        fallback={
          <Show when={live()} fallback={<p>{live.error ? String(live.error) : "Reading the connection…"}</p>}>
            {(bundle) => <BundleDesk bundle={bundle()} readOnly={false} />}
          </Show>
        }
      >
        <ProblemAlert message={importProblem()} />
        <Show
          when={importedBundle()}
          fallback={
            <Show when={inspection().kind !== "empty" && inspection().kind !== "bundle"}>
              <PasteDesk inspection={inspection()} />
            </Show>
          }
        >
          {(bundle) => <BundleDesk bundle={bundle()} readOnly={true} />}
        </Show>
      </Show>
    </article>
  );
}
