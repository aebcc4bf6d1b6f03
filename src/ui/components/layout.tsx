import { createSignal, lazy, type ParentProps, Suspense } from "solid-js";
import { A } from "../router.tsx";
import { applyTheme, savedTheme, saveTheme, THEMES, type Theme } from "../theme.ts";

// Offline and update notices: not needed to draw the first screen, so they load beside it.
const Notices = lazy(() => import("../offline/notices.tsx").then((m) => ({ default: m.Notices })));

/** Follows the system setting unless the person picked light or dark here. */
function ThemeSwitch() {
  // The entry (main.tsx) applied the saved theme before the first render; this only shows and changes it.
  const [theme, setTheme] = createSignal<Theme>(savedTheme());
  const next = () => {
    const value = THEMES[(THEMES.indexOf(theme()) + 1) % THEMES.length] ?? "system";
    setTheme(value);
    saveTheme(value);
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
