/**
 * The page's frame as static HTML, put into index.html's `#root` at build (src/dev/vite-config.ts):
 * the browser paints it from the HTML and the stylesheet alone, before any script has loaded, and
 * the app replaces it with the same markup (components/layout.tsx; test/component/shell.test.tsx
 * keeps the two alike) in the task that first renders.
 */
export const SHELL_HTML = [
  '<a class="skip-link" href="#main">Skip to content</a>',
  '<header class="topbar">',
  '<h1 class="brand-heading"><a class="brand" href="#/">tokendesk</a></h1>',
  '<span class="tagline">OAuth 2.0 workbench · your secret stays in the relay</span>',
  '<nav aria-label="Main"><a class="nav-link" href="#/support">Support desk</a></nav>',
  '<button type="button" class="copy theme-switch" aria-label="Theme: system. Change theme">Theme: system</button>',
  "</header>",
  '<main class="page" id="main" tabindex="-1"><div class="notices" role="status"></div></main>',
].join("");

/** `html` (index.html) with the shell inside its empty `#root`; other pages (the callback's) as they are. */
export function withShell(html: string): string {
  return html.replace('<div id="root"></div>', `<div id="root">${SHELL_HTML}</div>`);
}
