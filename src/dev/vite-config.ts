/**
 * The Vite configuration, shared by vite.config.ts (`npm start`, `npm run build`) and the e2e tests,
 * which start the same dev server on a free port and watch the demo server it runs.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin, UserConfig } from "vite";
import solid from "vite-plugin-solid";
import { CONTENT_SECURITY_POLICY } from "../relay/headers.ts";
import { withShell } from "../ui/shell.ts";
import { DEV_HOST, DEV_PORT } from "./address.ts";
import { devCertificate } from "./dev-cert.ts";
import { inlineStyles } from "./inline-styles.ts";
import { serviceWorker } from "./service-worker-build.ts";
import { type DevServerOptions, tokendeskDev } from "./vite-plugin.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

// The page's CSP lives with the other security headers, where the Worker can import it too. Only the
// built page carries it: the dev server injects styles and a websocket for hot reload, which a
// strict policy would block.
export { CONTENT_SECURITY_POLICY } from "../relay/headers.ts";

function contentSecurityPolicy(): Plugin {
  return {
    name: "tokendesk-csp",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: { "http-equiv": "Content-Security-Policy", content: CONTENT_SECURITY_POLICY },
        injectTo: "head-prepend",
      },
    ],
  };
}

/** The page's frame in the HTML, painted before any script runs (src/ui/shell.ts). */
function staticShell(): Plugin {
  return {
    name: "tokendesk-shell",
    transformIndexHtml: withShell,
  };
}

export function tokendeskViteConfig(dev: DevServerOptions = {}): UserConfig {
  return {
    root,
    // Relative asset paths: the same build works at a domain's root and under any sub-path.
    base: "./",
    // Only VITE_* variables reach the page; TOKENDESK_* (the relay's secrets) never do.
    envPrefix: "VITE_",
    ...(dev.envDir === undefined ? {} : { envDir: dev.envDir }),
    plugins: [
      solid(),
      contentSecurityPolicy(),
      staticShell(),
      inlineStyles(),
      serviceWorker(),
      tokendeskDev(dev),
    ],
    server: {
      host: DEV_HOST,
      port: dev.port ?? DEV_PORT,
      strictPort: dev.port === undefined,
      // A local certificate for providers that refuse http redirect URIs (FreshBooks, QuickBooks).
      ...(dev.https === true ? { https: devCertificate(join(root, ".tokendesk", "dev-cert")) } : {}),
    },
    preview: { host: "127.0.0.1", port: 4173 },
    // Pre-bundle every browser dependency at start: one discovered later (behind a lazy route) makes
    // Vite re-optimize and reload the page mid-flow, which breaks a user's walk and the e2e tests.
    optimizeDeps: {
      include: ["solid-js", "solid-js/web", "solid-js/store", "idb-keyval", "oauth4webapi", "jose"],
    },
    // The token worker is a module worker so it can share chunks with the page.
    worker: { format: "es" },
    build: {
      target: "es2022",
      sourcemap: false,
      rolldownOptions: {
        input: {
          main: `${root}index.html`,
          callback: `${root}callback/index.html`,
        },
        output: {
          // Everything the first screen needs in one file: one request, and one gzip dictionary
          // instead of four (npm run bench's initial JS). Later chunks import from it.
          codeSplitting: { groups: [{ name: "main", tags: ["$initial"] }] },
        },
      },
    },
  };
}
