import { createSignal, lazy, onMount, type ParentProps, Suspense } from "solid-js";
import { A } from "../router.tsx";

// Offline and update notices: not needed to draw the first screen, so they load beside it.
const Notices = lazy(() => import("../offline/notices.tsx").then((m) => ({ default: m.Notices })));

type Theme = "system" | "light" | "dark";
const THEMES: readonly Theme[] = ["system", "light", "dark"];
const THEME_KEY = "tokendesk.theme";

function applyTheme(theme: Theme) {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** Follows the system setting unless the person picked light or dark here. */
function ThemeSwitch() {
  const [theme, setTheme] = createSignal<Theme>("system");
  onMount(() => {
    const saved = localStorage.getItem(THEME_KEY);
    if (saved === "light" || saved === "dark") setTheme(saved);
    applyTheme(theme());
  });
  const next = () => {
    const value = THEMES[(THEMES.indexOf(theme()) + 1) % THEMES.length] ?? "system";
    setTheme(value);
    if (value === "system") localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, value);
    applyTheme(value);
  };
  return (
    <button
      type="button"
      class="copy theme-switch"
      onClick={next}
      aria-label={`Theme: ${theme()}. Change theme`}
    >
      Theme: {theme()}
    </button>
  );
}

export function Layout(props: ParentProps) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <h1 class="brand-heading">
          <A href="/" class="brand" current>
            tokendesk
          </A>
        </h1>
        <span class="tagline">OAuth 2.0 workbench · your secret stays in the relay</span>
        <nav aria-label="Main">
          <A href="/support" class="nav-link" current>
            Support desk
          </A>
        </nav>
        <ThemeSwitch />
      </header>
      <main class="page" id="main" tabindex="-1">
        {/* Present from the start, so screen readers announce what appears in it. */}
        <div class="notices" role="status">
          <Suspense>
            <Notices />
          </Suspense>
        </div>
        {props.children}
      </main>
    </>
  );
}
