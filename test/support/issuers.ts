/**
 * Small issuers on 127.0.0.1 whose discovery documents redirect the ways real servers do, for the
 * discovery e2e and accessibility tests. One server plays several issuers, one per path:
 * - `/o`: Django with APPEND_SLASH, as Django OAuth Toolkit runs by default: the slash-less
 *   well-known path answers a relative 301 without CORS headers (CommonMiddleware adds none), and the
 *   slash form answers the metadata with `Access-Control-Allow-Origin: *` (as DOT's view does);
 * - `/cors`: the same redirect with CORS headers on every answer, so the page itself can follow it;
 * - `/moved` and `/moved-cors`: a 302 to another origin, without and with CORS headers;
 * - `/named-elsewhere`: metadata naming an issuer on another origin.
 * Every request is recorded, on both origins, so tests can say who was asked for what.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const OPENID = "/.well-known/openid-configuration";

export interface RecordedRequest {
  readonly path: string;
  /** The page's origin when the browser sent it; absent when the relay did. */
  readonly origin: string | undefined;
  readonly userAgent: string;
}

export interface TestIssuers {
  /** The origin playing every issuer. */
  readonly origin: string;
  /** Another origin, where the `moved` issuers redirect. */
  readonly elsewhere: string;
  readonly requests: readonly RecordedRequest[];
  readonly elsewhereRequests: readonly RecordedRequest[];
  /** The issuer identifier of one of the played issuers, e.g. `${origin}/o`. */
  issuer(name: "o" | "cors" | "moved" | "moved-cors" | "named-elsewhere"): string;
  close(): Promise<void>;
}

/** Metadata of the issuer at `base`, with every endpoint a drafted client carries (DOT's paths). */
export function dotLikeMetadata(base: string, issuer = base): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${base}/authorize/`,
    token_endpoint: `${base}/token/`,
    userinfo_endpoint: `${base}/userinfo/`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/revoke_token/`,
    introspection_endpoint: `${base}/introspect/`,
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256", "HS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    code_challenge_methods_supported: ["plain", "S256"],
    scopes_supported: ["openid", "read", "write"],
    claims_supported: ["sub", "name", "email", "preferred_username"],
  };
}

async function listen(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  requests: RecordedRequest[],
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    requests.push({
      path: req.url ?? "",
      origin: req.headers.origin,
      userAgent: req.headers["user-agent"] ?? "",
    });
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Starts the issuers' server and another origin, both on 127.0.0.1. */
export async function startTestIssuers(): Promise<TestIssuers> {
  const requests: RecordedRequest[] = [];
  const elsewhereRequests: RecordedRequest[] = [];
  const elsewhere = await listen((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
    res.end('{"issuer":"https://not-this-one.example"}');
  }, elsewhereRequests);
  let origin = "";
  const main = await listen((req, res) => {
    const cors = { "access-control-allow-origin": "*" };
    const json = (body: unknown, headers: Record<string, string> = cors) => {
      res.writeHead(200, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const redirect = (status: number, location: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { location, "content-type": "text/html; charset=utf-8", ...headers });
      res.end();
    };
    switch (req.url) {
      case `/o${OPENID}`:
        redirect(301, `/o${OPENID}/`);
        return;
      case `/o${OPENID}/`:
        json(dotLikeMetadata(`${origin}/o`));
        return;
      case `/cors${OPENID}`:
        redirect(301, `/cors${OPENID}/`, cors);
        return;
      case `/cors${OPENID}/`:
        json(dotLikeMetadata(`${origin}/cors`));
        return;
      case `/moved${OPENID}`:
        redirect(302, `${elsewhere.origin}/moved${OPENID}/`);
        return;
      case `/moved-cors${OPENID}`:
        redirect(302, `${elsewhere.origin}/moved-cors${OPENID}/`, cors);
        return;
      case `/named-elsewhere${OPENID}`:
        json(dotLikeMetadata(`${origin}/named-elsewhere`, "https://login.example.test"));
        return;
      default:
        res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
        res.end("<h1>Not Found</h1>");
    }
  }, requests);
  origin = main.origin;
  return {
    origin,
    elsewhere: elsewhere.origin,
    requests,
    elsewhereRequests,
    issuer: (name) => `${origin}/${name}`,
    close: async () => {
      await main.close();
      await elsewhere.close();
    },
  };
}
