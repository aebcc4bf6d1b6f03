import { type Accessor, batch, createMemo, createRoot, createSignal, onCleanup, onMount } from "solid-js";

/**
 * One clock for every countdown on the page: a signal of the current time that ticks on each
 * whole second, and at once when a sleeping tab wakes up (timers are throttled in background tabs).
 */
export function createClock(now: () => number = Date.now): Accessor<number> {
  const [time, setTime] = createSignal(now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    const t = now();
    setTime(t);
    timer = setTimeout(tick, 1000 - (t % 1000) + 5);
  };
  const wake = () => {
    if (document.visibilityState === "visible") {
      clearTimeout(timer);
      tick();
    }
  };
  timer = setTimeout(tick, 1000 - (now() % 1000) + 5);
  document.addEventListener("visibilitychange", wake);
  onCleanup(() => {
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", wake);
  });
  return time;
}

let shared: Accessor<number> | undefined;

/** The page's one shared clock. */
export function useClock(): Accessor<number> {
  if (shared === undefined) shared = createRoot(() => createClock());
  return shared;
}

/** Rows currently watched, each with what to call when it enters or leaves the screen. */
const watched = new Map<Element, (onScreen: boolean) => void>();
let observer: IntersectionObserver | undefined;

/**
 * Calls `onChange` when `element` comes on (or near) the screen and when it leaves; returns the way
 * to stop. One IntersectionObserver serves every caller.
 */
export function watchOnScreen(element: Element, onChange: (onScreen: boolean) => void): () => void {
  // One observer for every row: a thousand rows cost one observer, not a thousand.
  observer ??= new IntersectionObserver(
    // Rows scrolled into view together are brought up to date in one pass, not one each.
    (entries) =>
      batch(() => {
        for (const entry of entries) watched.get(entry.target)?.(entry.isIntersecting);
      }),
    // Rows just outside the viewport are already current when they scroll in.
    { rootMargin: "200px 0px" },
  );
  watched.set(element, onChange);
  observer.observe(element);
  return () => {
    watched.delete(element);
    observer?.unobserve(element);
  };
}

/**
 * The shared clock for one item of a long list: it follows the clock while `element` is on (or
 * near) the screen and holds its last value while it is not, so off-screen rows cost nothing per
 * tick (1,000 listed connections made every tick a long task). A row catches up the moment it
 * scrolls into view. Where IntersectionObserver is missing, it is simply the shared clock.
 */
export function useClockWhileVisible(element: () => Element | undefined): Accessor<number> {
  const clock = useClock();
  if (typeof IntersectionObserver === "undefined") return clock;
  const [onScreen, setOnScreen] = createSignal(false);
  onMount(() => {
    const target = element();
    if (target === undefined) {
      setOnScreen(true);
      return;
    }
    onCleanup(watchOnScreen(target, setOnScreen));
  });
  // Off screen, the memo depends only on `onScreen`: clock ticks do not reach it.
  return createMemo<number>((last) => (onScreen() ? clock() : last), clock());
}
