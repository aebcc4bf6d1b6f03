import { createSignal, Show } from "solid-js";
import type { IntrospectionVerdict } from "../../../oauth/introspection.ts";
import type { RelayTokenResult } from "../../../oauth/relay-client.ts";
import type { RevocationTokenType } from "../../../relay/contract.ts";
import type { Connection } from "../../../store/records.ts";
import { formatHost } from "../../components/format.ts";
import { IntrospectButtons } from "../../components/introspect-buttons.tsx";
import { IntrospectionView } from "../../components/introspection-view.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { useClock } from "../../state/clock.ts";
import { createTask } from "../../state/task.ts";

const NAMES: Readonly<Record<RevocationTokenType, string>> = {
  access_token: "an access token",
  refresh_token: "a refresh token",
};

/**
 * Introspection (RFC 7662), a read-only check: asks the provider whether the connection's access or
 * refresh token is still active. Offered when the relay lists an introspection endpoint for the
 * client; otherwise it says so. It has its own busy state: it never waits for a refresh nor blocks one.
 */
export function Introspect(props: { connection: Connection }) {
  const [state, actions] = useAppState();
  const now = useClock();
  const task = createTask();
  const [done, setDone] = createSignal<{
    which: RevocationTokenType;
    token: string;
    result: RelayTokenResult;
    verdict: IntrospectionVerdict;
  } | null>(null);
  const client = () => state.clients?.find((c) => c.id === props.connection.clientId);
  const recipe = () => actions.recipeFor(props.connection);
  const host = () => formatHost(client()?.introspection_endpoint);
  const tokens = () => props.connection.tokenSet;
  const current = (which: RevocationTokenType) =>
    (which === "refresh_token" ? tokens()?.refreshToken : tokens()?.accessToken) ?? null;
  const introspect = async (which: RevocationTokenType) => {
    const token = current(which);
    if (token === null) return;
    await task.run(async () => {
      const outcome = await actions.introspect(props.connection.id, which);
      if (outcome.kind === "not_sent") task.setError(outcome.message);
      else setDone({ which, token, result: outcome.result, verdict: outcome.verdict });
    });
  };
  return (
    <Show when={client() && (tokens()?.refreshToken || tokens()?.accessToken)}>
      <section aria-labelledby="introspect-heading" class="card">
        <h3 id="introspect-heading">
          Introspect <span class="badge">read-only</span>
        </h3>
        <Show
          when={host()}
          fallback={
            <p data-testid="introspect-note">
              {recipe().name} has no RFC 7662 introspection endpoint tokendesk knows: there is no server to
              ask whether these tokens are still active.
            </p>
          }
        >
          {(where) => (
            <>
              <p data-testid="introspect-note">
                Introspection (RFC 7662) asks {where()} whether a token is still active and what it knows of
                it. It only reads: nothing is spent, no token changes, and refreshes go on as before.
              </p>
              <IntrospectButtons
                hasAccessToken={Boolean(tokens()?.accessToken)}
                hasRefreshToken={Boolean(tokens()?.refreshToken)}
                busy={task.busy()}
                onIntrospect={(which) => void introspect(which)}
              />
            </>
          )}
        </Show>
        <ProblemAlert message={task.error()} />
        <Show when={done()}>
          {(d) => (
            <>
              <Show when={current(d().which) !== d().token}>
                <p class="muted" data-testid="introspect-stale">
                  This answer is about {NAMES[d().which]} the connection no longer holds.
                </p>
              </Show>
              <IntrospectionView verdict={d().verdict} result={d().result} now={now()} />
            </>
          )}
        </Show>
      </section>
    </Show>
  );
}
