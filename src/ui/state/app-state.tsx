import { createContext, createSignal, onCleanup, onMount, type ParentProps, useContext } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import type { CallbackParams } from "../../oauth/callback.ts";
import type { DiscoveryResult } from "../../oauth/discover.ts";
import type { Handoff } from "../../oauth/handoff.ts";
import type { ProbeOutcome } from "../../oauth/identity.ts";
import type { IntrospectionVerdict } from "../../oauth/introspection.ts";
import {
  createRelayApi,
  createRelayClient,
  createRelayLookups,
  type RelayClient,
  type RelayTokenResult,
} from "../../oauth/relay-client.ts";
import type { RevocationVerdict } from "../../oauth/revocation.ts";
import { custom } from "../../providers/custom.ts";
import type { Recipe } from "../../providers/types.ts";
import type { PublicClient, RevocationTokenType } from "../../relay/contract.ts";
import { type Db, openDb } from "../../store/db.ts";
import type { RefreshTokenHistory } from "../../store/diagnose.ts";
import type { ApiCallInput, ApiCallOutcome } from "../../store/lifecycle/api-call.ts";
import type {
  CallbackOutcome,
  ImportOutcome,
  IntrospectOutcome,
  LifecycleDeps,
  StepOutcome,
} from "../../store/lifecycle.ts";
import type {
  Connection,
  ConnectionEvent,
  ConnectionSettings,
  PendingAuthorization,
} from "../../store/records.ts";
import {
  deleteConnection,
  listConnections,
  listEvents,
  prunePending,
  rememberAccount,
  renameConnection,
  savePending,
} from "../../store/repo.ts";
import { CHANNEL_NAME, type TokenStep } from "../../store/worker-protocol.ts";

// The protocol steps are needed only once a user authorizes, exchanges or refreshes.
const lifecycle = () => import("../../store/lifecycle.ts");
// Recipes (one file per provider, a growing set) and the auto-refresh planner are not needed to draw
// the first screen: they load beside it instead of in front of it (npm run bench: initial JS budget).
const recipeBook = () => import("../../providers/index.ts");
const autoRefresh = () => import("../../store/auto-refresh.ts");
type AutoRefresher = ReturnType<Awaited<ReturnType<typeof autoRefresh>>["createAutoRefresher"]>;
const authorize = () => import("../../oauth/authorize.ts");
const handoff = () => import("../../oauth/handoff.ts");
const identity = () => import("../../oauth/identity.ts");
const discovery = () => import("../../oauth/discover.ts");
const diagnose = () => import("../../store/diagnose.ts");
const revocation = () => import("../../oauth/revocation.ts");
const introspection = () => import("../../oauth/introspection.ts");
const apiCall = () => import("../../store/lifecycle/api-call.ts");
// Loaded at start, so it is here when the network goes away.
const network = () => import("./network.ts");

import { appRoot, redirectUriFor } from "../callback-capture.ts";
import { loadRuntimeConfig } from "./config.ts";
import type { SafekeepingContext } from "./safekeeping.ts";
import { connectTokenWorker, WorkerUnavailableError } from "./token-worker-client.ts";

/** Solid stores are set by path, so the fields are writable here; components only read them. */
export interface AppState {
  redirectUri: string;
  relayBase: string | null;
  clients: PublicClient[] | null;
  clientsError: string | null;
  /** The relay refused its latest configuration (and serves the last good clients): why, in its words. */
  relayConfigError: string | null;
  connections: Connection[];
  connectionsLoaded: boolean;
  storageError: string | null;
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
  /** Refreshes; a handed-off connection needs `confirmHandedOff` (the user said yes). */
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

/** How the steps that need the network are named when one cannot be sent. */
const STEP_WORDS: Readonly<Record<TokenStep["op"], string>> = {
  exchange: "the code exchange",
  refresh: "the refresh",
  revoke: "the revocation",
  "check-id-token": "the ID token check",
};

const Context = createContext<[AppState, AppActions]>();

/**
 * The dev server's word that the relay's clients changed (its CLIENTS_CHANGED_EVENT on Vite's HMR
 * channel, src/dev/vite-plugin.ts), passed on as a window event. `import.meta.hot` is undefined in
 * the build, so none of this is in it.
 */
const CLIENTS_CHANGED = "tokendesk:clients";
import.meta.hot?.on(CLIENTS_CHANGED, () => window.dispatchEvent(new Event(CLIENTS_CHANGED)));

/** Everything the UI needs, provided once at the root. The only place the UI touches store/. */
export function AppStateProvider(
  props: ParentProps<{
    callback: CallbackParams | null;
    /** For tests: where the app pretends to live. */
    location?: Pick<Location, "origin" | "pathname">;
    navigate?: (url: string) => void;
    /** For tests: what the page's requests (config.json, the relay) reach. */
    fetch?: typeof fetch;
  }>,
) {
  const location = props.location ?? window.location;
  const root = appRoot(location);
  const [state, setState] = createStore<AppState>({
    redirectUri: redirectUriFor(location),
    relayBase: null,
    clients: null,
    clientsError: null,
    relayConfigError: null,
    connections: [],
    connectionsLoaded: false,
    storageError: null,
  });

  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL_NAME);
  // Connected at start, not on the first token request: every open tab must hold the shared worker,
  // or closing the tab that started a refresh ends the worker, and the answer with it.
  const worker = props.fetch === undefined ? connectTokenWorker() : null;
  const dbReady: Promise<Db> = openDb();
  const fetchImpl = props.fetch ?? ((input, init) => fetch(input, init));
  // Read again when the network comes back if config.json could not be read (an offline start).
  let configUnread = false;
  const loadRelay = () =>
    loadRuntimeConfig(root, fetchImpl).then((config) => {
      configUnread = config.unread === true;
      setState("relayBase", config.relay.replace(/\/+$/, ""));
      return createRelayClient(config.relay, fetchImpl);
    });
  let relayReady: Promise<RelayClient> = loadRelay();

  const [recipes, setRecipes] = createSignal<Awaited<ReturnType<typeof recipeBook>> | null>(null);
  const recipesReady = recipeBook().then((book) => {
    setRecipes(book);
    return book;
  });

  let autoRefresher: AutoRefresher | undefined;
  let listed: Connection[] | undefined;
  let disposed = false;
  void autoRefresh().then(({ createAutoRefresher }) => {
    if (disposed) return;
    autoRefresher = createAutoRefresher({
      now: Date.now,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      refresh: (id, token) =>
        runStep({
          op: "refresh",
          connectionId: id,
          options: { expectedRefreshToken: token, trigger: "auto" },
        }).catch(() => undefined),
    });
    if (listed !== undefined) autoRefresher.update(listed);
  });

  const reloadConnections = async () => {
    try {
      const connections = await listConnections(await dbReady);
      listed = connections;
      autoRefresher?.update(connections);
      setState("connections", reconcile(connections, { key: "id" }));
      setState({ connectionsLoaded: true, storageError: null });
    } catch (error) {
      setState({
        connectionsLoaded: true,
        storageError: error instanceof Error ? error.message : String(error),
      });
    }
  };

  /** Tells other tabs (and this one) that a connection changed. */
  const changed = (id: string) => {
    channel?.postMessage({ type: "connection-changed", id });
    void reloadConnections();
  };
  const locks = typeof navigator !== "undefined" && "locks" in navigator ? navigator.locks : undefined;
  const deps = async (): Promise<LifecycleDeps> => ({
    db: await dbReady,
    relay: await relayReady,
    now: Date.now,
    fetch: fetchImpl,
    lookups: createRelayLookups((await relayReady).base, fetchImpl),
    locks,
    notify: changed,
  });

  // Until the recipes arrive (milliseconds after start) a provider reads as custom. Clients are
  // listed only once they are here (reloadClients), so every action on a listed client has them;
  // anything showing a recipe earlier updates when they come.
  const recipeFor = (client: Pick<PublicClient, "provider">): Recipe =>
    recipes()?.findRecipe(client.provider) ?? custom;

  /**
   * Sends a token request through the shared worker, so the answer is stored even if this tab
   * closes meanwhile; in the page itself where there is no worker.
   */
  async function runStep(step: TokenStep): Promise<StepOutcome> {
    const blocked = await networkBlocker(STEP_WORDS[step.op]);
    if (blocked !== null) return { kind: "not_sent", reason: "offline", message: blocked };
    const relay = await relayReady;
    if (worker !== null) {
      try {
        return await worker.run(step, relay.base);
      } catch (error) {
        if (!(error instanceof WorkerUnavailableError)) throw error;
      }
    }
    const [l, d] = await Promise.all([lifecycle(), deps()]);
    return l.runTokenStep(d, step);
  }

  // One request at a time: focus events come in bursts, and answers must not land out of order.
  let clientsInFlight: Promise<void> | undefined;
  const reloadClients = (): Promise<void> => {
    clientsInFlight ??= (async () => {
      try {
        if (typeof navigator !== "undefined" && navigator.onLine === false) {
          setState({
            clients: null,
            clientsError: (await network()).OFFLINE_CLIENTS,
            relayConfigError: null,
          });
          return;
        }
        const relay = await relayReady;
        const [answer] = await Promise.all([relay.clients(), recipesReady]);
        // Keyed, so cards of clients that stayed are kept as they are (focus, open details).
        setState("clients", reconcile([...answer.clients], { key: "id" }));
        setState({ clientsError: null, relayConfigError: answer.configuration_error ?? null });
      } catch (error) {
        setState({
          clients: null,
          clientsError: error instanceof Error ? error.message : String(error),
          relayConfigError: null,
        });
      } finally {
        clientsInFlight = undefined;
      }
    })();
    return clientsInFlight;
  };
  // The relay's clients change while the page is open (`npm run client -- add`, an edited
  // .env.local): look again whenever the person comes back to the page, and at once when the dev
  // server says so (see CLIENTS_CHANGED).
  const onFocus = () => void reloadClients();
  const onVisible = () => {
    if (document.visibilityState === "visible") void reloadClients();
  };

  /**
   * Why a step that needs the network must not be tried now, said before anything is sent or marked
   * as sent (a code's exchange marker, a refresh's in-flight marker): offline, or, for a step that
   * goes through the relay, the relay known to be unreachable and still so when asked again. Null
   * when it may be tried.
   */
  async function networkBlocker(step: string, viaRelay = true): Promise<string | null> {
    const { offlineMessage, relayProblem } = await network();
    const offline = offlineMessage(step);
    if (offline !== null) return offline;
    if (!viaRelay || state.clients !== null || state.clientsError === null) return null;
    await reloadClients();
    return state.clients === null && state.clientsError !== null
      ? relayProblem(state.clientsError, step)
      : null;
  }

  /** Throws, in words, when a lookup or an authorization cannot work for want of a network. */
  async function requireNetwork(step: string, viaRelay = true): Promise<void> {
    const blocked = await networkBlocker(step, viaRelay);
    if (blocked !== null) throw new Error(blocked);
  }

  let callbackOutcome: Promise<CallbackOutcome | null> | undefined;
  let persistAsked = false;
  /**
   * A connection was just made: ask the browser to keep storage, unless it does already. Once per
   * page: Chromium decides silently (and may say yes later, as the site is used more); Firefox asks
   * the person, and asking at every connection would nag.
   */
  const keepStorage = () => {
    const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
    if (persistAsked || storage?.persist === undefined) return;
    persistAsked = true;
    void storage
      .persisted()
      .then((kept) => kept || storage.persist())
      .catch(() => undefined);
  };

  const actions: AppActions = {
    recipeFor,
    reloadClients,
    async prepare(client, scope, extraParams = {}) {
      const recipe = recipeFor(client);
      const a = await authorize();
      const { codeVerifier, codeChallenge } = await a.createPkce();
      const stateValue = a.createState();
      const nonce = a.createNonceFor(scope);
      const url = a.buildAuthorizationUrl({
        authorizationEndpoint: a.authorizationEndpointOf(client, recipe),
        clientId: client.client_id,
        redirectUri: state.redirectUri,
        scope,
        state: stateValue,
        codeChallenge,
        nonce,
        extraParams: { ...recipe.authorizeParams, ...extraParams },
      });
      return {
        url,
        pending: {
          state: stateValue,
          codeVerifier,
          clientId: client.id,
          provider: client.provider,
          redirectUri: state.redirectUri,
          scope,
          issuer: client.issuer,
          authorizationUrl: url.href,
          createdAt: Date.now(),
          nonce,
        },
      };
    },
    async begin(prepared) {
      // The provider's page, not the relay: only the network must be there.
      await requireNetwork("the authorization request", false);
      await savePending(await dbReady, { ...prepared.pending, createdAt: Date.now() });
      (props.navigate ?? ((url) => window.location.assign(url)))(prepared.url.href);
    },
    takeCallback() {
      if (callbackOutcome === undefined) {
        const params = props.callback;
        callbackOutcome =
          params === null
            ? Promise.resolve(null)
            : Promise.all([deps(), lifecycle()]).then(async ([d, l]) => {
                const outcome = await l.receiveCallback(d, params);
                if (outcome.kind === "connected") keepStorage();
                return outcome;
              });
      }
      return callbackOutcome;
    },
    async exchange(id) {
      const outcome = await runStep({ op: "exchange", connectionId: id });
      await reloadConnections();
      return outcome;
    },
    async refresh(id, options = {}) {
      const current = state.connections.find((c) => c.id === id);
      const outcome = await runStep({
        op: "refresh",
        connectionId: id,
        options: {
          expectedRefreshToken: current?.tokenSet?.refreshToken ?? null,
          confirmHandedOff: options.confirmHandedOff === true,
          trigger: "user",
        },
      });
      await reloadConnections();
      return outcome;
    },
    async revoke(id, which, options = {}) {
      const outcome = await runStep({
        op: "revoke",
        connectionId: id,
        which,
        options: { confirmed: options.confirmed === true },
      });
      await reloadConnections();
      return outcome;
    },
    async checkIdToken(id) {
      const outcome = await runStep({ op: "check-id-token", connectionId: id });
      await reloadConnections();
      return outcome;
    },
    async exportForServer(id) {
      const connection = state.connections.find((c) => c.id === id);
      if (connection?.tokenSet?.refreshToken == null)
        throw new Error("This connection has no refresh token to hand off.");
      const client = state.clients?.find((c) => c.id === connection.clientId);
      if (client === undefined) {
        throw new Error(
          `The relay does not list client "${connection.clientId}", whose token endpoint the export needs.`,
        );
      }
      const [{ buildHandoff }, l, d, { fingerprint }] = await Promise.all([
        handoff(),
        lifecycle(),
        deps(),
        import("../../oauth/fingerprint.ts"),
      ]);
      const result = buildHandoff(client, recipeFor(client), connection.tokenSet);
      await l.markHandedOff(d, id, await fingerprint(connection.tokenSet.refreshToken));
      return result;
    },
    async setAutoRefresh(id, settings) {
      const [l, d] = await Promise.all([lifecycle(), deps()]);
      await l.setAutoRefresh(d, id, settings);
    },
    async importTokens(clientId, text) {
      const client = state.clients?.find((c) => c.id === clientId);
      if (client === undefined)
        return { kind: "refused", message: `The relay does not list client "${clientId}".` };
      const [l, d] = await Promise.all([lifecycle(), deps()]);
      const outcome = await l.importTokens(d, { clientId, provider: client.provider, text });
      if (outcome.kind === "imported") keepStorage();
      return outcome;
    },
    nextAutoRefresh(id) {
      return autoRefresher?.scheduled().get(id) ?? null;
    },
    async forget(id) {
      await deleteConnection(await dbReady, id);
      channel?.postMessage({ type: "connection-changed", id });
      await reloadConnections();
    },
    async rename(id, name) {
      await renameConnection(await dbReady, id, name, Date.now());
      channel?.postMessage({ type: "connection-changed", id });
      await reloadConnections();
    },
    async events(id) {
      return listEvents(await dbReady, id);
    },
    async probe(id) {
      await requireNetwork("the identity probe");
      const connection = state.connections.find((c) => c.id === id);
      const accessToken = connection?.tokenSet?.accessToken;
      if (connection === undefined || accessToken == null)
        throw new Error("This connection has no access token.");
      const [{ probeAccount }, relay] = await Promise.all([identity(), relayReady, recipesReady]);
      const outcome = await probeAccount(
        createRelayLookups(relay.base, fetchImpl),
        { client: connection.clientId, accessToken },
        recipeFor(connection),
      );
      if (outcome.account !== null) {
        await rememberAccount(await dbReady, id, outcome.account, Date.now());
        channel?.postMessage({ type: "connection-changed", id });
        await reloadConnections();
      }
      return outcome;
    },
    async discover(issuer) {
      // Read from the page where the issuer allows it: only the network must be there.
      await requireNetwork("the discovery request", false);
      const [{ discoverIssuer }, relay] = await Promise.all([discovery(), relayReady]);
      return discoverIssuer(issuer, { fetch: fetchImpl, lookups: createRelayLookups(relay.base, fetchImpl) });
    },
    async probeToken(clientId, accessToken) {
      await requireNetwork("the identity probe");
      const client = state.clients?.find((c) => c.id === clientId);
      if (client === undefined) throw new Error(`The relay does not list client "${clientId}".`);
      const [{ probeAccount }, relay] = await Promise.all([identity(), relayReady]);
      return probeAccount(
        createRelayLookups(relay.base, fetchImpl),
        { client: clientId, accessToken },
        recipeFor(client),
      );
    },
    async revokePasted(clientId, token, which) {
      await requireNetwork("the revocation");
      const [{ readRevocation }, relay] = await Promise.all([revocation(), relayReady]);
      const result = await relay.revoke({ client: clientId, token, token_type_hint: which });
      return { result, verdict: readRevocation(result, which) };
    },
    async introspect(id, which) {
      const connection = state.connections.find((c) => c.id === id);
      const client = state.clients?.find((c) => c.id === connection?.clientId) ?? null;
      const [l, db, relay] = await Promise.all([lifecycle(), dbReady, relayReady]);
      return l.introspectToken(
        {
          db,
          lookups: createRelayLookups(relay.base, fetchImpl),
          now: Date.now,
          notify: (changed) => {
            channel?.postMessage({ type: "connection-changed", id: changed });
            void reloadConnections();
          },
        },
        id,
        which,
        client,
      );
    },
    async introspectPasted(clientId, token, which) {
      const client = state.clients?.find((c) => c.id === clientId);
      if (client === undefined) throw new Error(`The relay does not list client "${clientId}".`);
      const [m, relay] = await Promise.all([introspection(), relayReady]);
      return m.introspect(
        createRelayLookups(relay.base, fetchImpl),
        { client: clientId, token, which },
        { clientId: client.client_id, issuer: client.issuer },
      );
    },
    async refreshTokenHistory(refreshToken) {
      const [{ findRefreshTokenInHistory }, db] = await Promise.all([diagnose(), dbReady]);
      return findRefreshTokenInHistory(db, refreshToken);
    },
    safekeeping: () => ({ db: dbReady, locks, notify: changed, clients: () => state.clients, keepStorage }),
    async callApi(id, input) {
      const blocked = await networkBlocker("the API call");
      if (blocked !== null) return { kind: "not_sent", message: blocked };
      const [m, db, relay] = await Promise.all([apiCall(), dbReady, relayReady]);
      return m.callApi(
        { db, call: createRelayApi(relay.base, fetchImpl), now: Date.now, notify: changed },
        id,
        input,
      );
    },
  };

  onMount(() => {
    void reloadConnections();
    void reloadClients();
    window.addEventListener("focus", onFocus);
    window.addEventListener(CLIENTS_CHANGED, onFocus);
    document.addEventListener("visibilitychange", onVisible);
    void dbReady.then((db) => prunePending(db, Date.now())).catch(() => undefined);
    void network();
    if (channel !== null) {
      channel.onmessage = () => void reloadConnections();
    }
    window.addEventListener("online", onOnline);
  });
  // Back online: the relay's clients load, and automatic refreshes skipped offline are planned again.
  const onOnline = () => {
    if (configUnread) relayReady = loadRelay();
    void reloadClients();
    void reloadConnections();
  };
  onCleanup(() => {
    window.removeEventListener("focus", onFocus);
    window.removeEventListener(CLIENTS_CHANGED, onFocus);
    document.removeEventListener("visibilitychange", onVisible);
    window.removeEventListener("online", onOnline);
    channel?.close();
    disposed = true;
    autoRefresher?.stop();
  });

  return <Context.Provider value={[state, actions]}>{props.children}</Context.Provider>;
}

/** The app's state and actions; throws when used outside {@link AppStateProvider}. */
export function useAppState(): [AppState, AppActions] {
  const value = useContext(Context);
  if (value === undefined) throw new Error("useAppState() must be used inside <AppStateProvider>.");
  return value;
}
