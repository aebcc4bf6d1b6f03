/**
 * The token lifecycle: a callback becomes a connection, its code is exchanged at most once, its
 * refresh token is refreshed (or a token revoked) one tab at a time, and an ID token that came with
 * the tokens is checked once they are stored; an introspection, a read, needs no lock. Every result
 * is written to IndexedDB before the caller can show it, and other tabs are told. One file per step
 * in lifecycle/.
 */
import { exchangeCode } from "./lifecycle/exchange.ts";
import { checkIdToken } from "./lifecycle/id-token.ts";
import { refreshConnection } from "./lifecycle/refresh.ts";
import { revokeToken } from "./lifecycle/revoke.ts";
import type { LifecycleDeps, StepOutcome } from "./lifecycle/shared.ts";
import type { TokenStep } from "./worker-protocol.ts";

export { type CallbackOutcome, receiveCallback } from "./lifecycle/callback.ts";
export { exchangeCode } from "./lifecycle/exchange.ts";
export { checkIdToken } from "./lifecycle/id-token.ts";
export { type ImportOutcome, importTokens } from "./lifecycle/import.ts";
export { type IntrospectDeps, type IntrospectOutcome, introspectToken } from "./lifecycle/introspect.ts";
export { type RefreshOptions, refreshConnection } from "./lifecycle/refresh.ts";
export { type RevokeOptions, revokeToken } from "./lifecycle/revoke.ts";
export { markHandedOff, setAutoRefresh } from "./lifecycle/settings.ts";
export {
  type LifecycleDeps,
  LOCK_WAIT_MS,
  type NotSentReason,
  type StepOutcome,
} from "./lifecycle/shared.ts";
export { rateLimitWait } from "./refresh-limit.ts";

export function runTokenStep(deps: LifecycleDeps, step: TokenStep): Promise<StepOutcome> {
  switch (step.op) {
    case "exchange":
      return exchangeCode(deps, step.connectionId);
    case "refresh":
      return refreshConnection(deps, step.connectionId, step.options);
    case "revoke":
      return revokeToken(deps, step.connectionId, step.which, step.options);
    case "check-id-token":
      return checkIdToken(deps, step.connectionId, { again: true });
  }
}
