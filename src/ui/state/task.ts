import { createSignal } from "solid-js";

/** The words of whatever was thrown, for a person to read. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One piece of work a person starts with a button, one at a time: whether it is running (and, where
 * it says so, which stage it is at), and the problem it ended with. A new run clears the last problem.
 */
export function createTask() {
  // null when idle; while running, the stage in words, or "" when the work names no stages.
  const [stage, setStage] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const run = async (work: () => Promise<void>, firstStage = ""): Promise<void> => {
    setStage(firstStage);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStage(null);
    }
  };
  return { busy: () => stage() !== null, stage, setStage, error, setError, run };
}
