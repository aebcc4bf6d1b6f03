/**
 * What `npm start` mounts beside the SPA: the relay at /relay, and the demo authorization server on
 * its own loopback port with a demo client whose secret only the relay knows. The clients of
 * `.env.local` (and Vite's other .env files) are reloaded when the files change, without restarting
 * anything: the demo server keeps its grants, and a file that does not parse keeps the last good
 * clients, says why in the terminal, and tells the page (`tokendesk:clients` on Vite's HMR channel).
 * Serve-only: nothing here reaches the built bundle.
 */
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { relative, resolve } from "node:path";
import { loadEnv, type Plugin } from "vite";
import { recipes as builtInRecipes } from "../providers/index.ts";
import type { Recipe } from "../providers/types.ts";
import type { RelayClientConfig } from "../relay/config.ts";
import { parseAllowedOrigins, parseClients, RelayConfigError } from "../relay/config.ts";
import { createNodeListener, sendWebResponse, toWebRequest } from "../relay/node-adapter.ts";
import { createNodeFetch } from "../relay/node-fetch.ts";
import { createReloadableRelay, type ReloadOutcome } from "../relay/reloadable.ts";
import { watchFiles } from "../relay/watch-files.ts";
import { type DemoServer, startDemoServer } from "./demo-server.ts";

export interface DevServerOptions {
  /** Port of the dev server; default 5173 (strict, since redirect URIs are registered with it). */
  port?: number;
  /** Called once the demo server and relay are up (tests watch the demo server's token requests). */
  onReady?: (ready: { origin: string; demo: DemoServer }) => void;
  /** Demo lifetimes in seconds (tests shorten them). */
  demo?: { codeTtl?: number; accessTtl?: number; refreshTtl?: number };
  /** Extra environment, over process.env and .env files (tests use it). */
  env?: Record<string, string>;
  /** Where the .env files are (Vite's `envDir`); tests use a temporary directory. Default: the project root. */
  envDir?: string;
  /**
   * For tests and screenshots: more clients, made once the origin is known (their redirect URIs hold
   * the port the dev server got). May be async: the interop tests start an authorization server here,
   * registering the redirect URI, before the relay answers its first request.
   */
  clients?: (origin: string) => RelayClientConfig[] | Promise<RelayClientConfig[]>;
  /**
   * For tests and screenshots: recipes over the built-in ones, e.g. a provider's recipe whose
   * environment points at an emulator on 127.0.0.1. `npm start` never sets it, so no configuration
   * can move a real provider's endpoints; the page still reads the built-in recipe's facts.
   */
  recipes?: Readonly<Record<string, Recipe>>;
  /** Serve over https with a local certificate (`npm start -- --mode https`). */
  https?: boolean;
  /**
   * For tests: misbehaviours of the network between the page and the relay, applied to the next
   * token requests in order. The relay still does its whole job (the provider answers); only the
   * way back to the page is delayed or cut, as when a connection drops after a refresh rotated.
   */
  faults?: RelayFault[];
}

export type RelayFault = { readonly kind: "delay"; readonly ms: number } | { readonly kind: "drop" };

type Listener = ReturnType<typeof createNodeListener>;

/** The HMR event that tells the page the relay's clients changed: it fetches `GET /relay/clients` again. */
export const CLIENTS_CHANGED_EVENT = "tokendesk:clients";

/** The id of the dev server's own demo client, which no configured client may take. */
const DEMO_ID = "demo";

/**
 * oidc-provider warns that Node 20 is not its preferred runtime and that its dev login pages are
 * on: both true, both intended for the demo server, and noise in a terminal that should show one
 * URL. Only these two exact warnings are dropped.
 */
const EXPECTED_DEMO_WARNINGS = [
  "oidc-provider WARNING: Unsupported runtime.",
  "oidc-provider WARNING: a quick start development-only feature devInteractions is enabled",
];

let quieted = false;

function quietDemoWarnings(): void {
  if (quieted) return;
  quieted = true;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    // oidc-provider colours the line on a TTY, so look for the text inside it.
    const text = typeof args[0] === "string" ? args[0] : "";
    if (EXPECTED_DEMO_WARNINGS.some((expected) => text.includes(expected))) return;
    warn(...args);
  };
}

export function tokendeskDev(options: DevServerOptions): Plugin {
  // Filled in once the config is resolved; Vite's watcher asks later, per path.
  const envFiles = new Set<string>();
  return {
    name: "tokendesk-dev",
    apply: "serve",
    config(user) {
      if (user.server?.watch === null) return;
      // Vite restarts the whole dev server when an .env file changes, which would start a new demo
      // server (its grants and refresh tokens gone) and turn a typo into a relay that answers 503.
      // This plugin reloads the relay's clients itself instead.
      return { server: { watch: { ignored: [(path: string) => envFiles.has(resolve(path))] } } };
    },
    configResolved(config) {
      if (config.envDir === false) return;
      for (const name of [".env", ".env.local", `.env.${config.mode}`, `.env.${config.mode}.local`]) {
        envFiles.add(resolve(config.envDir, name));
      }
    },
    configureServer(server) {
      const httpServer = server.httpServer;
      if (httpServer === null) return;
      quietDemoWarnings();
      const { mode, envDir, logger } = server.config;
      const readEnv = (prefix: string): Record<string, string> => ({
        ...(envDir === false ? {} : loadEnv(mode, envDir, prefix)),
        ...(prefix === "TOKENDESK_" ? options.env : {}),
      });
      const ready: Promise<Listener> = new Promise<void>((resolve) =>
        httpServer.once("listening", resolve),
      ).then(async () => {
        const { port } = httpServer.address() as AddressInfo;
        const origin = `${options.https === true ? "https" : "http"}://127.0.0.1:${port}`;
        const recipes = { ...builtInRecipes, ...options.recipes };
        const demo = await startDemoServer({ redirectUris: [`${origin}/callback/`], ...options.demo });
        httpServer.once("close", () => void demo.close());
        const demoClient: RelayClientConfig = {
          id: DEMO_ID,
          provider: "demo",
          client_id: demo.clientId,
          client_secret: demo.clientSecret,
          redirect_uris: [`${origin}/callback/`],
          scope: demo.scope,
          issuer: demo.issuer,
          authorization_endpoint: demo.authorization_endpoint,
          token_endpoint: demo.token_endpoint,
          identity_endpoint: demo.userinfo_endpoint,
          // oidc-provider serves RFC 7009 revocation; the demo recipe takes endpoints from here.
          revocation_endpoint: demo.revocation_endpoint,
          introspection_endpoint: demo.introspection_endpoint,
          // Its ID tokens are RS256 with a key made at start: the page checks them against this set.
          jwks_uri: demo.jwks_uri,
          // Its protected resource, for "Try the API".
          api_base_urls: [demo.api_base_url],
        };
        // The demo client is always there; TOKENDESK_CLIENTS (e.g. from .env.local) adds real ones.
        const fixed = [demoClient, ...((await options.clients?.(origin)) ?? [])];
        // The relay's upstream calls go through Node's own client, as in `npm run relay` (node-fetch.ts).
        const upstreamFetch = createNodeFetch();
        httpServer.once("close", () => upstreamFetch.close());
        const relay = createReloadableRelay({
          clients: fixed,
          allowedOrigins: [],
          recipes,
          fetch: upstreamFetch,
        });
        let env = readEnv("TOKENDESK_");
        let pageEnv = readEnv("VITE_");
        const apply = (): ReloadOutcome =>
          relay.reload(
            () => ({
              clients: [...fixed, ...configuredClients(env.TOKENDESK_CLIENTS, recipes)],
              allowedOrigins: parseAllowedOrigins(env.TOKENDESK_ALLOWED_ORIGINS),
              recipes,
              fetch: upstreamFetch,
            }),
            env.TOKENDESK_CLIENTS,
          );
        // The files that exist, as a person would type them: ".env.local".
        const where = () =>
          [...envFiles]
            .filter((file) => existsSync(file))
            .map((file) => relative(process.cwd(), file) || file)
            .join(", ") || "the environment";
        const first = apply();
        if (!first.ok) {
          logger.error(
            `tokendesk: the relay's configuration (${where()}) has a problem, so it serves ${first.clients.join(", ")} only: ${first.problem}`,
          );
        } else if (first.clients.length > fixed.length) {
          logger.info(`tokendesk: relay clients ${first.clients.join(", ")}`);
        }
        if (envDir !== false) {
          const watch = watchFiles([...envFiles], () => {
            const nextPageEnv = readEnv("VITE_");
            if (JSON.stringify(nextPageEnv) !== JSON.stringify(pageEnv)) {
              pageEnv = nextPageEnv;
              // What Vite does for any .env change: the page's VITE_ values are fixed at start.
              logger.info("tokendesk: VITE_ variables changed, restarting the dev server", {
                timestamp: true,
              });
              void server.restart();
              return;
            }
            const next = readEnv("TOKENDESK_");
            if (JSON.stringify(next) === JSON.stringify(env)) return;
            env = next;
            const outcome = apply();
            if (outcome.ok) {
              const news = [
                ...outcome.added.map((id) => `added ${id}`),
                ...outcome.changed.map((id) => `changed ${id}`),
                ...outcome.removed.map((id) => `removed ${id}`),
              ];
              logger.info(
                `tokendesk: relay clients ${outcome.clients.join(", ")}${news.length === 0 ? "" : ` (${news.join(", ")})`}`,
                { timestamp: true },
              );
            } else {
              logger.error(
                `tokendesk: the relay refused the new configuration (${where()}) and still serves ${outcome.clients.join(", ")}: ${outcome.problem}`,
                { timestamp: true },
              );
            }
            server.ws.send(CLIENTS_CHANGED_EVENT, { configuration_error: relay.problem });
          });
          httpServer.once("close", () => watch.close());
        }
        options.onReady?.({ origin, demo });
        const listener = createNodeListener(relay.handler);
        const faults = options.faults;
        if (faults === undefined) return listener;
        return (req, res) => {
          const fault = req.method === "POST" && req.url?.startsWith("/token") ? faults.shift() : undefined;
          if (fault === undefined) return listener(req, res);
          void (async () => {
            const response = await relay.handler(toWebRequest(req));
            const body = await response.arrayBuffer();
            if (fault.kind === "drop") {
              // Cut mid-answer: a connection reset before any byte would make the browser resend
              // the POST on a fresh socket, which is not the loss this simulates.
              res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
              res.write(new Uint8Array(body).slice(0, 16));
              setTimeout(() => req.socket.destroy(), 50);
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, fault.ms));
            await sendWebResponse(res, new Response(body, response));
          })();
        };
      });
      ready.catch((error: unknown) => {
        logger.error(
          `tokendesk: the relay is not running: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      server.middlewares.use("/relay", (req, res) => {
        ready.then(
          (listener) => listener(req, res),
          (error: unknown) => {
            res.statusCode = 503;
            res.setHeader("Content-Type", "application/json");
            res.setHeader("Cache-Control", "no-store");
            res.end(
              JSON.stringify({
                error: "relay_misconfigured",
                error_description: `The relay could not start: ${error instanceof Error ? error.message : String(error)}`,
              }),
            );
          },
        );
      });
    },
  };
}

/** The operator's clients, parsed by the relay's own parser; the demo client's id is taken. */
function configuredClients(
  json: string | undefined,
  recipes: Readonly<Record<string, Recipe>>,
): RelayClientConfig[] {
  if (json === undefined || json.trim() === "") return [];
  const clients = parseClients(json, recipes);
  const index = clients.findIndex((client) => client.id === DEMO_ID);
  if (index >= 0) {
    throw new RelayConfigError(
      "duplicate_client",
      `TOKENDESK_CLIENTS[${index}].id`,
      `TOKENDESK_CLIENTS[${index}].id "${DEMO_ID}" is the dev server's own demo client; give this client another id.`,
    );
  }
  return clients;
}
