/**
 * Routes in the address's hash (`#/connections/abc`), so any static host serves every route without
 * rewrite rules. About 1.3 kB gzip instead of @solidjs/router: with it (HashRouter, Route, A and the
 * three hooks, nothing else imported) the first screen measured 25.1 kB gzip against 18.9 kB with
 * this file, over the 22 kB hard budget (issue 14), for seven fixed routes. Links are real
 * `href="#/…"` anchors: open in a new tab, copy, and keyboard all work as the browser's own.
 * test/component/router.test.tsx covers matching, parameters, links, back and forward.
 */
import {
  type Accessor,
  batch,
  type Component,
  createContext,
  createMemo,
  createSignal,
  type JSX,
  onCleanup,
  type ParentProps,
  untrack,
  useContext,
} from "solid-js";

/** A route: a path of fixed segments, `:name` segments (read with `useParams`), or `*` for any other. */
export interface RouteDef {
  readonly path: string;
  readonly component: Component;
}

/** Where the current path lives and how it changes: the address's hash, or memory in tests. */
export interface RouterSource {
  /** The current path with its query, e.g. `/support?connection=abc`. */
  read(): string;
  write(path: string, replace: boolean): void;
  /** Calls `notify` when the path changes from outside (back, forward, an edited address). */
  listen(notify: () => void): () => void;
  /** What an anchor's href is for `path`. */
  href(path: string): string;
}

/**
 * The address's hash; none is the home page. A hash that is no route (`#main`, a skip link's target)
 * leaves the route as it is.
 */
export function hashSource(): RouterSource {
  let last = "/";
  const read = () => {
    const hash = window.location.hash;
    if (hash.startsWith("#/")) last = hash.slice(1);
    // No hash (the app's bare address, back at the first entry): the home page.
    else if (hash.length <= 1) last = "/";
    else {
      // An in-page anchor: the browser has scrolled to it; put the route back in the address.
      window.history.replaceState(window.history.state, "", `#${last}`);
    }
    return last;
  };
  return {
    read,
    write(path, replace) {
      last = path;
      window.history[replace ? "replaceState" : "pushState"](null, "", `#${path}`);
    },
    listen(notify) {
      window.addEventListener("popstate", notify);
      window.addEventListener("hashchange", notify);
      return () => {
        window.removeEventListener("popstate", notify);
        window.removeEventListener("hashchange", notify);
      };
    },
    href: (path) => `#${path}`,
  };
}

/** A path kept in memory (tests): no address, no history. */
export function memorySource(initial: string): RouterSource {
  let current = initial;
  return {
    read: () => current,
    write(path) {
      current = path;
    },
    listen: () => () => undefined,
    href: (path) => path,
  };
}

interface RouterContext {
  readonly path: Accessor<string>;
  readonly query: Accessor<URLSearchParams>;
  readonly params: Accessor<Readonly<Record<string, string>>>;
  navigate(to: string, options?: { replace?: boolean; scroll?: boolean }): void;
  href(path: string): string;
}

const Context = createContext<RouterContext>();

function useRouter(): RouterContext {
  const router = useContext(Context);
  if (router === undefined) throw new Error("Router hooks and links must be used inside <Router>.");
  return router;
}

const segments = (path: string) => path.split("/").filter((s) => s !== "");

/** The route `path` matches and its parameters, or null. */
export function matchRoute(
  routes: readonly RouteDef[],
  path: string,
): { route: RouteDef; params: Record<string, string> } | null {
  const parts = segments(path);
  for (const route of routes) {
    if (route.path === "*") return { route, params: {} };
    const pattern = segments(route.path);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((p, i) => {
      const part = parts[i] ?? "";
      if (!p.startsWith(":")) return p === part;
      try {
        params[p.slice(1)] = decodeURIComponent(part);
        return true;
      } catch {
        return false;
      }
    });
    if (matches) return { route, params };
  }
  return null;
}

/** Renders the route the current path matches, inside `root` (the layout). */
export function Router(props: {
  routes: readonly RouteDef[];
  root?: Component<ParentProps>;
  source?: RouterSource;
}) {
  const source = untrack(() => props.source ?? hashSource());
  const [location, setLocation] = createSignal(source.read());
  onCleanup(source.listen(() => setLocation(source.read())));
  const path = createMemo(() => location().split("?")[0] ?? "/");
  const query = createMemo(() => new URLSearchParams(location().split("?")[1] ?? ""));
  const matched = createMemo(() => matchRoute(props.routes, path()));
  // The page is made again only when another route matches, not when its parameters change.
  const route = createMemo(() => matched()?.route);
  const router: RouterContext = {
    path,
    query,
    params: () => matched()?.params ?? {},
    navigate(to, options = {}) {
      batch(() => {
        source.write(to, options.replace === true);
        setLocation(to);
      });
      if (options.scroll !== false && typeof window.scrollTo === "function") window.scrollTo(0, 0);
    },
    href: source.href,
  };
  const Root = untrack(() => props.root);
  // Made inside the provider, so the page finds the router.
  const Page = () =>
    createMemo(() => {
      const current = route();
      return current === undefined ? undefined : untrack(() => <current.component />);
    }) as unknown as JSX.Element;
  return (
    <Context.Provider value={router}>
      {Root === undefined ? (
        <Page />
      ) : (
        <Root>
          <Page />
        </Root>
      )}
    </Context.Provider>
  );
}

/**
 * A record whose fields are read from `read()` each time, so reading one inside a computation tracks
 * it; enumerable, so it can be spread or handed to `new URLSearchParams`.
 */
function liveRecord<T extends Record<string, string | undefined>>(read: () => Record<string, string>): T {
  const field = (name: string | symbol) => (typeof name === "string" ? read()[name] : undefined);
  return new Proxy({} as T, {
    get: (_, name) => field(name),
    has: (_, name) => field(name) !== undefined,
    ownKeys: () => Object.keys(read()),
    getOwnPropertyDescriptor: (_, name) => {
      const value = field(name);
      return value === undefined ? undefined : { value, enumerable: true, configurable: true };
    },
  });
}

/** Goes to a path of this app (`/connections/abc`). */
export function useNavigate(): RouterContext["navigate"] {
  return useRouter().navigate;
}

/** The current route's `:name` parameters, decoded; reading one tracks it. */
export function useParams<T extends Record<string, string>>(): T {
  const router = useRouter();
  return liveRecord<T>(router.params);
}

/** The query of the current path, and a way to change some of it (`undefined` removes a parameter). */
export function useSearchParams<T extends Record<string, string | undefined>>(): [
  T,
  (changes: Partial<T>) => void,
] {
  const router = useRouter();
  const read = liveRecord<T>(() => Object.fromEntries(router.query()));
  const set = (changes: Partial<T>) => {
    const query = new URLSearchParams(untrack(router.query));
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) query.delete(name);
      else query.set(name, value);
    }
    const search = query.toString();
    router.navigate(`${untrack(router.path)}${search === "" ? "" : `?${search}`}`, { scroll: false });
  };
  return [read, set];
}

interface AnchorProps {
  /** A path of this app: `/connections/abc`. */
  readonly href: string;
  readonly class?: string;
  /** Marks the link `aria-current="page"` while its path is the current one (navigation links). */
  readonly current?: boolean;
  readonly children?: JSX.Element;
}

/**
 * A link to a path of this app. A plain click navigates here (the page scrolls to the top);
 * modified clicks (new tab, new window) are the browser's, with a real `#/…` href.
 */
export function A(props: AnchorProps) {
  const router = useRouter();
  const follow = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    if (event.shiftKey || event.altKey) return;
    event.preventDefault();
    router.navigate(props.href);
  };
  return (
    <a
      class={props.class}
      href={router.href(props.href)}
      aria-current={props.current === true && router.path() === props.href ? "page" : undefined}
      onClick={follow}
    >
      {props.children}
    </a>
  );
}
