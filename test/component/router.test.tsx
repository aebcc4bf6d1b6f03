/**
 * The hash router (src/ui/router.tsx) in jsdom with the real address bar and history: which page a
 * path shows, the parameters it hands the page, links, back and forward, and paths that match nothing.
 */
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import type { ParentProps } from "solid-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  A,
  matchRoute,
  memorySource,
  type RouteDef,
  Router,
  useNavigate,
  useParams,
  useSearchParams,
} from "../../src/ui/router.tsx";

let made = 0;

function Home() {
  return (
    <>
      <h2>Home</h2>
      <A href="/connections/a%20b">Open a b</A> <A href="/support?connection=x">Support for x</A>
    </>
  );
}

function Connection() {
  const params = useParams<{ id: string }>();
  made += 1;
  return <h2>Connection {params.id}</h2>;
}

function Support() {
  const [query, setQuery] = useSearchParams<{ connection?: string; tab?: string }>();
  const navigate = useNavigate();
  return (
    <>
      <h2>Support {query.connection ?? "none"}</h2>
      <p data-testid="query">{JSON.stringify({ ...query })}</p>
      <button type="button" onClick={() => setQuery({ tab: "inspect", connection: undefined })}>
        Inspect
      </button>
      <button type="button" onClick={() => navigate("/", { replace: true })}>
        Home instead
      </button>
    </>
  );
}

const NotFound = () => <h2>No such page</h2>;

const ROUTES: readonly RouteDef[] = [
  { path: "/", component: Home },
  { path: "/connections/:id", component: Connection },
  { path: "/support", component: Support },
  { path: "*", component: NotFound },
];

function Frame(props: ParentProps) {
  return (
    <>
      <a href="#main">Skip to content</a>
      <nav>
        <A href="/" current>
          tokendesk
        </A>
        <A href="/support" current>
          Support desk
        </A>
      </nav>
      <main id="main">{props.children}</main>
    </>
  );
}

const heading = () => screen.getByRole("heading").textContent;

beforeEach(() => {
  made = 0;
  window.history.replaceState(null, "", "/");
});
afterEach(cleanup);

describe("matchRoute", () => {
  it("takes the first route whose segments all match, and `*` for anything else", () => {
    expect(matchRoute(ROUTES, "/")?.route.component).toBe(Home);
    expect(matchRoute(ROUTES, "/support")?.route.component).toBe(Support);
    expect(matchRoute(ROUTES, "/support/")?.route.component).toBe(Support);
    expect(matchRoute(ROUTES, "/support/more")?.route.component).toBe(NotFound);
    expect(matchRoute(ROUTES, "/connections")?.route.component).toBe(NotFound);
    expect(matchRoute(ROUTES.slice(0, 3), "/nowhere")).toBeNull();
  });

  it("decodes parameters, and treats a malformed escape as no match rather than throwing", () => {
    expect(matchRoute(ROUTES, "/connections/a%20b%2Fc")?.params).toEqual({ id: "a b/c" });
    expect(matchRoute(ROUTES, "/connections/%E0%A4%A")?.route.component).toBe(NotFound);
  });
});

describe("Router in the address's hash", () => {
  it("shows the page the hash names, and the not-found page for a path that matches nothing", async () => {
    window.location.hash = "#/connections/abc";
    render(() => <Router routes={ROUTES} root={Frame} />);
    expect(heading()).toBe("Connection abc");
    window.location.hash = "#/no/such/page";
    await waitFor(() => expect(heading()).toBe("No such page"));
  });

  it("follows a link with a plain click, and goes back and forward through the browser's history", async () => {
    render(() => <Router routes={ROUTES} root={Frame} />);
    expect(heading()).toBe("Home");
    const link = screen.getByRole("link", { name: "Open a b" });
    expect(link.getAttribute("href")).toBe("#/connections/a%20b");
    fireEvent.click(link);
    expect(heading()).toBe("Connection a b");
    expect(window.location.hash).toBe("#/connections/a%20b");
    window.history.back();
    await waitFor(() => expect(heading()).toBe("Home"));
    window.history.forward();
    await waitFor(() => expect(heading()).toBe("Connection a b"));
  });

  it("leaves a modified click (new tab, new window) to the browser", () => {
    render(() => <Router routes={ROUTES} root={Frame} />);
    const link = screen.getByRole("link", { name: "Open a b" });
    const leftToBrowser: boolean[] = [];
    // Last to see the click: notes whether the router left it alone, then stands in for the browser
    // opening a new tab (jsdom would otherwise follow the href in this window).
    const browser = (event: Event) => {
      leftToBrowser.push(!event.defaultPrevented);
      event.preventDefault();
    };
    window.addEventListener("click", browser);
    try {
      for (const modifier of [{ ctrlKey: true }, { metaKey: true }, { shiftKey: true }, { button: 1 }]) {
        fireEvent.click(link, modifier);
        expect(heading()).toBe("Home");
      }
    } finally {
      window.removeEventListener("click", browser);
    }
    expect(leftToBrowser).toEqual([true, true, true, true]);
    expect(window.location.hash).toBe("");
  });

  it("marks the navigation link of the current page, and only that one", () => {
    render(() => <Router routes={ROUTES} root={Frame} />);
    const home = screen.getByRole("link", { name: "tokendesk" });
    const support = screen.getByRole("link", { name: "Support desk" });
    expect(home.getAttribute("aria-current")).toBe("page");
    expect(support.hasAttribute("aria-current")).toBe(false);
    fireEvent.click(support);
    expect(support.getAttribute("aria-current")).toBe("page");
    expect(home.hasAttribute("aria-current")).toBe(false);
  });

  it("keeps the page when a skip link jumps to #main, and puts the route back in the address", async () => {
    window.location.hash = "#/support";
    render(() => <Router routes={ROUTES} root={Frame} />);
    window.location.hash = "#main";
    await waitFor(() => expect(window.location.hash).toBe("#/support"));
    expect(heading()).toBe("Support none");
  });

  it("gives the page its query, and changes part of it without making the page again", () => {
    render(() => <Router routes={ROUTES} root={Frame} />);
    fireEvent.click(screen.getByRole("link", { name: "Support for x" }));
    expect(heading()).toBe("Support x");
    expect(screen.getByTestId("query").textContent).toBe('{"connection":"x"}');
    const page = screen.getByRole("heading");
    fireEvent.click(screen.getByRole("button", { name: "Inspect" }));
    expect(window.location.hash).toBe("#/support?tab=inspect");
    expect(screen.getByTestId("query").textContent).toBe('{"tab":"inspect"}');
    expect(screen.getByRole("heading")).toBe(page);
  });

  it("replaces the history entry when asked, so back skips the page replaced", async () => {
    render(() => <Router routes={ROUTES} root={Frame} />);
    fireEvent.click(screen.getByRole("link", { name: "Open a b" }));
    fireEvent.click(screen.getByRole("link", { name: "Support desk" }));
    fireEvent.click(screen.getByRole("button", { name: "Home instead" }));
    expect(heading()).toBe("Home");
    window.history.back();
    await waitFor(() => expect(heading()).toBe("Connection a b"));
  });

  it("hands a page a new parameter without making it again", () => {
    const Nav = (props: ParentProps) => (
      <>
        <A href="/connections/two">Two</A>
        {props.children}
      </>
    );
    render(() => <Router routes={ROUTES} root={Nav} source={memorySource("/connections/one")} />);
    expect(heading()).toBe("Connection one");
    fireEvent.click(screen.getByRole("link", { name: "Two" }));
    expect(heading()).toBe("Connection two");
    expect(made).toBe(1);
  });
});
