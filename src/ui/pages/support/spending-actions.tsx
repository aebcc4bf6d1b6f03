import { createSignal, Show } from "solid-js";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { useNavigate } from "../../router.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { offlineMessage } from "../../state/network.ts";
import { RevokePasted } from "./revoke-pasted.tsx";

/** Refresh and revoke: each says what it spends, and asks first where a copy elsewhere would die. */
export function SpendingActions(props: {
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
    // Before importing: offline, there would be a new connection and no refresh.
    const offline = offlineMessage("the refresh");
    if (offline !== null) return setError(offline);
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
