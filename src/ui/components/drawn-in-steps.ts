import { type Accessor, createEffect, createMemo, createSignal, onCleanup } from "solid-js";

/**
 * `list` drawn a screenful first and the rest in steps: the first `first` items at once, then `step`
 * more in a task after each frame, until every item is there; from then on it is `list` itself, so
 * changes show at once. Building 1,000 rows in one task kept the first screen blank for that long
 * and blocked every click meanwhile (npm run bench, "connections list interactive"); in steps, the
 * rows on screen are drawn first and each later task stays short, so clicks and keys are handled
 * between them. The whole list is there a few frames later, for find-in-page and the keyboard.
 */
export function drawnInSteps<T>(
  list: Accessor<readonly T[]>,
  first: number,
  step: number,
): Accessor<readonly T[]> {
  const [limit, setLimit] = createSignal(first);
  createEffect(() => {
    const next = limit() + step;
    if (limit() >= list().length) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // After the frame that shows what is drawn so far; a hidden tab has no frames, so at once.
    const frame =
      document.visibilityState === "visible"
        ? requestAnimationFrame(() => {
            timer = setTimeout(() => setLimit(next), 0);
          })
        : undefined;
    if (frame === undefined) timer = setTimeout(() => setLimit(next), 0);
    onCleanup(() => {
      if (frame !== undefined) cancelAnimationFrame(frame);
      clearTimeout(timer);
    });
  });
  return createMemo(() => {
    const all = list();
    const n = limit();
    return n >= all.length ? all : all.slice(0, n);
  });
}
