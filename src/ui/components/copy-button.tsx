import { createSignal, onCleanup } from "solid-js";

/** Copies `value` to the clipboard and says so for two seconds. */
export function CopyButton(props: { value: string; label: string }) {
  const [state, setState] = createSignal<"idle" | "copied" | "failed">("idle");
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setState("copied");
    } catch {
      setState("failed");
    }
    clearTimeout(timer);
    timer = setTimeout(() => setState("idle"), 2000);
  };
  return (
    <button type="button" class="copy" onClick={copy} aria-label={`Copy ${props.label}`}>
      <span aria-live="polite">
        {state() === "copied" ? "Copied" : state() === "failed" ? "Copy failed: select and copy" : "Copy"}
      </span>
    </button>
  );
}
