import {
  batch,
  createContext,
  createSignal,
  getOwner,
  onCleanup,
  onMount,
  type ParentProps,
  runWithOwner,
  useContext,
} from "solid-js";
import type { CallbackParams } from "../../oauth/callback.ts";
import { fetchClients } from "../../oauth/relay-clients.ts";
import { custom } from "../../providers/custom.ts";
import type { PublicClient } from "../../relay/contract.ts";
import { type Db, openDb } from "../../store/db.ts";
import type { EarlyRead } from "../../store/early-read.ts";
import { listSummaries, readSummaries } from "../../store/list.ts";
import type { Connection } from "../../store/records.ts";
import type { ConnectionSummary } from "../../store/summary.ts";
import { CHANNEL_NAME, type ChangeMessage } from "../../store/worker-protocol.ts";
import { appRoot, redirectUriFor } from "../callback-capture.ts";
import type { AppActions, AppCore, AppState, RecipeBook } from "./app-types.ts";
import { loadRuntimeConfig } from "./config.ts";

export type { AppActions, AppState, PreparedAuthorization } from "./app-types.ts";

// The first screen holds only what draws it: the relay's clients and the connections' summaries.
// Everything a person starts (token steps, lookups) and what runs beside it (automatic refreshes, the
// token worker, offline checks) loads after it, on first use or once the list is drawn.
const tokenActions = () => import("./token-actions.ts");
const lookupActions = () => import("./lookup-actions.ts");
const autoRefresh = () => import("./auto-refresh-state.ts");
const tokenWorker = () => import("./token-worker-client.ts");
const network = () => import("./network.ts");
const repo = () => import("../../store/repo.ts");
// Recipes (one file per provider, a growing set) load beside the first screen, not in front of it.
const recipeBook = (): Promise<RecipeBook> => import("../../providers/index.ts");

const Context = createContext<[AppState, AppActions]>();

/**
 * The dev server's word that the relay's clients changed (its CLIENTS_CHANGED_EVENT on Vite's HMR
 * channel, src/dev/vite-plugin.ts), passed on as a window event. `import.meta.hot` is undefined in
 * the build, so none of this is in it.
 */
const CLIENTS_CHANGED = "tokendesk:clients";
import.meta.hot?.on(CLIENTS_CHANGED, () => window.dispatchEvent(new Event(CLIENTS_CHANGED)));

/** The same client as before, when nothing about it changed: its card stays as it is (focus, open details). */
function keepSame<T extends { readonly id: string }>(
  before: readonly T[] | null,
  after: readonly T[],
  same: (a: T, b: T) => boolean,
): T[] {
  const old = new Map(before?.map((item) => [item.id, item]));
  return after.map((item) => {
    const kept = old.get(item.id);
    return kept !== undefined && same(kept, item) ? kept : item;
  });
}

/**
 * Methods of an object whose code loads on first use: each stands in for the loaded method and
 * returns what it returns (all of them return promises).
 */
function onFirstUse<T extends object>(load: () => Promise<T>) {
  let loaded: Promise<T> | undefined;
  const get = () => {
    loaded ??= load();
    return loaded;
  };
  return <K extends keyof T>(name: K): T[K] =>
    // The stand-in has the loaded method's parameters and promise; TypeScript cannot see through the spread.
    ((...args: unknown[]) => get().then((m) => (m[name] as (...a: unknown[]) => unknown)(...args))) as T[K];
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sameStamp = (a: ConnectionSummary, b: ConnectionSummary) => a.stamp === b.stamp;
const newestFirst = (a: ConnectionSummary, b: ConnectionSummary) => b.createdAt - a.createdAt;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Everything the UI needs, provided once at the root. The only place the UI touches store/. */
export function AppStateProvider(
  props: ParentProps<{
    callback: CallbackParams | null;
    /** For tests: where the app pretends to live. */
    location?: Pick<Location, "origin" | "pathname">;
    navigate?: (url: string) => void;
    /** For tests: what the page's requests (config.json, the relay) reach. */
    fetch?: typeof fetch;
    /** The store's opening and the list's first read, started by the page's entry (store/early-read.ts). */
    earlyRead?: EarlyRead | null;
  }>,
) {
  const location = props.location ?? window.location;
  const root = appRoot(location);
  const redirectUri = redirectUriFor(location);
  const [relayBase, setRelayBase] = createSignal<string | null>(null);
  const [clients, setClients] = createSignal<readonly PublicClient[] | null>(null);
  const [clientsError, setClientsError] = createSignal<string | null>(null);
  const [relayConfigError, setRelayConfigError] = createSignal<string | null>(null);
  const [connections, setConnections] = createSignal<readonly ConnectionSummary[]>([]);
  const [connectionsLoaded, setConnectionsLoaded] = createSignal(false);
  const [storageError, setStorageError] = createSignal<string | null>(null);
  // Getters over signals: components read `state.clients` and track it, and cannot set it.
  const state: AppState = {
    redirectUri,
    get relayBase() {
      return relayBase();
    },
    get clients() {
      return clients();
    },
    get clientsError() {
      return clientsError();
    },
    get relayConfigError() {
      return relayConfigError();
    },
    get connections() {
      return connections();
    },
    get connectionsLoaded() {
      return connectionsLoaded();
    },
    get storageError() {
      return storageError();
    },
  };

  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL_NAME);
  let earlyRead = props.earlyRead ?? undefined;
  const dbReady: Promise<Db> = earlyRead?.db ?? openDb();
  const fetchImpl = props.fetch ?? ((input, init) => fetch(input, init));
  // Read again when the network comes back if config.json could not be read (an offline start).
  let configUnread = false;
  const loadRelay = () =>
    loadRuntimeConfig(root, fetchImpl).then((config) => {
      configUnread = config.unread === true;
      const base = config.relay.replace(/\/+$/, "");
      setRelayBase(base);
      return base;
    });
  let relayReady: Promise<string> = loadRelay();

  const [recipes, setRecipes] = createSignal<RecipeBook | null>(null);
  const recipesReady = recipeBook().then((book) => {
    setRecipes(book);
    return book;
  });
  // Until the recipes arrive (milliseconds after start) a provider reads as custom. Clients are
  // listed only once they are here (reloadClients), so every action on a listed client has them;
  // anything showing a recipe earlier updates when they come.
  const recipeFor: AppCore["recipeFor"] = (client) => recipes()?.findRecipe(client.provider) ?? custom;

  let listedOnce: (() => void) | undefined;
  const firstListed = new Promise<void>((resolve) => {
    listedOnce = resolve;
  });
  // Connected once the list is drawn, not on the first token request: every open tab must hold the
  // shared worker, or closing the tab that started a refresh ends the worker, and the answer with
  // it. Not before the list: starting a worker thread and its chunk competes with the first screen.
  const worker =
    props.fetch === undefined
      ? firstListed.then(tokenWorker).then((m) => m.connectTokenWorker())
      : Promise.resolve(null);
  const loadAll = async () => {
    const db = await dbReady;
    const early = earlyRead;
    earlyRead = undefined;
    // The entry's read, unless another tab changed something since it began.
    const all = (await early?.take()) ?? (await listSummaries(db));
    batch(() => {
      setConnections((before) => keepSame(before, all, sameStamp));
      setConnectionsLoaded(true);
      setStorageError(null);
    });
  };
  /** Reads again the summaries of `ids` only: one change costs one small read, not the whole list. */
  const loadSome = async (ids: readonly string[]) => {
    const found = await readSummaries(await dbReady, ids);
    const changed = new Map(ids.map((id, i) => [id, found[i]]));
    setConnections((before) => {
      const next = before
        .filter((s) => !changed.has(s.id) || changed.get(s.id) !== undefined)
        .map((s) => {
          const now = changed.get(s.id);
          changed.delete(s.id);
          return now !== undefined && now.stamp !== s.stamp ? now : s;
        });
      // What is left is new to this tab.
      const added = [...changed.values()].filter((s): s is ConnectionSummary => s !== undefined);
      return added.length === 0 ? next : [...added, ...next].sort(newestFirst);
    });
  };
  // Changes come in bursts (a refresh writes twice; another tab's restore, hundreds): gather them,
  // then read once.
  let pendingIds: Set<string> | null = new Set();
  let reloading: Promise<void> | undefined;
  let again = false;
  const reloadSummaries = (ids?: readonly string[]): Promise<void> => {
    if (ids === undefined) pendingIds = null;
    else if (pendingIds !== null) for (const id of ids) pendingIds.add(id);
    if (reloading !== undefined) {
      again = true;
      return reloading;
    }
    reloading = (async () => {
      await Promise.resolve();
      try {
        do {
          again = false;
          const wanted = pendingIds;
          pendingIds = new Set();
          // Many at once read faster as one range than as many gets.
          if (wanted === null || wanted.size > 50 || !connectionsLoaded()) await loadAll();
          else if (wanted.size > 0) await loadSome([...wanted]);
        } while (again);
      } catch (error) {
        batch(() => {
          setConnectionsLoaded(true);
          setStorageError(message(error));
        });
      } finally {
        reloading = undefined;
        listedOnce?.();
        listedOnce = undefined;
      }
    })();
    return reloading;
  };

  const post = (change: ChangeMessage) => channel?.postMessage(change);
  const changed = (id: string) => {
    post({ type: "connection-changed", id });
    void reloadSummaries([id]);
  };
  const changedMany = () => {
    post({ type: "connections-changed" });
    void reloadSummaries();
  };

  // One request at a time: focus events come in bursts, and answers must not land out of order.
  let clientsInFlight: Promise<void> | undefined;
  const reloadClients = (): Promise<void> => {
    clientsInFlight ??= (async () => {
      try {
        if (typeof navigator !== "undefined" && navigator.onLine === false) {
          const { OFFLINE_CLIENTS } = await network();
          batch(() => {
            setClients(null);
            setClientsError(OFFLINE_CLIENTS);
            setRelayConfigError(null);
          });
          return;
        }
        const [answer] = await Promise.all([fetchClients(await relayReady, fetchImpl), recipesReady]);
        batch(() => {
          setClients((before) => keepSame(before, answer.clients, sameJson));
          setClientsError(null);
          setRelayConfigError(answer.configuration_error ?? null);
        });
      } catch (error) {
        batch(() => {
          setClients(null);
          setClientsError(message(error));
          setRelayConfigError(null);
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

  const owner = getOwner();
  let persistAsked = false;
  const core: AppCore = {
    state,
    callback: props.callback,
    db: dbReady,
    relayBase: () => relayReady,
    fetch: fetchImpl,
    locks: typeof navigator !== "undefined" && "locks" in navigator ? navigator.locks : undefined,
    worker,
    recipes: recipesReady,
    recipeFor,
    reloadClients,
    changed,
    changedMany,
    reloadSummaries,
    shown: new Map<string, Connection>(),
    navigate: props.navigate ?? ((url) => window.location.assign(url)),
    /**
     * Once per page: Chromium decides silently (and may say yes later, as the site is used more);
     * Firefox asks the person, and asking at every connection would nag.
     */
    keepStorage() {
      const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
      if (persistAsked || storage?.persist === undefined) return;
      persistAsked = true;
      void storage
        .persisted()
        .then((kept) => kept || storage.persist())
        .catch(() => undefined);
    },
  };

  const token = onFirstUse(() => tokenActions().then((m) => m.createTokenActions(core)));
  const lookup = onFirstUse(() => lookupActions().then((m) => m.createLookupActions(core)));
  let planner: { next(id: string): number | null; stop(): void } | undefined;
  let disposed = false;
  const actions: AppActions = {
    recipeFor,
    reloadClients,
    prepare: token("prepare"),
    begin: token("begin"),
    takeCallback: token("takeCallback"),
    exchange: token("exchange"),
    refresh: token("refresh"),
    revoke: token("revoke"),
    checkIdToken: token("checkIdToken"),
    exportForServer: token("exportForServer"),
    setAutoRefresh: token("setAutoRefresh"),
    importTokens: token("importTokens"),
    nextAutoRefresh: (id) => planner?.next(id) ?? null,
    async forget(id) {
      await (await repo()).deleteConnection(await dbReady, id);
      core.shown.delete(id);
      changed(id);
      await reloadSummaries([id]);
    },
    async rename(id, name) {
      await (await repo()).renameConnection(await dbReady, id, name, Date.now());
      changed(id);
      await reloadSummaries([id]);
    },
    async connection(id) {
      const record = await (await repo()).getConnection(await dbReady, id);
      if (record === undefined) core.shown.delete(id);
      else core.shown.set(id, record);
      return record;
    },
    events: async (id) => (await repo()).listEvents(await dbReady, id),
    probe: lookup("probe"),
    discover: lookup("discover"),
    probeToken: lookup("probeToken"),
    revokePasted: lookup("revokePasted"),
    refreshTokenHistory: lookup("refreshTokenHistory"),
    introspect: lookup("introspect"),
    introspectPasted: lookup("introspectPasted"),
    callApi: lookup("callApi"),
    safekeeping: () => ({
      db: dbReady,
      locks: core.locks,
      notify: changed,
      notifyMany: changedMany,
      clients: () => state.clients,
      keepStorage: core.keepStorage,
    }),
  };

  const onOnline = () => {
    if (configUnread) relayReady = loadRelay();
    void reloadClients();
    // Automatic refreshes skipped offline are planned again.
    void reloadSummaries();
  };
  onMount(() => {
    void reloadSummaries();
    void reloadClients();
    window.addEventListener("focus", onFocus);
    window.addEventListener(CLIENTS_CHANGED, onFocus);
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("online", onOnline);
    if (channel !== null) {
      channel.onmessage = (event: MessageEvent<ChangeMessage>) =>
        void reloadSummaries(event.data?.type === "connection-changed" ? [event.data.id] : undefined);
    }
    // Once the list is drawn: what runs beside it, and what must be here when the network goes away.
    void firstListed.then(async () => {
      const [m] = await Promise.all([autoRefresh(), network()]);
      if (disposed) return;
      planner = runWithOwner(owner, () => m.createPlanner(core));
      void dbReady.then((db) => repo().then((r) => r.prunePending(db, Date.now()))).catch(() => undefined);
    });
  });
  onCleanup(() => {
    window.removeEventListener("focus", onFocus);
    window.removeEventListener(CLIENTS_CHANGED, onFocus);
    document.removeEventListener("visibilitychange", onVisible);
    window.removeEventListener("online", onOnline);
    channel?.close();
    disposed = true;
    planner?.stop();
  });

  return <Context.Provider value={[state, actions]}>{props.children}</Context.Provider>;
}

/** The app's state and actions; throws when used outside {@link AppStateProvider}. */
export function useAppState(): [AppState, AppActions] {
  const value = useContext(Context);
  if (value === undefined) throw new Error("useAppState() must be used inside <AppStateProvider>.");
  return value;
}
