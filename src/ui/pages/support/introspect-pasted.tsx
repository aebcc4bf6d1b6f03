import { createEffect, createSignal, on, Show } from "solid-js";
import type { IntrospectionVerdict } from "../../../oauth/introspection.ts";
import type { RelayTokenResult } from "../../../oauth/relay-client.ts";
import type { RevocationTokenType } from "../../../relay/contract.ts";
import { formatHost } from "../../components/format.ts";
import { IntrospectButtons } from "../../components/introspect-buttons.tsx";
import { IntrospectionView } from "../../components/introspection-view.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { useClock } from "../../state/clock.ts";
import { createTask } from "../../state/task.ts";

/**
 * Introspecting a pasted token (RFC 7662) through the relay, with the chosen client's credentials: a
 * read, so it asks nothing first. Nothing is stored; the answer and what it means are shown.
 */
export function IntrospectPasted(props: {
  clientId: string;
  recipeName: string;
  endpoint: string | null;
  accessToken: string | null;
  refreshToken: string | null;
}) {
  const [, actions] = useAppState();
  const now = useClock();
  const task = createTask();
  const [done, setDone] = createSignal<{ result: RelayTokenResult; verdict: IntrospectionVerdict } | null>(
    null,
  );
  const host = () => formatHost(props.endpoint);
  // An answer belongs to the paste and client it came from: a new paste or client starts afresh.
  createEffect(
    on(
      [() => props.accessToken, () => props.refreshToken, () => props.clientId],
      () => {
        setDone(null);
        task.setError(null);
      },
      { defer: true },
    ),
  );
  const introspect = async (which: RevocationTokenType) => {
    const token = which === "refresh_token" ? props.refreshToken : props.accessToken;
    if (token === null) return;
    await task.run(async () => {
      setDone(await actions.introspectPasted(props.clientId, token, which));
    });
  };
  return (
    <div data-testid="introspect-pasted">
      <h4>Introspect (RFC 7662)</h4>
      <Show
        when={host()}
        fallback={
          <p data-testid="introspection">
            {props.recipeName} has no RFC 7662 introspection endpoint tokendesk knows, so there is no server
            to ask whether the token is active.
          </p>
        }
      >
        {(where) => (
          <>
            <p data-testid="introspection">
              The relay asks {where()}, and nothing else, whether the token is active, authenticated as this
              client. The answer says active or not, and what the server knows of it: scope, client, subject,
              expiry.
            </p>
            <IntrospectButtons
              hasAccessToken={props.accessToken !== null}
              hasRefreshToken={props.refreshToken !== null}
              busy={task.busy()}
              onIntrospect={(which) => void introspect(which)}
            />
          </>
        )}
      </Show>
      <ProblemAlert message={task.error()} />
      <Show when={done()}>
        {(d) => <IntrospectionView verdict={d().verdict} result={d().result} now={now()} />}
      </Show>
    </div>
  );
}
