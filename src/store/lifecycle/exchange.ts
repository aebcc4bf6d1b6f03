import type { Connection } from "../records.ts";
import { putConnection, readConnection } from "../repo.ts";
import { checkNewIdToken } from "./id-token.ts";
import { settle } from "./settle.ts";
import type { LifecycleDeps, StepOutcome } from "./shared.ts";

/**
 * Exchanges the connection's code through the relay. The code is marked as sent, in storage, before
 * the request leaves, so a reload or a second click never sends it again. An ID token that came with
 * the tokens is checked once they are stored.
 */
export async function exchangeCode(deps: LifecycleDeps, connectionId: string): Promise<StepOutcome> {
  const startedAt = deps.now();
  const claimed = await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current?.authorization == null) return "missing" as const;
    if (current.authorization.exchangeStartedAt !== null || current.tokenSet !== null) return "used" as const;
    const next: Connection = {
      ...current,
      authorization: { ...current.authorization, exchangeStartedAt: startedAt },
      inFlight: { grantType: "authorization_code", startedAt },
      updatedAt: startedAt,
      revision: current.revision + 1,
    };
    putConnection(store, next, []);
    return next;
  });
  if (claimed === "missing") {
    return { kind: "not_sent", reason: "no_code", message: "This connection has no authorization code." };
  }
  if (claimed === "used") {
    return {
      kind: "not_sent",
      reason: "code_used",
      message: "This code was already sent once; a code works only once. Authorize again for a new one.",
    };
  }
  deps.notify?.(connectionId);
  const authorization = claimed.authorization;
  if (authorization === null) throw new Error("unreachable: claimed connection has a code");
  const result = await deps.relay.token({
    client: claimed.clientId,
    grant_type: "authorization_code",
    code: authorization.code,
    redirect_uri: authorization.redirectUri,
    code_verifier: authorization.codeVerifier,
  });
  return checkNewIdToken(deps, await settle(deps, connectionId, "authorization_code", result, null));
}
