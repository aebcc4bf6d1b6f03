import { For, Show } from "solid-js";
import type { Inspection, OriginGuess, PastedFacts } from "../../oauth/inspect.ts";
import { Countdown } from "./countdown.tsx";
import { formatInstant } from "./format.ts";
import { JwtView } from "./jwt-view.tsx";
import { TokenField } from "./token-field.tsx";

const ROLE_NAMES = {
  access_token: "Access token",
  refresh_token: "Refresh token",
  id_token: "ID token",
  token: "Pasted token",
} as const;

function Facts(props: { facts: PastedFacts; now: number }) {
  const f = () => props.facts;
  const row = (label: string, value: string | number | null) =>
    value === null ? null : (
      <>
        <dt>{label}</dt>
        <dd>{String(value)}</dd>
      </>
    );
  return (
    <dl class="facts" data-testid="inspect-facts">
      {row("Provider", f().provider)}
      {row("Relay client", f().relayClient)}
      {row("Environment", f().environment)}
      {row("client_id", f().clientId)}
      {row("Token endpoint", f().tokenEndpoint)}
      {row("Refresh policy", f().refreshPolicy)}
      {row("Scope", f().scope)}
      {row("Token type", f().tokenType)}
      {row("expires_in (s)", f().expiresIn)}
      {row("Issued or received", f().issuedAt === null ? null : formatInstant(f().issuedAt ?? 0))}
      <Show when={f().accessExpiresAt !== null}>
        <dt>Access token</dt>
        <dd>
          <Countdown label="Access token expires" expiresAt={f().accessExpiresAt} now={props.now} />
        </dd>
      </Show>
      <Show when={f().refreshExpiresAt !== null}>
        <dt>Refresh token</dt>
        <dd>
          <Countdown label="Refresh token expires" expiresAt={f().refreshExpiresAt} now={props.now} />
        </dd>
      </Show>
    </dl>
  );
}

function Guesses(props: { guesses: readonly OriginGuess[] }) {
  return (
    <Show
      when={props.guesses.length > 0}
      fallback={<p class="muted">Nothing in it points to a provider tokendesk knows.</p>}
    >
      <ol class="guesses" data-testid="origin-guesses">
        <For each={props.guesses}>
          {(guess) => (
            <li>
              <strong>{guess.recipeName}</strong> <span class="badge">{guess.confidence}</span>
              <Show when={guess.clientIds.length > 0}>
                {" "}
                · relay client{guess.clientIds.length > 1 ? "s" : ""} {guess.clientIds.join(", ")}
              </Show>
              <ul>
                <For each={guess.reasons}>{(reason) => <li>{reason}</li>}</For>
              </ul>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}

/** What a paste is and says, read without any network call; every value shown as text. */
export function InspectionView(props: {
  inspection: Inspection;
  guesses: readonly OriginGuess[];
  now: number;
  /** Fingerprints of the pasted tokens, by value, as history shows them. */
  fingerprints: Readonly<Record<string, string>>;
}) {
  return (
    <div class="inspection">
      <p data-testid="inspect-summary">{props.inspection.summary}</p>
      <Show when={props.inspection.containsSecret}>
        <p class="problem" role="alert">
          This paste contains a client secret. Treat it as leaked: rotate it at the provider, then update the
          relay's TOKENDESK_CLIENTS. tokendesk never needs it in the page.
        </p>
      </Show>
      <Show when={props.inspection.error}>
        {(error) => (
          <dl class="facts" data-testid="inspect-error">
            <dt>error</dt>
            <dd>{error().error}</dd>
            <Show when={error().description}>
              <dt>error_description</dt>
              <dd>{error().description}</dd>
            </Show>
          </dl>
        )}
      </Show>
      <Show when={["handoff", "token_response"].includes(props.inspection.kind)}>
        <Facts facts={props.inspection.facts} now={props.now} />
      </Show>
      <For each={props.inspection.tokens}>
        {(token) => (
          <section class="card" aria-label={ROLE_NAMES[token.role]} data-role={token.role}>
            <TokenField label={ROLE_NAMES[token.role]} value={token.value} testId={`pasted-${token.role}`} />
            <p class="muted">
              <Show when={props.fingerprints[token.value]}>
                {(fp) => <>Fingerprint {fp()} (history shows tokens by this) · </>}
              </Show>
              {token.value.length} characters
              <Show when={token.shape}>{(shape) => <> · looks like a {shape()}</>}</Show>
            </p>
            <JwtView reading={token.reading} now={props.now} label={ROLE_NAMES[token.role]} />
          </section>
        )}
      </For>
      <Show when={props.inspection.kind !== "empty" && props.inspection.kind !== "bundle"}>
        <h4>Most likely belongs to</h4>
        <Guesses guesses={props.guesses} />
      </Show>
    </div>
  );
}
