/**
 * What `npm start` mounts beside the SPA: the relay at /relay, and the demo authorization server on
 * its own loopback port with a demo client whose secret only the relay knows.
 * Serve-only: nothing here reaches the built bundle.
 */
import type { AddressInfo } from "node:net";
import { loadEnv, type Plugin } from "vite";
import { recipes as builtInRecipes } from "../providers/index.ts";
import type { Recipe } from "../providers/types.ts";
import type { RelayClientConfig } from "../relay/config.ts";
import { parseAllowedOrigins, parseClients } from "../relay/config.ts";
import { createRelay } from "../relay/handler.ts";
import { createNodeListener, sendWebResponse, toWebRequest } from "../relay/node-adapter.ts";
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
  return {
    name: "tokendesk-dev",
    apply: "serve",
    configureServer(server) {
      const httpServer = server.httpServer;
      if (httpServer === null) return;
      quietDemoWarnings();
      const env = { ...loadEnv(server.config.mode, server.config.root, "TOKENDESK_"), ...options.env };
      const ready: Promise<Listener> = new Promise<void>((resolve) =>
        httpServer.once("listening", resolve),
      ).then(async () => {
        const { port } = httpServer.address() as AddressInfo;
        const origin = `${options.https === true ? "https" : "http"}://127.0.0.1:${port}`;
        const recipes = { ...builtInRecipes, ...options.recipes };
        // Parse the operator's clients first: a mistake there should not leave a demo server running.
        // The demo client is always there; TOKENDESK_CLIENTS (e.g. from .env.local) adds real ones.
        const configured = env.TOKENDESK_CLIENTS ? parseClients(env.TOKENDESK_CLIENTS, recipes) : [];
        const allowedOrigins = parseAllowedOrigins(env.TOKENDESK_ALLOWED_ORIGINS);
        const demo = await startDemoServer({ redirectUris: [`${origin}/callback/`], ...options.demo });
        httpServer.once("close", () => void demo.close());
        const demoClient: RelayClientConfig = {
          id: "demo",
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
        };
        const extra = (await options.clients?.(origin)) ?? [];
        const relay = createRelay({
          clients: [demoClient, ...configured, ...extra],
          allowedOrigins,
          recipes,
        });
        options.onReady?.({ origin, demo });
        const listener = createNodeListener(relay);
        const faults = options.faults;
        if (faults === undefined) return listener;
        return (req, res) => {
          const fault = req.method === "POST" && req.url?.startsWith("/token") ? faults.shift() : undefined;
          if (fault === undefined) return listener(req, res);
          void (async () => {
            const response = await relay(toWebRequest(req));
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
        server.config.logger.error(
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
