import { type JSX, Show } from "solid-js";
import type { DecodedJwt, JwtReading } from "../../oauth/jwt.ts";
import { Countdown } from "./countdown.tsx";
import { formatDuration, formatInstant } from "./format.ts";

/** An instant a JWT states, with how long ago or ahead it is; shown as text, never trusted. */
function Instant(props: { label: string; at: number | null; now: number }) {
  return (
    <Show when={props.at !== null}>
      <dt>{props.label}</dt>
      <dd>
        <time datetime={new Date(props.at ?? 0).toISOString()}>{formatInstant(props.at ?? 0)}</time>{" "}
        <span class="muted">
          (
          {(props.at ?? 0) <= props.now
            ? `${formatDuration(props.now - (props.at ?? 0))} ago`
            : `in ${formatDuration((props.at ?? 0) - props.now)}`}
          )
        </span>
      </dd>
    </Show>
  );
}

function Claims(props: { jwt: DecodedJwt; now: number; label: string }) {
  const list = (items: readonly string[], none: string): JSX.Element =>
    items.length === 0 ? <span class="muted">{none}</span> : items.join(" ");
  return (
    <>
      <dl class="facts" data-testid="jwt-facts">
        <dt>Algorithm</dt>
        <dd>
          {props.jwt.algorithm ?? "none stated"}
          <Show when={props.jwt.algorithm === "none"}>
            {" "}
            <strong>(unsigned: anyone could have written it)</strong>
          </Show>
        </dd>
        <dt>Issuer</dt>
        <dd>{props.jwt.issuer ?? <span class="muted">not stated</span>}</dd>
        <dt>Audience</dt>
        <dd>{list(props.jwt.audience, "not stated")}</dd>
        <dt>Subject</dt>
        <dd>{props.jwt.subject ?? <span class="muted">not stated</span>}</dd>
        <Show when={props.jwt.clientId}>
          <dt>Issued to client</dt>
          <dd>{props.jwt.clientId}</dd>
        </Show>
        <dt>Scopes</dt>
        <dd data-testid="jwt-scopes">{list(props.jwt.scopes, "none stated")}</dd>
        <dt>Expires (exp)</dt>
        <dd>
          <Countdown
            label={`${props.label} expires`}
            expiresAt={props.jwt.expiresAt}
            issuedAt={props.jwt.issuedAt}
            now={props.now}
            none="no exp claim"
          />
        </dd>
        <Instant label="Issued (iat)" at={props.jwt.issuedAt} now={props.now} />
        <Instant label="Not before (nbf)" at={props.jwt.notBefore} now={props.now} />
        <Show when={props.jwt.notBefore !== null && (props.jwt.notBefore ?? 0) > props.now}>
          <dt>Note</dt>
          <dd>Not valid yet: its nbf is in the future by this browser's clock.</dd>
        </Show>
      </dl>
      <details>
        <summary>Header and claims as the issuer wrote them (not verified)</summary>
        <pre class="http" data-testid="jwt-header">
          {JSON.stringify(props.jwt.header, null, 2)}
        </pre>
        <pre class="http" data-testid="jwt-claims">
          {JSON.stringify(props.jwt.claims, null, 2)}
        </pre>
      </details>
    </>
  );
}

/** What a token says about itself: a JWT's claims decoded (not verified), or why it says nothing. */
export function JwtView(props: { reading: JwtReading; now: number; label: string }) {
  const jwt = () => (props.reading.kind === "jwt" ? props.reading.jwt : null);
  const problem = () => (props.reading.kind === "malformed" ? props.reading.problem : null);
  return (
    <div class="jwt" data-testid="jwt">
      <Show when={jwt()}>
        {(decoded) => (
          <>
            <p data-testid="jwt-kind">
              A JWT, decoded here without checking its signature: what it claims, not proof.
            </p>
            <Claims jwt={decoded()} now={props.now} label={props.label} />
          </>
        )}
      </Show>
      <Show when={props.reading.kind === "encrypted"}>
        <p data-testid="jwt-kind">An encrypted JWT (JWE): only the provider can read its claims.</p>
      </Show>
      <Show when={problem()}>
        {(why) => <p data-testid="jwt-kind">Shaped like a JWT but not a valid one: {why()}</p>}
      </Show>
      <Show when={props.reading.kind === "opaque"}>
        <p data-testid="jwt-kind">
          An opaque token: it carries no readable claims; only the provider knows what it means.
        </p>
      </Show>
    </div>
  );
}
