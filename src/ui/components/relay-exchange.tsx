import { Show } from "solid-js";
import type { RelayTokenResult } from "../../oauth/relay-client.ts";
import { HttpExchange } from "./http-exchange.tsx";

/**
 * The exchange behind a relay call, when the provider was called and answered; nothing when the
 * relay refused or the answer is unknown (the caller says why in words).
 */
export function RelayExchange(props: {
  result: RelayTokenResult | null | undefined;
  title: string;
  /** Values known to be credentials, masked wherever they appear. */
  secrets?: readonly string[];
}) {
  const envelope = () => (props.result?.kind === "envelope" ? props.result.envelope : null);
  return (
    <Show when={envelope()}>
      {(e) => (
        <HttpExchange
          sent={e().sent}
          upstream={e().upstream}
          ms={e().ms}
          title={props.title}
          secrets={props.secrets}
        />
      )}
    </Show>
  );
}
