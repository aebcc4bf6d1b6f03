import { render } from "@solidjs/testing-library";
import type { Component } from "solid-js";
import type { ClientsResponse, PublicClient } from "../../src/relay/contract.ts";
import { memorySource, Router } from "../../src/ui/router.tsx";
import { AppStateProvider } from "../../src/ui/state/app-state.tsx";

// The provider loads the recipe book on its own (a dynamic import): load it once here, so a test's
// first findBy* does not wait on Vitest transforming every recipe on a busy machine.
await import("../../src/providers/index.ts");

export const ORIGIN = "http://127.0.0.1:5173";

export function _client(overrides: Partial<PublicClient> = {}): PublicClient {
  return {
    id: "demo",
    provider: "demo",
    environment: null,
    client_id: "tokendesk-demo",
    redirect_uris: [`${ORIGIN}/callback/`],
    scope: "openid demo:read",
    issuer: "http://127.0.0.1:9000",
    authorization_endpoint: "http://127.0.0.1:9000/auth",
    token_endpoint: "http://127.0.0.1:9000/token",
    identity_endpoint: null,
    revocation_endpoint: null,
    introspection_endpoint: null,
    jwks_uri: null,
    token_endpoint_auth_method: "client_secret_basic",
    body_encoding: "form",
    ...overrides,
  };
}

/** How a test's relay answers a POST to one of its routes (`token`, `revoke`, `probe`…). */
export type _RelayPost = (route: string, body: unknown) => Response;

/** A fetch that answers config.json, the relay's client list and (when given) its POSTs, recording every URL. */
export function _fetch(answer: {
  clients?: PublicClient[];
  /** The relay's `GET /clients` answer, asked anew on each request (wins over `clients`). */
  list?: () => ClientsResponse;
  relayDown?: boolean;
  post?: _RelayPost;
}) {
  const calls: string[] = [];
  const impl: typeof fetch = async (input, init) => {
    const url = String(input);
    calls.push(url);
    if (url.endsWith("/config.json")) return Response.json({ relay: "/relay" });
    if (answer.relayDown) throw new TypeError("Failed to fetch");
    if (url.endsWith("/relay/clients"))
      return Response.json(answer.list?.() ?? { clients: answer.clients ?? [] });
    const route = /\/relay\/([a-z]+)$/.exec(url)?.[1];
    if (answer.post !== undefined && route !== undefined && init?.method === "POST") {
      return answer.post(route, JSON.parse(String(init.body)));
    }
    return new Response("not found", { status: 404 });
  };
  return { impl, calls };
}

/** Renders a page at `path` inside the app's state provider and a memory router. */
export function _renderAt(path: string, routePath: string, page: Component, fetchImpl: typeof fetch) {
  return render(() => (
    <AppStateProvider callback={null} location={{ origin: ORIGIN, pathname: "/" }} fetch={fetchImpl}>
      <Router source={memorySource(path)} routes={[{ path: routePath, component: page }]} />
    </AppStateProvider>
  ));
}
