/**
 * Saying "offline" before trying: steps that need the network check here first, and say so in words
 * instead of sending (or marking as sent) anything. Loaded beside the first screen, not in it.
 */
import { type Accessor, createSignal, onCleanup } from "solid-js";
import type { AppCore } from "./app-types.ts";

/**
 * Whether the browser knows it has no network. `navigator.onLine === false` is reliable; `true`
 * only means some network is up, so a relay that cannot be reached is checked separately.
 */
export function isOffline(): boolean {
  return typeof navigator !== "undefined" && navigator.onLine === false;
}

/** What to say instead of trying `step` (e.g. "the code exchange") while offline; null when online. */
export function offlineMessage(step: string): string | null {
  return isOffline()
    ? `You are offline, so ${step} was not sent. Nothing was spent or marked as sent: try again once you are back online.`
    : null;
}

/** What to say instead of trying `step` when the relay did not answer its client list (`problem`). */
export function relayProblem(problem: string, step: string): string {
  return `${problem} So ${step} was not sent; nothing was spent or marked as sent.`;
}

/** Why the relay's clients are missing while offline. */
export const OFFLINE_CLIENTS =
  "You are offline: the relay's clients load when the network is back. Connections stored in this browser work offline.";

/** A signal that follows the browser's online and offline events. */
export function createOnline(): Accessor<boolean> {
  const [online, setOnline] = createSignal(!isOffline());
  const update = () => setOnline(!isOffline());
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  onCleanup(() => {
    window.removeEventListener("online", update);
    window.removeEventListener("offline", update);
  });
  return online;
}

/**
 * Why a step that needs the network must not be tried now, said before anything is sent or marked
 * as sent (a code's exchange marker, a refresh's in-flight marker): offline, or, for a step that
 * goes through the relay, the relay known to be unreachable and still so when asked again. Null
 * when it may be tried.
 */
export async function networkBlocker(
  core: Pick<AppCore, "state" | "reloadClients">,
  step: string,
  viaRelay = true,
): Promise<string | null> {
  const offline = offlineMessage(step);
  if (offline !== null) return offline;
  const { state } = core;
  if (!viaRelay || state.clients !== null || state.clientsError === null) return null;
  await core.reloadClients();
  return state.clients === null && state.clientsError !== null
    ? relayProblem(state.clientsError, step)
    : null;
}

/** Throws, in words, when a lookup or an authorization cannot work for want of a network. */
export async function requireNetwork(
  core: Pick<AppCore, "state" | "reloadClients">,
  step: string,
  viaRelay = true,
): Promise<void> {
  const blocked = await networkBlocker(core, step, viaRelay);
  if (blocked !== null) throw new Error(blocked);
}
