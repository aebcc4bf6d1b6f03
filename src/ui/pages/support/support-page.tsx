import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { inspectPaste } from "../../../oauth/inspect.ts";
import { buildDiagnosticBundle, knownSecrets } from "../../../store/bundle.ts";
import { parseDiagnosticBundle } from "../../../store/bundle-parse.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { ShowValuesScope, ShowValuesSwitch } from "../../components/secret-values.tsx";
import { useSearchParams } from "../../router.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { createConnectionRecord } from "../../state/connection-record.ts";
import { BundleDesk } from "./bundle-desk.tsx";
import { PasteDesk } from "./paste-desk.tsx";

export function SupportPage() {
  const [state, actions] = useAppState();
  const [search, setSearch] = useSearchParams<{ connection?: string }>();
  const [text, setText] = createSignal("");
  const [fileError, setFileError] = createSignal<string | null>(null);
  const inspection = createMemo(() => inspectPaste(text()));
  const imported = createMemo(() => {
    const i = inspection();
    return i.kind === "bundle" ? parseDiagnosticBundle(i.json) : null;
  });
  const importedBundle = () => {
    const parsed = imported();
    return parsed?.ok ? parsed.bundle : null;
  };
  const importProblem = () => {
    const parsed = imported();
    return parsed === null || parsed.ok ? null : parsed.problem;
  };
  const { record: connection, stamp } = createConnectionRecord(() => search.connection);
  const [live] = createResource(
    () => {
      const c = connection();
      return c === undefined ? false : { c, written: stamp() };
    },
    async ({ c }) => {
      const client = state.clients?.find((x) => x.id === c.clientId) ?? null;
      return buildDiagnosticBundle(c, await actions.events(c.id), {
        now: Date.now(),
        client,
        appOrigin: new URL(state.redirectUri).origin,
        relayBase: state.relayBase,
      });
    },
  );
  const openFile = async (file: File | undefined) => {
    setFileError(null);
    if (file === undefined) return;
    if (file.size > 5_000_000) return setFileError("This file is larger than 5 MB: not a diagnostic bundle.");
    setSearch({ connection: undefined });
    setText(await file.text());
  };
  return (
    <ShowValuesScope>
      <article aria-labelledby="support-heading">
        <h2 id="support-heading">Support desk</h2>
        <p>
          See and explain a token's state without spending it. Reads are marked{" "}
          <span class="badge">read-only</span>. Anything that spends a token says what it spends, and asks
          first when a copy elsewhere would stop working.
        </p>
        <ShowValuesSwitch />
        <section aria-labelledby="inspect-heading" class="card">
          <h3 id="inspect-heading">Inspect</h3>
          <p class="muted">Read in this page only: nothing is sent while you paste.</p>
          <label class="field">
            <span>Paste a token, a token response, an exported connection or a diagnostic bundle</span>
            <textarea
              spellcheck={false}
              autocomplete="off"
              value={text()}
              onInput={(e) => {
                setText(e.currentTarget.value);
                if (search.connection !== undefined) setSearch({ connection: undefined });
              }}
            />
          </label>
          <label class="field">
            <span>Or open a diagnostic bundle file</span>
            <input
              type="file"
              accept=".json,application/json"
              onChange={(e) => void openFile(e.currentTarget.files?.[0])}
            />
          </label>
          <Show when={state.connections.length > 0}>
            <label class="field">
              <span>Or diagnose a connection in this browser</span>
              <select
                value={search.connection ?? ""}
                onChange={(e) => setSearch({ connection: e.currentTarget.value || undefined })}
              >
                <option value="">Choose a connection…</option>
                <For each={state.connections}>{(c) => <option value={c.id}>{c.name}</option>}</For>
              </select>
            </label>
          </Show>
          <ProblemAlert message={fileError()} />
        </section>
        <Show
          when={search.connection === undefined}
          fallback={
            <Show
              when={live()}
              fallback={<p>{live.error ? String(live.error) : "Reading the connection…"}</p>}
            >
              {(bundle) => (
                <BundleDesk
                  bundle={bundle()}
                  readOnly={false}
                  secrets={(() => {
                    const c = connection();
                    return c === undefined ? [] : knownSecrets(c);
                  })()}
                />
              )}
            </Show>
          }
        >
          <ProblemAlert message={importProblem()} />
          <Show
            when={importedBundle()}
            fallback={
              <Show when={inspection().kind !== "empty" && inspection().kind !== "bundle"}>
                <PasteDesk inspection={inspection()} />
              </Show>
            }
          >
            {(bundle) => <BundleDesk bundle={bundle()} readOnly={true} />}
          </Show>
        </Show>
      </article>
    </ShowValuesScope>
  );
}
