/**
 * The shapes the app's state provider (app-state.tsx) shares: what components read and call, and the
 * core that its lazily loaded parts (token-actions.ts, lookup-actions.ts, auto-refresh-state.ts) work
 * on. Types only: nothing here reaches the bundle.
 */
import type { CallbackParams } from "../../oauth/callback.ts";
import type { DiscoveryResult } from "../../oauth/discover.ts";
import type { Handoff } from "../../oauth/handoff.ts";
import type { ProbeOutcome } from "../../oauth/identity.ts";
import type { IntrospectionVerdict } from "../../oauth/introspection.ts";
import type { RelayTokenResult } from "../../oauth/relay-client.ts";
import type { RevocationVerdict } from "../../oauth/revocation.ts";
import type { Recipe } from "../../providers/types.ts";
import type { PublicClient, RevocationTokenType } from "../../relay/contract.ts";
import type { Db } from "../../store/db.ts";
import type { RefreshTokenHistory } from "../../store/diagnose.ts";
import type { ApiCallInput, ApiCallOutcome } from "../../store/lifecycle/api-call.ts";
import type {
  CallbackOutcome,
  ImportOutcome,
  IntrospectOutcome,
  StepOutcome,
} from "../../store/lifecycle.ts";
import type {
  Connection,
  ConnectionEvent,
  ConnectionSettings,
  PendingAuthorization,
} from "../../store/records.ts";
import type { ConnectionSummary } from "../../store/summary.ts";
import type { SafekeepingContext } from "./safekeeping.ts";
import type { TokenWorkerClient } from "./token-worker-client.ts";

/** What components read; the provider alone changes it. */
export interface AppState {
  readonly redirectUri: string;
  readonly relayBase: string | null;
  readonly clients: readonly PublicClient[] | null;
  readonly clientsError: string | null;
  /** The relay refused its latest configuration (and serves the last good clients): why, in its words. */
  readonly relayConfigError: string | null;
  /** What the list shows of each connection, newest first; whole records load where a page needs one. */
  readonly connections: readonly ConnectionSummary[];
  readonly connectionsLoaded: boolean;
  readonly storageError: string | null;
}

/** An authorization request ready to send: shown in full before the browser leaves. */
export interface PreparedAuthorization {
  readonly url: URL;
  readonly pending: PendingAuthorization;
}

export interface AppActions {
  recipeFor(client: Pick<PublicClient, "provider">): Recipe;
  reloadClients(): Promise<void>;
  prepare(
    client: PublicClient,
    scope: string,
    extraParams?: Readonly<Record<string, string>>,
  ): Promise<PreparedAuthorization>;
  /** Stores the pending authorization, then sends the browser to the provider. */
  begin(prepared: PreparedAuthorization): Promise<void>;
  /** Handles the provider's answer this page was opened with (once); null when there was none. */
  takeCallback(): Promise<CallbackOutcome | null>;
  exchange(connectionId: string): Promise<StepOutcome>;
  /**
   * Refreshes; a handed-off connection needs `confirmHandedOff` (the user said yes). The refresh
   * token expected is the one this tab last showed (see `connection`): another tab's newer one is
   * adopted rather than spent.
   */
  refresh(connectionId: string, options?: { confirmHandedOff?: boolean }): Promise<StepOutcome>;
  /**
   * Revokes the connection's refresh or access token at the provider (RFC 7009); a refresh token
   * needs `confirmed` (the user said yes), because revoking ends it for good, a server's copy too.
   */
  revoke(
    connectionId: string,
    which: RevocationTokenType,
    options?: { confirmed?: boolean },
  ): Promise<StepOutcome>;
  /** Checks the connection's ID token again (after the issuer's keys could not be read). */
  checkIdToken(connectionId: string): Promise<StepOutcome>;
  /** The hand-off for a server; marks the connection handed off (auto-refresh off). */
  exportForServer(connectionId: string): Promise<Handoff>;
  setAutoRefresh(connectionId: string, settings: ConnectionSettings): Promise<void>;
  importTokens(clientId: string, text: string): Promise<ImportOutcome>;
  /** When the next automatic refresh of a connection is due, if one is planned in this tab. */
  nextAutoRefresh(connectionId: string): number | null;
  forget(connectionId: string): Promise<void>;
  rename(connectionId: string, name: string): Promise<void>;
  /** The whole stored connection (token set, last exchange…), remembered as the one this tab shows. */
  connection(connectionId: string): Promise<Connection | undefined>;
  events(connectionId: string): Promise<ConnectionEvent[]>;
  /** Asks the provider, through the relay, whom the connection's access token belongs to. */
  probe(connectionId: string): Promise<ProbeOutcome>;
  /** Reads an issuer's metadata, from the page when it may, through the relay otherwise. */
  discover(issuer: string): Promise<DiscoveryResult>;
  /** The identity probe with a pasted access token (support desk): a read, nothing is spent. */
  probeToken(clientId: string, accessToken: string): Promise<ProbeOutcome>;
  /**
   * Revokes a pasted token (support desk) through the relay: nothing is stored, the answer and what
   * it means are returned to show. The caller asks the user first.
   */
  revokePasted(
    clientId: string,
    token: string,
    which: RevocationTokenType,
  ): Promise<{ readonly result: RelayTokenResult; readonly verdict: RevocationVerdict }>;
  /** What this browser's history knows of a refresh token, found by its fingerprint. */
  refreshTokenHistory(refreshToken: string): Promise<RefreshTokenHistory | null>;
  /**
   * Asks the client's introspection endpoint (RFC 7662) whether the connection's token is active, and
   * records the answer in its history. A read: no lock, no token changed, nothing spent.
   */
  introspect(connectionId: string, which: RevocationTokenType): Promise<IntrospectOutcome>;
  /** Introspects a pasted token (support desk): nothing is stored, the answer and its meaning are returned. */
  introspectPasted(
    clientId: string,
    token: string,
    which: RevocationTokenType | null,
  ): Promise<{ readonly result: RelayTokenResult; readonly verdict: IntrospectionVerdict }>;
  /** What storage status, backups and restores need (their code loads with them, never at start). */
  safekeeping(): SafekeepingContext;
  /**
   * Calls the provider's API with the connection's access token through the relay ("Try the API"),
   * and records the call in its history. Not a token step: no lock, no token changed. Offline, or with
   * the relay unreachable, nothing is sent and it says so.
   */
  callApi(connectionId: string, input: ApiCallInput): Promise<ApiCallOutcome>;
}

/** The recipe book (src/providers), loaded beside the first screen. */
export type RecipeBook = typeof import("../../providers/index.ts");

/** What the provider holds and its lazily loaded parts work with. */
export interface AppCore {
  readonly state: AppState;
  readonly callback: CallbackParams | null;
  readonly db: Promise<Db>;
  /** The relay's base URL (config.json read again after an offline start). */
  relayBase(): Promise<string>;
  readonly fetch: typeof fetch;
  readonly locks: LockManager | undefined;
  /** The shared worker that sends token requests, or null where there is none (tests, old browsers). */
  readonly worker: Promise<TokenWorkerClient | null>;
  readonly recipes: Promise<RecipeBook>;
  recipeFor(client: Pick<PublicClient, "provider">): Recipe;
  reloadClients(): Promise<void>;
  /** Tells the other tabs that a connection changed, and reads its summary again here. */
  changed(connectionId: string): void;
  /** The same for many connections at once (a restore): every summary is read again. */
  changedMany(): void;
  /** Reads the summaries of the connections that changed (all when none are named) again. */
  reloadSummaries(ids?: readonly string[]): Promise<void>;
  /** The whole record last shown of each connection: what a person saw when they clicked. */
  readonly shown: Map<string, Connection>;
  navigate(url: string): void;
  /** A connection was just made: asks the browser to persist storage, once per page. */
  keepStorage(): void;
}
