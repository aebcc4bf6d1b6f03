import {
  createContext,
  createEffect,
  createMemo,
  createSignal,
  For,
  on,
  type ParentProps,
  Show,
  useContext,
} from "solid-js";
import { fingerprint } from "../../oauth/fingerprint.ts";
import { splitSecrets } from "../../oauth/secrets.ts";

interface ValuesSwitch {
  readonly shown: () => boolean;
  readonly setShown: (shown: boolean) => void;
}

// Outside a page that offers the switch, values stay hidden and nothing can show them.
const Context = createContext<ValuesSwitch>({ shown: () => false, setShown: () => undefined });

/** Whether this page shows tokens, codes and verifiers in clear right now. */
export function useValuesShown(): () => boolean {
  return useContext(Context).shown;
}

/**
 * A page's one "Show values" switch and what it governs: every credential the page prints. Off at
 * first and kept nowhere (screens get shared in incidents), so a reload or `resetOn` changing
 * (another connection in the same page) hides them again.
 */
export function ShowValuesScope(props: ParentProps<{ resetOn?: () => unknown }>) {
  const [shown, setShown] = createSignal(false);
  createEffect(
    on(
      () => props.resetOn?.(),
      () => setShown(false),
      { defer: true },
    ),
  );
  return <Context.Provider value={{ shown, setShown }}>{props.children}</Context.Provider>;
}

/** The switch itself, placed where the page wants it inside its {@link ShowValuesScope}. */
export function ShowValuesSwitch() {
  const values = useContext(Context);
  return (
    <p class="values-switch">
      <label class="inline-field">
        <input
          type="checkbox"
          role="switch"
          aria-checked={values.shown()}
          checked={values.shown()}
          onChange={(e) => values.setShown(e.currentTarget.checked)}
        />
        Show values
      </label>{" "}
      <span class="muted" data-testid="values-note">
        {values.shown()
          ? "Tokens, codes and verifiers are shown in clear on this page."
          : "Tokens, codes and verifiers are hidden on this page; Copy still copies the real value."}
      </span>
    </p>
  );
}

/**
 * A hidden credential: dots and the first 8 hex digits of its SHA-256, the fingerprint history uses,
 * so a masked value can still be told apart and matched. Screen readers hear "hidden value".
 */
export function MaskedValue(props: { value: string }) {
  const [print, setPrint] = createSignal<string | null>(null);
  createEffect(() => {
    const value = props.value;
    setPrint(null);
    void fingerprint(value).then((fp) => {
      if (props.value === value) setPrint(fp);
    });
  });
  return (
    <span class="masked-value">
      <span aria-hidden="true">••••{print() ?? ""}</span>
      <span class="sr-only">hidden value{print() === null ? "" : ` (fingerprint ${print()})`}</span>
    </span>
  );
}

/** One credential: in clear while the page's switch is on, masked otherwise. */
export function SecretValue(props: { value: string }) {
  const shown = useValuesShown();
  return (
    <Show when={shown()} fallback={<MaskedValue value={props.value} />}>
      {props.value}
    </Show>
  );
}

/**
 * Text that may hold credentials (a raw request or response, an export): each occurrence of one of
 * `secrets`, as written or percent-encoded, is masked while the page's switch is off.
 */
export function SecretText(props: { text: string; secrets: readonly string[] }) {
  const shown = useValuesShown();
  const parts = createMemo(() => splitSecrets(props.text, props.secrets));
  return (
    <Show when={!shown()} fallback={props.text}>
      <For each={parts()}>
        {(part) => (part.kind === "text" ? part.text : <MaskedValue value={part.value} />)}
      </For>
    </Show>
  );
}
