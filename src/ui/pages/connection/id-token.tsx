import { createMemo, For, type JSX, Show } from "solid-js";
import type { IdTokenVerdict } from "../../../oauth/id-token.ts";
import type { Connection } from "../../../store/records.ts";
import { Countdown } from "../../components/countdown.tsx";
import { formatDuration, formatInstant } from "../../components/format.ts";
import { TokenField } from "../../components/token-field.tsx";
import { useClock } from "../../state/clock.ts";

/** The badge of a verdict: words first, colour only as a second signal. */
function badge(verdict: IdTokenVerdict | null): { text: string; status: string } {
  if (verdict === null) return { text: "checking…", status: "unknown" };
  if (!verdict.ok) {
    const unchecked = verdict.code === "jwks_unavailable" || verdict.code === "not_checked";
    return unchecked ? { text: "not verified", status: "unknown" } : { text: "failed", status: "failed" };
  }
  return verdict.signature === "verified"
    ? { text: "verified", status: "valid" }
    : { text: "claims valid, signature unchecked", status: "unknown" };
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** A NumericDate claim (RFC 7519 §2) as ms, or null. */
function instant(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value * 1000 : null;
}

/**
 * The connection's latest ID token: what tokendesk found when it checked it (signature against the
 * issuer's keys, and its claims), its header and claims decoded, and when it came. Refreshes mostly
 * carry no ID token, so the one shown may be older than the token set; it says so.
 */
export function IdTokenPanel(props: { connection: Connection; busy: boolean; onCheckAgain: () => void }) {
  const now = useClock();
  const tokens = () => props.connection.tokenSet;
  const token = () => tokens()?.idToken ?? null;
  const receivedAt = () => tokens()?.idTokenReceivedAt ?? tokens()?.receivedAt ?? 0;
  const check = () => {
    const stored = props.connection.idTokenCheck;
    return stored != null && stored.receivedAt === receivedAt() ? stored : null;
  };
  const verdict = () => check()?.verdict ?? null;
  const problems = () => {
    const v = verdict();
    return v === null || v.ok ? [] : v.problems;
  };
  // What the check decoded (with the support desk's decoder, src/oauth/jwt.ts): the page shows the
  // header and claims it judged, and nothing until it has judged them.
  const decoded = createMemo(() => {
    const v = verdict();
    if (v === null || v.header === null || v.claims === null) return null;
    const aud = v.claims.aud;
    return {
      header: v.header,
      claims: v.claims,
      audience:
        typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === "string") : [],
      expiresAt: instant(v.claims.exp),
      issuedAt: instant(v.claims.iat),
    };
  });
  const kept = () => tokens() !== null && receivedAt() !== tokens()?.receivedAt;
  const from = () => (check()?.grantType === "refresh_token" ? "a refresh" : "the code exchange");
  const canCheckAgain = () => {
    const v = verdict();
    return v !== null && !v.ok && (v.code === "jwks_unavailable" || v.code === "not_checked");
  };
  const row = (label: string, value: string | null | undefined): JSX.Element => (
    <Show when={value}>
      {(shown) => (
        <>
          <dt>{label}</dt>
          <dd>{shown()}</dd>
        </>
      )}
    </Show>
  );

  return (
    <Show when={token()}>
      {(value) => (
        <section aria-labelledby="id-token-heading" class="card" data-testid="id-token-panel">
          <h3 id="id-token-heading">
            ID token{" "}
            <span class={`status status-${badge(verdict()).status}`} data-testid="id-token-badge">
              {badge(verdict()).text}
            </span>
          </h3>
          <p class="muted" data-testid="id-token-received">
            Received {formatInstant(receivedAt())} with {from()}
            <Show when={kept()}>; kept since: the refreshes after it carried no ID token</Show>.
          </p>
          <div role="status" class="verdict" data-testid="id-token-verdict">
            <Show
              when={verdict()}
              fallback={<p>Checking its signature against the issuer's keys, and its claims…</p>}
            >
              {(v) => (
                <>
                  <Show when={problems().length > 1} fallback={<p>{v().words}</p>}>
                    <p>Not accepted, for these reasons:</p>
                    <ul>
                      <For each={problems()}>
                        {(problem) => <li data-code={problem.code}>{problem.words}</li>}
                      </For>
                    </ul>
                  </Show>
                  <Show when={v().notes.length > 0}>
                    <ul class="muted">
                      <For each={v().notes}>{(note) => <li>{note}</li>}</For>
                    </ul>
                  </Show>
                  <Show when={check()?.checkedAt}>
                    {(at) => (
                      <p class="muted">
                        Checked {formatInstant(at())}; times judged as of its receipt, with 60 s of clock skew
                        allowed.
                      </p>
                    )}
                  </Show>
                </>
              )}
            </Show>
          </div>
          <Show when={canCheckAgain()}>
            <button type="button" class="button" disabled={props.busy} onClick={() => props.onCheckAgain()}>
              Check again
            </button>
          </Show>
          <TokenField label="ID token" value={value()} testId="id-token" />
          <Show when={decoded()}>
            {(jwt) => (
              <>
                <dl class="facts" data-testid="id-token-claims">
                  <dt>Algorithm</dt>
                  <dd>
                    {String(jwt().header.alg)}
                    <Show when={text(jwt().header.kid)}>{(kid) => <> · key {kid()}</>}</Show>
                  </dd>
                  {row("Issuer (iss)", text(jwt().claims.iss))}
                  {row("Subject (sub)", text(jwt().claims.sub))}
                  {row("Audience (aud)", jwt().audience.join(" "))}
                  {row("Authorized party (azp)", text(jwt().claims.azp))}
                  <dt>Expires (exp)</dt>
                  <dd>
                    <Countdown
                      label="ID token expires"
                      expiresAt={jwt().expiresAt}
                      issuedAt={jwt().issuedAt}
                      now={now()}
                      none="no exp claim"
                    />
                  </dd>
                  <Show when={jwt().issuedAt}>
                    {(at) => (
                      <>
                        <dt>Issued (iat)</dt>
                        <dd>
                          <time datetime={new Date(at()).toISOString()}>{formatInstant(at())}</time>{" "}
                          <span class="muted">
                            (
                            {at() <= now()
                              ? `${formatDuration(now() - at())} ago`
                              : `in ${formatDuration(at() - now())}`}
                            )
                          </span>
                        </dd>
                      </>
                    )}
                  </Show>
                  {row("Email", text(jwt().claims.email))}
                  {row("Name", text(jwt().claims.name))}
                  <dt>Nonce</dt>
                  <dd>
                    {props.connection.authorization?.nonce == null
                      ? "none sent"
                      : jwt().claims.nonce === props.connection.authorization.nonce
                        ? "the one sent"
                        : jwt().claims.nonce === undefined
                          ? "none in the token"
                          : "differs from the one sent"}
                  </dd>
                </dl>
                <details>
                  <summary>Header and claims as the issuer wrote them</summary>
                  <pre class="http" data-testid="id-token-header">
                    {JSON.stringify(jwt().header, null, 2)}
                  </pre>
                  <pre class="http" data-testid="id-token-claims-json">
                    {JSON.stringify(jwt().claims, null, 2)}
                  </pre>
                </details>
              </>
            )}
          </Show>
        </section>
      )}
    </Show>
  );
}
