import { createEffect, createMemo, createResource, createSignal, For, on, Show } from "solid-js";
import {
  assessRefreshToken,
  type CauseContext,
  FAILURE_KINDS,
  type FailureKind,
} from "../../../oauth/causes.ts";
import { fingerprint } from "../../../oauth/fingerprint.ts";
import { guessOrigin, type Inspection } from "../../../oauth/inspect.ts";
import { recipes } from "../../../providers/index.ts";
import { contextFromPaste } from "../../../store/diagnose.ts";
import { InspectionView } from "../../components/inspection-view.tsx";
import { A } from "../../router.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { useClock } from "../../state/clock.ts";
import { Explainer, type Grant, STATE_WORDS } from "./explainer.tsx";
import { SafeChecks } from "./safe-checks.tsx";
import { SpendingActions } from "./spending-actions.tsx";

/** Everything about a paste: inspection, reads, spending actions, the explainer. */
export function PasteDesk(props: { inspection: Inspection }) {
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
          refreshToken={refreshToken()}
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
