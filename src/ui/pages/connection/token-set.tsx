import { Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { Countdown } from "../../components/countdown.tsx";
import { formatInstant } from "../../components/format.ts";
import { TokenField } from "../../components/token-field.tsx";
import { useClock } from "../../state/clock.ts";
import { RefreshButton } from "./refresh-button.tsx";

export function TokenSetView(props: {
  connection: Connection;
  /** Whether this connection's refresh token was revoked here (rather than refused by the provider). */
  refreshRevoked: boolean;
  busy: boolean;
  onRefresh: (confirmed: boolean) => void;
}) {
  const now = useClock();
  return (
    <Show when={props.connection.tokenSet}>
      {(tokens) => (
        <section aria-labelledby="tokens-heading" class="card">
          <h3 id="tokens-heading">Token set</h3>
          <p class="muted">
            Received {formatInstant(tokens().receivedAt)} · type {tokens().tokenType}
            <Show when={tokens().scope !== null}> · scope "{tokens().scope}"</Show>
          </p>
          <Show
            when={tokens().accessToken}
            fallback={<p>No access token (none was imported, or it was revoked): refresh to get one.</p>}
          >
            {(access) => (
              <TokenField label="Access token" value={access()} testId="access-token">
                <Countdown
                  label="Access token expires"
                  expiresAt={tokens().accessExpiresAt}
                  issuedAt={tokens().receivedAt}
                  receivedAt={tokens().receivedAt}
                  now={now()}
                />
              </TokenField>
            )}
          </Show>
          <Show
            when={tokens().refreshToken}
            fallback={<p>No refresh token: when the access token expires, authorize again.</p>}
          >
            {(refresh) => (
              <TokenField label="Refresh token" value={refresh()} testId="refresh-token">
                <Countdown
                  label="Refresh token expires"
                  expiresAt={tokens().refreshExpiresAt}
                  issuedAt={tokens().refreshReceivedAt}
                  receivedAt={tokens().refreshReceivedAt}
                  now={now()}
                />
                <Show when={props.connection.refreshTokenStatus !== "active"}>
                  <span class={`status status-${props.connection.refreshTokenStatus}`}>
                    {props.connection.refreshTokenStatus !== "dead"
                      ? "state unknown"
                      : props.refreshRevoked
                        ? "revoked"
                        : "refused by the provider"}
                  </span>
                </Show>
              </TokenField>
            )}
          </Show>
          <Show when={tokens().refreshToken !== null}>
            <RefreshButton connection={props.connection} busy={props.busy} onRefresh={props.onRefresh} />
          </Show>
        </section>
      )}
    </Show>
  );
}
