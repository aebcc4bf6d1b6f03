/**
 * The server of the page figures: `vite preview` of the build with the real relay handler at /relay,
 * and beside index.html the floors it is measured against (issue 14): an empty page, and a static
 * page of the list the app drew; and a blank page of the same origin to seed storage from.
 */
import { fileURLToPath } from "node:url";
import { type Plugin, preview } from "vite";
import { loadRelayOptions } from "../src/relay/config.ts";
import { createRelay } from "../src/relay/handler.ts";
import { createNodeListener } from "../src/relay/node-adapter.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BLANK = "/__bench/blank.html";
// The floors sit beside index.html, so the static list's relative asset paths resolve as the app's do.
export const EMPTY_PAGE = "/__bench-empty.html";
export const STATIC_LIST = "/__bench-static-list.html";

/** The least a page can be: one word, so there is a contentful paint to time. No CSS, no script. */
const EMPTY_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>tokendesk</title></head><body><p>tokendesk</p></body></html>';

/**
 * The built index.html as a static page showing `rootHtml` (what the app drew in #root): the same
 * stylesheet and markup, every script and module preload removed.
 */
export function staticPage(indexHtml: string, rootHtml: string): string {
  const page = indexHtml
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, "")
    .replace(/<link\b[^>]*rel="modulepreload"[^>]*>/g, "")
    .replace(/<link\b[^>]*rel="manifest"[^>]*>/g, "")
    .replace(/<div id="root">[\s\S]*<\/body>/, `<div id="root">${rootHtml}</div></body>`);
  if (/<script\b/.test(page) || !page.includes(rootHtml))
    throw new Error("index.html is not shaped as expected");
  return page;
}

/** A client the relay lists, so the home page shows its card as it does for a user. */
const RELAY_ENV = {
  TOKENDESK_CLIENTS: JSON.stringify([
    {
      id: "bench",
      provider: "custom",
      client_id: "bench-client",
      client_secret: "bench-secret-never-sent",
      redirect_uris: ["http://127.0.0.1:4173/callback/"],
      authorization_endpoint: "http://127.0.0.1:9/authorize",
      token_endpoint: "http://127.0.0.1:9/token",
      token_endpoint_auth_method: "client_secret_basic",
      body_encoding: "form",
    },
  ]),
};

/** The floors the same server serves; the static list is made once the app has drawn it. */
export interface Floors {
  staticList: string | null;
}

/** The relay at /relay, a blank page of the same origin for seeding, and the floors, beside the built app. */
function benchPlugin(floors: Floors): Plugin {
  const relay = createNodeListener(createRelay(loadRelayOptions(RELAY_ENV)));
  const serve = (body: () => string | null) => (_req: unknown, res: import("node:http").ServerResponse) => {
    const html = body();
    res.writeHead(html === null ? 404 : 200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    });
    res.end(html ?? "not made yet");
  };
  return {
    name: "tokendesk-bench",
    configurePreviewServer(server) {
      server.middlewares.use("/relay", (req, res) => relay(req, res));
      server.middlewares.use(
        EMPTY_PAGE,
        serve(() => EMPTY_HTML),
      );
      server.middlewares.use(
        STATIC_LIST,
        serve(() => floors.staticList),
      );
      server.middlewares.use(BLANK, (_req, res) => {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        res.end(
          '<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><title>bench</title></head></html>',
        );
      });
    },
  };
}

/** `vite preview` of `outDir` on 127.0.0.1, a free port. */
export async function startPreview(outDir: string, floors: Floors) {
  const server = await preview({
    root: ROOT,
    configFile: false,
    logLevel: "warn",
    plugins: [benchPlugin(floors)],
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === "string") throw new Error("vite preview has no port");
  return { origin: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
