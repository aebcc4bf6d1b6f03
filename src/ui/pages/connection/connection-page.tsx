import { createResource, createSignal, Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { refreshTokenRevoked } from "../../../store/status.ts";
import { connectionStatus } from "../../../store/summary.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { ShowValuesScope, ShowValuesSwitch } from "../../components/secret-values.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { LazyConnectionTimeline } from "../../components/timeline/lazy.tsx";
import { A, useNavigate, useParams } from "../../router.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { useClock } from "../../state/clock.ts";
import { createConnectionRecord } from "../../state/connection-record.ts";
import { ProviderDetails } from "../provider-details.tsx";
import { AutoRefreshSettings } from "./auto-refresh.tsx";
import { BackupConnection } from "./backup.tsx";
import { CodeStep } from "./code-step.tsx";
import { HandOff } from "./hand-off.tsx";
import { History } from "./history.tsx";
import { IdTokenPanel } from "./id-token.tsx";
import { Introspect } from "./introspect.tsx";
import { LastExchange } from "./last-exchange.tsx";
import { ConnectionProblem } from "./problem.tsx";
import { Rename } from "./rename.tsx";
import { Revoke } from "./revoke.tsx";
import { TokenSetView } from "./token-set.tsx";
import { TryApi } from "./try-api.tsx";

export function ConnectionPage() {
  const params = useParams<{ id: string }>();
  const [, actions] = useAppState();
  const navigate = useNavigate();
  const now = useClock();
  const { record: connection, settled, stamp } = createConnectionRecord(() => params.id);
  const [busy, setBusy] = createSignal(false);
  const [notice, setNotice] = createSignal<string | null>(null);
  // Read again whenever the connection is written, so the history never lags the token set.
  const [events] = createResource(
    () => {
      const written = stamp();
      return written === undefined ? false : { id: params.id, written };
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
        <Show when={settled()} fallback={<p>Loading…</p>}>
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
        <ShowValuesScope resetOn={() => params.id}>
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
            <ShowValuesSwitch />
            <ProblemAlert message={notice()} />
            <ConnectionProblem connection={c()} />
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
            <Show when={c().tokenSet !== null}>
              <TryApi
                connection={c()}
                busy={busy()}
                onRefresh={(confirmed) =>
                  void run(() => actions.refresh(c().id, { confirmHandedOff: confirmed }))
                }
              />
            </Show>
            <Introspect connection={c()} />
            <IdTokenPanel
              connection={c()}
              busy={busy()}
              onCheckAgain={() => void run(() => actions.checkIdToken(c().id))}
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
            <BackupConnection connection={c()} />
            <ProviderDetails connection={c()} />
            <LastExchange connection={c()} />
            <Show when={events()}>
              {(list) => <LazyConnectionTimeline connection={c()} events={list()} />}
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
        </ShowValuesScope>
      )}
    </Show>
  );
}
