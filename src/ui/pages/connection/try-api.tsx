import { createEffect, createMemo, createSignal, Show } from "solid-js";
import {
  type ApiDraft,
  answerFacts,
  fillSample,
  headerValue,
  isReadOnly,
  jsonBodyProblem,
  parseHeaderLines,
  takesBody,
  whatItMayChange,
} from "../../../oauth/api-call.ts";
import type { RelayTokenResult } from "../../../oauth/relay-client.ts";
import type { ApiSample } from "../../../providers/types.ts";
import { checkApiUrl } from "../../../relay/api-policy.ts";
import type { ApiCallMethod } from "../../../relay/contract.ts";
import type { Connection } from "../../../store/records.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { formatDuration, formatTime } from "../../components/format.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { useClock } from "../../state/clock.ts";
import { knownSecrets } from "./known-secrets.ts";
import { RefreshButton } from "./refresh-button.tsx";
import { TryApiAnswer } from "./try-api-answer.tsx";
import { TryApiCurl } from "./try-api-curl.tsx";
import { type OfferedSample, TryApiEditor } from "./try-api-editor.tsx";
import "./try-api.css";

const DEFAULT_HEADERS = "Accept: application/json";

/** The draft as a request, or why it cannot be sent as it is (checked with the relay's own URL rule). */
function prepare(
  draft: ApiDraft,
  bases: readonly string[],
):
  | {
      readonly ok: true;
      readonly request: {
        method: ApiCallMethod;
        url: string;
        headers: Readonly<Record<string, string>>;
        body: string | null;
      };
    }
  | { readonly ok: false; readonly problem: string } {
  const placeholder = /\{(\w+)\}/.exec(`${draft.url}\n${draft.headers}`)?.[0];
  if (placeholder !== undefined) {
    return { ok: false, problem: `Fill in ${placeholder} first: the sample above says where it comes from.` };
  }
  const url = checkApiUrl(draft.url.trim(), bases);
  if (!url.ok) return { ok: false, problem: `The relay would refuse this URL: it ${url.problem}.` };
  const headers = parseHeaderLines(draft.headers);
  if (!headers.ok) return { ok: false, problem: headers.problem };
  const body = takesBody(draft.method) && draft.body !== "" ? draft.body : null;
  if (body !== null) {
    const json = jsonBodyProblem(body, headerValue(headers.headers, "content-type"));
    if (json !== null) return { ok: false, problem: json };
    if (headerValue(headers.headers, "content-type") === undefined) {
      return {
        ok: false,
        problem: 'A body needs a Content-Type header, e.g. "Content-Type: application/json".',
      };
    }
  }
  return {
    ok: true,
    request: { method: draft.method, url: draft.url.trim(), headers: headers.headers, body },
  };
}

/**
 * "Try the API": one request to the provider's API with this connection's access token, through the
 * relay, which calls only URLs under the client's API base URLs. GET and HEAD only read; the other
 * methods ask first and say what they may change. An expired access token offers a refresh first (a
 * handed-off one asks, a dead one cannot). Each call goes into the history without token or body.
 */
export function TryApi(props: {
  connection: Connection;
  busy: boolean;
  onRefresh: (confirmed: boolean) => void;
}) {
  const [state, actions] = useAppState();
  const now = useClock();
  const client = () => state.clients?.find((c) => c.id === props.connection.clientId);
  const bases = () => client()?.api_base_urls ?? [];
  const recipe = () => actions.recipeFor(props.connection);
  const tokens = () => props.connection.tokenSet;
  const secrets = createMemo(() => knownSecrets(props.connection));
  const [draft, setDraft] = createSignal<ApiDraft>({
    method: "GET",
    url: bases()[0] ?? "",
    headers: DEFAULT_HEADERS,
    body: "",
  });
  const [loaded, setLoaded] = createSignal<{ id: string; url: string } | null>(null);
  const [answers, setAnswers] = createSignal<Record<string, unknown>>({});
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [asking, setAsking] = createSignal(false);
  const [done, setDone] = createSignal<{ result: RelayTokenResult; method: ApiCallMethod } | null>(null);

  const context = () => ({ callback: props.connection.authorization?.extra ?? {}, answers: answers() });
  const samples = createMemo((): OfferedSample[] => {
    const all = recipe().api?.samples ?? [];
    return all.map((sample) => {
      const filled = fillSample(sample, bases(), context());
      if (filled.ok) return { sample, waiting: null };
      const reasons = filled.missing.map((need) =>
        need.from === "answer"
          ? `needs ${need.meaning}: send "${all.find((s) => s.id === need.sample)?.label ?? need.sample}" first`
          : `needs ${need.meaning}, which this connection's redirect did not carry`,
      );
      return { sample, waiting: `(${reasons.join("; ")})` };
    });
  });
  // The clients may arrive after the page: the URL starts at the first base once it is known.
  createEffect(() => {
    const first = bases()[0];
    if (first !== undefined && draft().url === "") setDraft({ ...draft(), url: first });
  });
  const prepared = createMemo(() => prepare(draft(), bases()));
  const ready = () => {
    const p = prepared();
    return p.ok ? p.request : null;
  };
  const problem = () => {
    const p = prepared();
    return p.ok ? null : p.problem;
  };
  const expiresAt = () => tokens()?.accessExpiresAt ?? null;
  const expired = () => {
    const at = expiresAt();
    return at !== null && at <= now();
  };

  const loadSample = (sample: ApiSample) => {
    const filled = fillSample(sample, bases(), context());
    const headerLines = Object.entries(filled.ok ? filled.headers : (sample.headers ?? {})).map(
      ([name, value]) => `${name}: ${value}`,
    );
    const headers = headerLines.some((line) => /^accept:/i.test(line))
      ? headerLines.join("\n")
      : [DEFAULT_HEADERS, ...headerLines].join("\n");
    setDraft({ method: sample.method, url: filled.url, headers, body: "" });
    setLoaded({ id: sample.id, url: filled.url });
  };

  const send = async (confirmed: boolean) => {
    const request = ready();
    if (request === null) return;
    if (!isReadOnly(request.method) && !confirmed) {
      setAsking(true);
      return;
    }
    setAsking(false);
    setBusy(true);
    setError(null);
    try {
      const outcome = await actions.callApi(props.connection.id, request);
      if (outcome.kind === "not_sent") {
        setError(outcome.message);
        return;
      }
      setDone({ result: outcome.result, method: request.method });
      const sample = loaded();
      const result = outcome.result;
      if (sample !== null && sample.url === request.url && result.kind === "envelope") {
        const { status, json } = answerFacts(result.envelope);
        if (status >= 200 && status < 300 && json !== undefined)
          setAnswers({ ...answers(), [sample.id]: json });
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="try-api-heading" class="card try-api">
      <h3 id="try-api-heading">
        Try the API{" "}
        <span class="badge" data-testid="api-badge">
          {isReadOnly(draft().method) ? "read-only" : "may change data"}
        </span>
      </h3>
      <Show
        when={bases().length > 0}
        fallback={
          <p data-testid="api-note">
            <Show
              when={client()}
              fallback="The relay does not list this connection's client, so there is no API to call through it."
            >
              {(c) =>
                c().api_base_urls === undefined
                  ? "This relay is older than contract 1.5: it does not call provider APIs."
                  : `The relay knows no API for client "${c().id}". For a custom provider, the operator adds "api_base_urls" to the client in TOKENDESK_CLIENTS.`
              }
            </Show>
          </p>
        }
      >
        <p class="muted" data-testid="api-note">
          Calls {recipe().name}'s API with this connection's access token, through the relay, which adds
          "Authorization: Bearer …" and calls nothing but URLs under {bases().join(", ")}. No redirect is
          followed; answers over 1 MiB are cut.
        </p>
        <Show
          when={tokens()?.accessToken}
          fallback={<p>No access token: exchange a code, refresh, or authorize again first.</p>}
        >
          <TryApiEditor draft={draft()} samples={samples()} onChange={setDraft} onSample={loadSample} />
          <Show when={problem()}>
            {(p) => (
              <p class="warning" data-testid="api-check">
                Not sent as it is: {p()}
              </p>
            )}
          </Show>
          <Show when={expired()}>
            <div class="notice api-expired" data-testid="api-expired">
              <p>
                The access token expired {formatDuration(now() - (expiresAt() ?? 0))} ago (
                {formatTime(expiresAt() ?? 0)}): the API will refuse it. Refresh first, or send anyway to see
                the API's refusal.
              </p>
              <Show
                when={tokens()?.refreshToken && props.connection.refreshTokenStatus !== "dead"}
                fallback={
                  <p>
                    {tokens()?.refreshToken
                      ? "The refresh token is dead, so there is nothing to refresh with: authorize again."
                      : "There is no refresh token: authorize again for a new access token."}
                  </p>
                }
              >
                <RefreshButton
                  connection={props.connection}
                  busy={props.busy || busy()}
                  onRefresh={props.onRefresh}
                  label="Refresh first"
                  dialogId="confirm-refresh-api"
                />
              </Show>
            </div>
          </Show>
          <Show when={asking()}>
            <ConfirmDialog
              id="confirm-api"
              title={`Send a ${draft().method} to ${recipe().name}?`}
              confirm={`Send the ${draft().method}`}
              onConfirm={() => void send(true)}
              onCancel={() => setAsking(false)}
            >
              {whatItMayChange(draft().method, draft().url, recipe().name)}
            </ConfirmDialog>
          </Show>
          <p class="actions">
            <button
              type="button"
              class={expired() ? "button" : "button primary"}
              disabled={busy() || asking() || ready() === null}
              onClick={() => void send(false)}
            >
              {busy() ? "Sending…" : expired() ? "Send anyway" : "Send"}
            </button>
          </p>
          <TryApiCurl request={ready()} token={tokens()?.accessToken ?? null} secrets={secrets()} />
          <ProblemAlert message={error()} />
          <Show when={done()}>
            {(d) => <TryApiAnswer result={d().result} method={d().method} secrets={secrets()} />}
          </Show>
        </Show>
      </Show>
    </section>
  );
}
