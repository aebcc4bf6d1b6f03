import { Show } from "solid-js";
import { bundleFileName, type DiagnosticBundle, serializeBundle } from "../../../store/bundle.ts";
import { credentialTrail } from "../../../store/credential-trail.ts";
import { contextFromBundle, lastFailure } from "../../../store/diagnose.ts";
import { BundleView } from "../../components/bundle-view.tsx";
import { CopyButton } from "../../components/copy-button.tsx";
import { CredentialTrailView } from "../../components/credential-trail-view.tsx";
import { saveFile } from "../../components/save-file.ts";
import { LazyBundleTimeline } from "../../components/timeline/lazy.tsx";
import { useAppState } from "../../state/app-state.tsx";
import { useClock } from "../../state/clock.ts";
import { Explainer } from "./explainer.tsx";

/** A bundle, live or imported: its state, the explainer on its last failure, the credential trail. */
export function BundleDesk(props: {
  bundle: DiagnosticBundle;
  readOnly: boolean;
  /** The live connection's credential values, so a saved timeline picture is checked against them. */
  secrets?: ReadonlyArray<readonly [string, string]>;
}) {
  const [, actions] = useAppState();
  const now = useClock();
  const recipe = () => actions.recipeFor({ provider: props.bundle.connection.provider });
  const failure = () => lastFailure(props.bundle);
  const text = () => serializeBundle(props.bundle);
  const download = () =>
    saveFile(new Blob([text()], { type: "application/json" }), bundleFileName(props.bundle));
  return (
    <>
      <Show when={props.readOnly}>
        <p class="warning" role="note" data-testid="read-only">
          Opened read-only: this bundle holds fingerprints, not tokens, so nothing here can be refreshed or
          sent.
        </p>
      </Show>
      <section aria-labelledby="bundle-heading" class="card">
        <h3 id="bundle-heading">Diagnostic bundle</h3>
        <Show when={!props.readOnly}>
          <p>
            The connection's history as one redacted JSON file for a ticket: every token, code and secret is a
            short fingerprint.
          </p>
          <div class="actions">
            <button type="button" class="button" onClick={download}>
              Download diagnostic bundle
            </button>
            <CopyButton value={text()} label="diagnostic bundle" />
          </div>
        </Show>
        <BundleView bundle={props.bundle} now={now()} />
      </section>
      <LazyBundleTimeline bundle={props.bundle} {...(props.secrets ? { secrets: props.secrets } : {})} />
      <Explainer
        context={(grant) => contextFromBundle(props.bundle, recipe(), grant)}
        kind={failure()?.kind ?? null}
        grant={failure()?.grantType ?? props.bundle.lastExchange?.grantType ?? "refresh_token"}
        source={failure() === null ? null : "the last exchange"}
      />
      <section aria-labelledby="trail-heading" class="card">
        <h3 id="trail-heading">Where did my credentials go</h3>
        <p class="muted">
          For each request in the history: which hosts saw the secret, the code and the tokens.
        </p>
        <CredentialTrailView rows={credentialTrail(props.bundle)} />
      </section>
    </>
  );
}
