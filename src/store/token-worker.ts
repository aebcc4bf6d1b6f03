/**
 * The shared worker that performs exchanges, refreshes and revocations for every tab. Runs the same lifecycle
 * code as a page would (no DOM in it), under the same Web Lock.
 */
import { createRelayClient, createRelayLookups } from "../oauth/relay-client.ts";
import { type Db, openDb } from "./db.ts";
import { type LifecycleDeps, runTokenStep } from "./lifecycle.ts";
import { CHANNEL_NAME, type WorkerReply, type WorkerRequest } from "./worker-protocol.ts";

interface ConnectEvent {
  readonly ports: readonly MessagePort[];
}

const scope = globalThis as unknown as { onconnect: ((event: ConnectEvent) => void) | null };
const channel = new BroadcastChannel(CHANNEL_NAME);
let db: Promise<Db> | undefined;

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  try {
    db ??= openDb();
    const deps: LifecycleDeps = {
      db: await db,
      relay: createRelayClient(request.relayBase),
      lookups: createRelayLookups(request.relayBase),
      now: Date.now,
      locks: navigator.locks,
      notify: (id) => channel.postMessage({ type: "connection-changed", id }),
    };
    const outcome = await runTokenStep(deps, request);
    return { id: request.id, ok: true, outcome };
  } catch (error) {
    return { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

scope.onconnect = (event) => {
  const port = event.ports[0];
  if (port === undefined) return;
  port.onmessage = (message: MessageEvent<WorkerRequest>) => {
    void handle(message.data).then((reply) => port.postMessage(reply));
  };
};
