import { createContext, onCleanup, onMount, type ParentProps, useContext } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import type { CallbackParams } from "../../oauth/callback.ts";
import { createRelayClient, type RelayClient } from "../../oauth/relay-client.ts";
import { custom } from "../../providers/custom.ts";
import { findRecipe } from "../../providers/index.ts";
import type { Recipe } from "../../providers/types.ts";
import type { PublicClient } from "../../relay/contract.ts";
import { type Db, openDb } from "../../store/db.ts";
import type { CallbackOutcome, LifecycleDeps, StepOutcome } from "../../store/lifecycle.ts";
import type { Connection, ConnectionEvent, PendingAuthorization } from "../../store/records.ts";
import {
  deleteConnection,
  listConnections,
  listEvents,
  prunePending,
  renameConnection,
  savePending,
} from "../../store/repo.ts";

// The protocol steps are needed only once a user authorizes, exchanges or refreshes.
const lifecycle = () => import("../../store/lifecycle.ts");
const authorize = () => import("../../oauth/authorize.ts");

import { appRoot, redirectUriFor } from "../callback-capture.ts";
import { loadRuntimeConfig } from "./config.ts";

/** Solid stores are set by path, so the fields are writable here; components only read them. */
export interface AppState {
  redirectUri: string;
  relayBase: string | null;
  clients: PublicClient[] | null;
  clientsError: string | null;
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
  recipeFor(client: PublicClient): Recipe;
  reloadClients(): Promise<void>;
  prepare(client: PublicClient, scope: string): Promise<PreparedAuthorization>;
  /** Stores the pending authorization, then sends the browser to the provider. */
  begin(prepared: PreparedAuthorization): Promise<void>;
  /** Handles the provider's answer this page was opened with (once); null when there was none. */
  takeCallback(): Promise<CallbackOutcome | null>;
  exchange(connectionId: string): Promise<StepOutcome>;
  refresh(connectionId: string): Promise<StepOutcome>;
  forget(connectionId: string): Promise<void>;
  rename(connectionId: string, name: string): Promise<void>;
  events(connectionId: string): Promise<ConnectionEvent[]>;
}

const Context = createContext<[AppState, AppActions]>();

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
    connections: [],
    connectionsLoaded: false,
    storageError: null,
  });

  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("tokendesk");
  const dbReady: Promise<Db> = openDb();
  const fetchImpl = props.fetch ?? ((input, init) => fetch(input, init));
  const relayReady: Promise<RelayClient> = loadRuntimeConfig(root, fetchImpl).then((config) => {
    setState("relayBase", config.relay.replace(/\/+$/, ""));
    return createRelayClient(config.relay, fetchImpl);
  });

  const reloadConnections = async () => {
    try {
      const connections = await listConnections(await dbReady);
      setState("connections", reconcile(connections, { key: "id" }));
      setState({ connectionsLoaded: true, storageError: null });
    } catch (error) {
      setState({
        connectionsLoaded: true,
        storageError: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const deps = async (): Promise<LifecycleDeps> => ({
    db: await dbReady,
    relay: await relayReady,
    now: Date.now,
    locks: typeof navigator !== "undefined" && "locks" in navigator ? navigator.locks : undefined,
    notify: (id) => {
      channel?.postMessage({ type: "connection-changed", id });
      void reloadConnections();
    },
  });

  const recipeFor = (client: PublicClient): Recipe => findRecipe(client.provider) ?? custom;

  const reloadClients = async () => {
    setState("clientsError", null);
    try {
      const relay = await relayReady;
      setState("clients", await relay.clients());
    } catch (error) {
      setState({ clients: null, clientsError: error instanceof Error ? error.message : String(error) });
    }
  };

  let callbackOutcome: Promise<CallbackOutcome | null> | undefined;

  const actions: AppActions = {
    recipeFor,
    reloadClients,
    async prepare(client, scope) {
      const recipe = recipeFor(client);
      const endpoint =
        client.authorization_endpoint ??
        recipe.environments?.[client.environment ?? ""]?.authorization_endpoint;
      if (endpoint === undefined || endpoint === null) {
        throw new Error(
          `Client "${client.id}" has no authorization endpoint: add "authorization_endpoint" to it in TOKENDESK_CLIENTS.`,
        );
      }
      const { buildAuthorizationUrl, createPkce, createState } = await authorize();
      const { codeVerifier, codeChallenge } = await createPkce();
      const stateValue = createState();
      const url = buildAuthorizationUrl({
        authorizationEndpoint: endpoint,
        clientId: client.client_id,
        redirectUri: state.redirectUri,
        scope,
        state: stateValue,
        codeChallenge,
        extraParams: recipe.authorizeParams,
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
        },
      };
    },
    async begin(prepared) {
      await savePending(await dbReady, { ...prepared.pending, createdAt: Date.now() });
      (props.navigate ?? ((url) => window.location.assign(url)))(prepared.url.href);
    },
    takeCallback() {
      if (callbackOutcome === undefined) {
        const params = props.callback;
        callbackOutcome =
          params === null
            ? Promise.resolve(null)
            : Promise.all([deps(), lifecycle()]).then(([d, l]) => l.receiveCallback(d, params));
      }
      return callbackOutcome;
    },
    async exchange(id) {
      return (await lifecycle()).exchangeCode(await deps(), id);
    },
    async refresh(id) {
      const current = state.connections.find((c) => c.id === id);
      return (await lifecycle()).refreshConnection(await deps(), id, current?.tokenSet?.refreshToken ?? null);
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
  };

  onMount(() => {
    void reloadConnections();
    void reloadClients();
    void dbReady.then((db) => prunePending(db, Date.now())).catch(() => undefined);
    if (channel !== null) {
      channel.onmessage = () => void reloadConnections();
    }
  });
  onCleanup(() => channel?.close());

  return <Context.Provider value={[state, actions]}>{props.children}</Context.Provider>;
}

/** The app's state and actions; throws when used outside {@link AppStateProvider}. */
export function useAppState(): [AppState, AppActions] {
  const value = useContext(Context);
  if (value === undefined) throw new Error("useAppState() must be used inside <AppStateProvider>.");
  return value;
}
