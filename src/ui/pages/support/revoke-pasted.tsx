import { createEffect, createSignal, on, Show } from "solid-js";
import type { RelayTokenResult } from "../../../oauth/relay-client.ts";
import type { RevocationVerdict } from "../../../oauth/revocation.ts";
import type { RevocationTokenType } from "../../../relay/contract.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { formatHost } from "../../components/format.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { RelayExchange } from "../../components/relay-exchange.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { createTask } from "../../state/task.ts";

/**
 * Revoking a pasted token (RFC 7009) through the relay: it ends the customer's token for good, so
 * each button says which token it ends and asks first. Nothing is stored; the answer is shown.
 */
export function RevokePasted(props: {
  clientId: string;
  recipeName: string;
  endpoint: string | null;
  refreshToken: string | null;
  accessToken: string | null;
}) {
  const [, actions] = useAppState();
  const [asking, setAsking] = createSignal<RevocationTokenType | null>(null);
  const task = createTask();
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
    task.setError(null);
    const token = which === "refresh_token" ? props.refreshToken : props.accessToken;
    if (token === null) return;
    await task.run(async () => {
      setDone(await actions.revokePasted(props.clientId, token, which));
    });
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
              disabled={task.busy() || asking() !== null}
              onClick={() => setAsking("refresh_token")}
            >
              Revoke the refresh token (ends it for good)
            </button>
          </Show>
          <Show when={props.accessToken !== null}>
            <button
              type="button"
              class="button danger"
              disabled={task.busy() || asking() !== null}
              onClick={() => setAsking("access_token")}
            >
              Revoke the access token (ends it now)
            </button>
          </Show>
        </div>
      </Show>
      <ProblemAlert message={task.error()} />
      <Show when={done()}>
        {(d) => (
          <div data-testid="revoke-result">
            <p>
              <strong>{d().verdict.title}.</strong> {d().verdict.detail}
            </p>
            <p>
              <strong>Next:</strong> {d().verdict.next}
            </p>
            <RelayExchange
              result={d().result}
              title="revocation"
              secrets={[props.refreshToken ?? "", props.accessToken ?? ""]}
            />
          </div>
        )}
      </Show>
    </>
  );
}
