/**
 * A long list drawn a screenful first and the rest in the following tasks
 * (src/ui/components/drawn-in-steps.ts): the first rows at once, every row soon after, and changes
 * once it is whole shown at once.
 */
import { cleanup, render, screen, waitFor } from "@solidjs/testing-library";
import { createSignal, For } from "solid-js";
import { afterEach, describe, expect, it } from "vitest";
import { drawnInSteps } from "../../src/ui/components/drawn-in-steps.ts";

afterEach(cleanup);

const _items = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `item ${from + i}`);

function _renderList(initial: readonly string[]) {
  const [items, setItems] = createSignal(initial);
  render(() => {
    const shown = drawnInSteps(items, 10, 25);
    return (
      <ul>
        <For each={shown()}>{(item) => <li>{item}</li>}</For>
      </ul>
    );
  });
  return { setItems, rows: () => screen.queryAllByRole("listitem").map((li) => li.textContent) };
}

describe("a list drawn in steps", () => {
  it("draws the first rows at once and every row in order soon after", async () => {
    const { rows } = _renderList(_items(100));
    expect(rows()).toEqual(_items(10));
    await waitFor(() => expect(rows()).toHaveLength(100));
    expect(rows()).toEqual(_items(100));
  });

  it("draws a short list whole at once", () => {
    const { rows } = _renderList(_items(7));
    expect(rows()).toEqual(_items(7));
  });

  it("shows changes at once once whole, and a list grown long again in steps", async () => {
    const { rows, setItems } = _renderList(_items(30));
    await waitFor(() => expect(rows()).toHaveLength(30));
    setItems(["new", ..._items(30)]);
    expect(rows()).toEqual(["new", ..._items(30)]);
    setItems(_items(10));
    expect(rows()).toEqual(_items(10));
    setItems(_items(200));
    expect(rows()).toEqual(_items(200).slice(0, 35));
    await waitFor(() => expect(rows()).toHaveLength(200));
  });
});
