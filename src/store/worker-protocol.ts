/**
 * Messages between a page and the shared worker that sends token requests. The worker is shared by
 * every tokendesk tab of the origin, so a tab that closes mid-request does not take the answer with
 * it: the worker stores it, and the other tabs show it.
 */
import type { RevocationTokenType } from "../relay/contract.ts";
import type { RefreshOptions, RevokeOptions, StepOutcome } from "./lifecycle.ts";

/** One token request a page asks for. */
export type TokenStep =
  | { readonly op: "exchange"; readonly connectionId: string }
  | { readonly op: "refresh"; readonly connectionId: string; readonly options: RefreshOptions }
  /** Checks the connection's ID token again (after the issuer's keys could not be read). */
  | { readonly op: "check-id-token"; readonly connectionId: string }
  | {
      readonly op: "revoke";
      readonly connectionId: string;
      readonly which: RevocationTokenType;
      readonly options: RevokeOptions;
    };

export type WorkerRequest = TokenStep & { readonly id: number; readonly relayBase: string };

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly outcome: StepOutcome }
  | { readonly id: number; readonly ok: false; readonly message: string };

/**
 * What tabs (and the worker) tell each other on the channel: one connection changed, or many at once
 * (a restore), when every tab reads its whole list again.
 */
export type ChangeMessage =
  | { readonly type: "connection-changed"; readonly id: string }
  | { readonly type: "connections-changed" };

/** The BroadcastChannel every tab listens on for connection changes. */
export const CHANNEL_NAME = "tokendesk";
