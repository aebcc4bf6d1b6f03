import { createSignal, Show } from "solid-js";
import type { RevocationTokenType } from "../../../relay/contract.ts";
import type { Connection } from "../../../store/records.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { formatHost, formatTime } from "../../components/format.ts";
import { useAppState } from "../../state/app-state.tsx";

/**
 * Revocation (RFC 7009), a spending action: each button names what it ends, and asks first. Offered
 * when the relay lists a revocation endpoint for the connection's client; otherwise it says so.
 */
export function Revoke(props: {
  connection: Connection;
  busy: boolean;
  onRevoke: (which: RevocationTokenType) => void;
}) {
  const [state, actions] = useAppState();
  const [asking, setAsking] = createSignal<RevocationTokenType | null>(null);
  const client = () => state.clients?.find((c) => c.id === props.connection.clientId);
  const recipe = () => actions.recipeFor(props.connection);
  const host = () => formatHost(client()?.revocation_endpoint);
  const tokens = () => props.connection.tokenSet;
  const handedOff = () => props.connection.handedOffAt;
  return (
    <Show when={client() && (tokens()?.refreshToken || tokens()?.accessToken)}>
      <section aria-labelledby="revoke-heading" class="card">
        <h3 id="revoke-heading">Revoke</h3>
        <Show
          when={host()}
          fallback={
            <p>
              {recipe().name} has no revocation endpoint tokendesk knows: to end these tokens, remove the
              app's access in the provider's account settings.
            </p>
          }
        >
          {(where) => (
            <>
              <p>
                Revoking (RFC 7009) asks {where()} to end a token now; it cannot be undone. A revoked refresh
                token stops working everywhere, a server's copy too
                {recipe().refreshPolicy === "reusable"
                  ? "."
                  : `: ${recipe().name} refresh tokens are ${recipe().refreshPolicy}, so there is only ever one that works.`}
              </p>
              <Show when={asking()}>
                {(which) => (
                  <ConfirmDialog
                    id="confirm-revoke"
                    title={
                      which() === "refresh_token" ? "Revoke the refresh token?" : "Revoke the access token?"
                    }
                    confirm={which() === "refresh_token" ? "Revoke it for good" : "Revoke the access token"}
                    onConfirm={() => {
                      // Read before closing: the dialog's value is gone once it is.
                      const chosen = which();
                      setAsking(null);
                      props.onRevoke(chosen);
                    }}
                    onCancel={() => setAsking(null)}
                  >
                    {which() === "refresh_token"
                      ? `The provider ends this refresh token, and usually the access tokens issued with it; some providers end the whole grant. Nothing can refresh it again: you will have to authorize again.${handedOff() === null ? "" : ` It was handed off to a server at ${formatTime(handedOff() ?? 0)}: the server's copy stops working too.`}`
                      : "The provider ends this access token now, and calls made with it fail. Some providers end the refresh token with it (RFC 7009 §2.1 allows it)."}
                  </ConfirmDialog>
                )}
              </Show>
              <div class="actions">
                <Show when={tokens()?.refreshToken}>
                  <button
                    type="button"
                    class="button danger"
                    disabled={
                      props.busy || props.connection.refreshTokenStatus === "dead" || asking() !== null
                    }
                    onClick={() => setAsking("refresh_token")}
                  >
                    Revoke the refresh token (ends it for good)
                  </button>
                </Show>
                <Show when={tokens()?.accessToken}>
                  <button
                    type="button"
                    class="button danger"
                    disabled={props.busy || asking() !== null}
                    onClick={() => setAsking("access_token")}
                  >
                    Revoke the access token (ends it now)
                  </button>
                </Show>
              </div>
            </>
          )}
        </Show>
      </section>
    </Show>
  );
}
