import type { StepOutcome } from "../../store/lifecycle.ts";
import type { TokenStep, WorkerReply, WorkerRequest } from "../../store/worker-protocol.ts";

/** The shared worker could not run the step; nothing was sent, so the page may run it itself. */
export class WorkerUnavailableError extends Error {
  override readonly name = "WorkerUnavailableError";
}

export interface TokenWorkerClient {
  run(step: TokenStep, relayBase: string): Promise<StepOutcome>;
}

/**
 * Connects to the shared worker that sends token requests for every tab, or returns null where the
 * browser has no SharedWorker (the page then sends them itself, under the same lock).
 */
export function connectTokenWorker(): TokenWorkerClient | null {
  if (typeof SharedWorker === "undefined") return null;
  let worker: SharedWorker;
  try {
    worker = new SharedWorker(new URL("../../store/token-worker.ts", import.meta.url), {
      type: "module",
      name: "tokendesk-tokens",
    });
  } catch {
    return null;
  }
  let broken = false;
  let nextId = 1;
  const pending = new Map<number, { resolve: (o: StepOutcome) => void; reject: (e: Error) => void }>();
  // A worker that fails to load never read a message, so every pending step is safe to rerun here.
  worker.addEventListener("error", () => {
    broken = true;
    for (const p of pending.values())
      p.reject(new WorkerUnavailableError("The token worker failed to start."));
    pending.clear();
  });
  worker.port.onmessage = (message: MessageEvent<WorkerReply>) => {
    const reply = message.data;
    const waiting = pending.get(reply.id);
    if (waiting === undefined) return;
    pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.outcome);
    else waiting.reject(new Error(reply.message));
  };
  worker.port.start();
  return {
    run(step, relayBase) {
      if (broken) return Promise.reject(new WorkerUnavailableError("The token worker is not available."));
      return new Promise((resolve, reject) => {
        const id = nextId;
        nextId += 1;
        pending.set(id, { resolve, reject });
        const request: WorkerRequest = { ...step, id, relayBase };
        worker.port.postMessage(request);
      });
    },
  };
}
