import { type Accessor, createRoot, createSignal, onCleanup } from "solid-js";

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
