import { createResource, Match, Switch } from "solid-js";
import { A, useNavigate } from "../router.tsx";
import { useAppState } from "../state/app-state.tsx";

/** Where the redirect URI lands: the answer is checked and turned into a connection, or refused. */
export function CallbackPage() {
  const [, actions] = useAppState();
  const navigate = useNavigate();
  const [outcome] = createResource(async () => {
    const result = await actions.takeCallback();
    if (result?.kind === "connected") navigate(`/connections/${result.connectionId}`, { replace: true });
    return result;
  });
  return (
    <section aria-live="polite">
      <h2>Provider's answer</h2>
      <Switch>
        <Match when={outcome.loading}>
          <p>Checking the provider's answer…</p>
        </Match>
        <Match when={outcome.error}>
          <p class="problem" role="alert">
            {String(outcome.error)}
          </p>
        </Match>
        <Match when={outcome() === null}>
          <p>
            There is no answer to handle here (a reload of this page does not replay one).{" "}
            <A href="/">Back to the start</A>.
          </p>
        </Match>
        <Match when={outcome()?.kind === "refused" ? outcome() : undefined}>
          {(refused) => {
            const r = refused() as { title: string; message: string; next: string };
            return (
              <div class="problem" role="alert">
                <h3>{r.title}</h3>
                <p>{r.message}</p>
                <p>
                  <strong>Next:</strong> {r.next} <A href="/">Back to the clients</A>.
                </p>
              </div>
            );
          }}
        </Match>
      </Switch>
    </section>
  );
}
