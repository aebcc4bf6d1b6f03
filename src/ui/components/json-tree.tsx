import { createSignal, For, type JSX, Show } from "solid-js";
import { SecretText } from "./secret-values.tsx";

/** Children drawn per object or array before "… more": a 1 MiB answer can hold 100,000 values. */
const SHOWN_CHILDREN = 200;

function kindOf(value: unknown): "object" | "array" | "string" | "number" | "boolean" | "null" {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  return "boolean";
}

function entriesOf(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.map((item, index) => [String(index), item]);
  return Object.entries(value as Record<string, unknown>);
}

function Leaf(props: { value: unknown; secrets: readonly string[] }) {
  const kind = () => kindOf(props.value);
  return (
    <span class={`json-${kind()}`}>
      <Show when={kind() === "string"} fallback={String(props.value)}>
        {/* Quotes, not colour alone, say it is a string. */}"
        <SecretText text={props.value as string} secrets={props.secrets} />"
      </Show>
    </span>
  );
}

function Key(props: { name: string | null; secrets: readonly string[] }): JSX.Element {
  return (
    <Show when={props.name !== null}>
      <span class="json-key">
        <SecretText text={props.name ?? ""} secrets={props.secrets} />
      </span>
      :{" "}
    </Show>
  );
}

function Node(props: { name: string | null; value: unknown; depth: number; secrets: readonly string[] }) {
  const kind = kindOf(props.value);
  if (kind !== "object" && kind !== "array") {
    return (
      <li>
        <Key name={props.name} secrets={props.secrets} />
        <Leaf value={props.value} secrets={props.secrets} />
      </li>
    );
  }
  const entries = entriesOf(props.value);
  // The first two levels open; deeper ones draw their children only once opened.
  const [open, setOpen] = createSignal(props.depth < 2);
  const count =
    kind === "array"
      ? `${entries.length} ${entries.length === 1 ? "item" : "items"}`
      : `${entries.length} ${entries.length === 1 ? "key" : "keys"}`;
  return (
    <li>
      <Show
        when={entries.length > 0}
        fallback={
          <>
            <Key name={props.name} secrets={props.secrets} />
            <span class="json-punct">{kind === "array" ? "[]" : "{}"}</span>
          </>
        }
      >
        <details open={open()} on:toggle={(e) => setOpen(e.currentTarget.open)}>
          <summary>
            <Key name={props.name} secrets={props.secrets} />
            <span class="json-punct">{kind === "array" ? "[…]" : "{…}"}</span>{" "}
            <span class="muted">{count}</span>
          </summary>
          <Show when={open()}>
            <ul>
              <For each={entries.slice(0, SHOWN_CHILDREN)}>
                {([name, value]) => (
                  <Node
                    name={kind === "array" ? `[${name}]` : name}
                    value={value}
                    depth={props.depth + 1}
                    secrets={props.secrets}
                  />
                )}
              </For>
              <Show when={entries.length > SHOWN_CHILDREN}>
                <li class="muted">… and {entries.length - SHOWN_CHILDREN} more: see the raw text.</li>
              </Show>
            </ul>
          </Show>
        </details>
      </Show>
    </li>
  );
}

/**
 * A JSON value as a tree of native disclosure widgets (`<details>`), so it opens and closes with the
 * keyboard and screen readers announce each level's state. Every string is text, never markup; values
 * that are credentials (`secrets`) stay masked until the page's "Show values" switch is on.
 */
export function JsonTree(props: { value: unknown; secrets: readonly string[]; label: string }) {
  return (
    <ul class="json-tree" aria-label={props.label}>
      <Node name={null} value={props.value} depth={0} secrets={props.secrets} />
    </ul>
  );
}
