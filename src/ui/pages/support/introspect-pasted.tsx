import { createEffect, createSignal, on, Show } from "solid-js";
import type { IntrospectionVerdict } from "../../../oauth/introspection.ts";
import type { RelayTokenResult } from "../../../oauth/relay-client.ts";
import type { RevocationTokenType } from "../../../relay/contract.ts";
import { formatHost } from "../../components/format.ts";
import { IntrospectionView } from "../../components/introspection-view.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { useClock } from "../../state/clock.ts";

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
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
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
        setError(null);
      },
      { defer: true },
    ),
  );
  const introspect = async (which: RevocationTokenType) => {
    const token = which === "refresh_token" ? props.refreshToken : props.accessToken;
    if (token === null) return;
    setBusy(true);
    setError(null);
    try {
      setDone(await actions.introspectPasted(props.clientId, token, which));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
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
            <div class="actions">
              <Show when={props.accessToken !== null}>
                <button
                  type="button"
                  class="button"
                  disabled={busy()}
                  onClick={() => void introspect("access_token")}
                >
                  Introspect the access token
                </button>
              </Show>
              <Show when={props.refreshToken !== null}>
                <button
                  type="button"
                  class="button"
                  disabled={busy()}
                  onClick={() => void introspect("refresh_token")}
                >
                  Introspect the refresh token
                </button>
              </Show>
            </div>
          </>
        )}
      </Show>
      <ProblemAlert message={error()} />
      <Show when={done()}>
        {(d) => <IntrospectionView verdict={d().verdict} result={d().result} now={now()} />}
      </Show>
    </div>
  );
}
