/**
 * node-oidc-provider (the npm package, already a devDependency) in two configurations, each in this
 * process on its own free loopback port, with its own built-in login and consent pages:
 *
 * - (a) rotating refresh tokens, PKCE required, `client_secret_basic` only, opaque access tokens; no
 *   revocation or introspection endpoint.
 * - (b) reusable refresh tokens, `client_secret_post` only, JWT access tokens (RFC 9068, which
 *   oidc-provider issues only for a resource server: resource indicators, RFC 8707), introspection
 *   and revocation enabled.
 *
 * Both keep oidc-provider's default refresh-token rule: one is issued only for `offline_access`,
 * and `offline_access` is kept only when the authorization request says `prompt=consent`.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { MemoryAdapter, MemoryStore } from "../../../src/dev/demo-server.ts";
import { passScreens } from "./screens.ts";
import type { InteropServer, InteropServerOptions } from "./types.ts";

/** The resource server configuration (b)'s JWT access tokens are for. */
export const API_RESOURCE = "urn:tokendesk:interop:api";

type Configuration = "a" | "b";

interface OidcClient {
  clientId: string;
}
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

async function loadProvider(): Promise<ProviderConstructor> {
  // @ts-expect-error oidc-provider ships no type declarations; the shape used here is declared above.
  const module: { default: ProviderConstructor } = await import("oidc-provider");
  return module.default;
}

async function ownTokensOnly(
  _ctx: unknown,
  client: OidcClient,
  token: { clientId?: string },
): Promise<boolean> {
  return token.clientId === client.clientId;
}

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), use: "sig", alg: "RS256" };
}

function listen(): Promise<ReturnType<typeof createServer>> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

// Its built-in pages @import a Google web font; nothing here may reach the Internet.
const WEB_FONT_IMPORT = /@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g;

export async function startOidcProvider(
  configuration: Configuration,
  options: InteropServerOptions,
): Promise<InteropServer> {
  const Provider = await loadProvider();
  const server = await listen();
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const store = new MemoryStore();
  const events: string[] = [];
  const authMethod = configuration === "a" ? "client_secret_basic" : "client_secret_post";
  const client = {
    client_id: `tokendesk-${configuration}`,
    client_secret: randomBytes(32).toString("base64url"),
    token_endpoint_auth_method: authMethod,
    scope: configuration === "a" ? "openid email offline_access" : "openid email offline_access api:read",
    redirect_uri: options.redirectUri,
  } as const;

  const provider = new Provider(issuer, {
    adapter: (model: string) => new MemoryAdapter(model, store),
    clients: [
      {
        client_id: client.client_id,
        client_secret: client.client_secret,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: authMethod,
      },
    ],
    // oidc-provider accepts either secret method from a client registered with one of them; allowing
    // only one server-wide makes the other a failed client authentication, as a strict server would.
    clientAuthMethods: [authMethod],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    scopes: ["openid", "offline_access", "email"],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: false }),
    }),
    features: {
      devInteractions: { enabled: true },
      // Each client may revoke and introspect its own tokens, no one else's.
      revocation: { enabled: configuration === "b", allowedPolicy: ownTokensOnly },
      introspection: { enabled: configuration === "b", allowedPolicy: ownTokensOnly },
      ...(configuration === "b"
        ? {
            resourceIndicators: {
              enabled: true,
              // Every authorization and refresh is for the one API unless it names another, so the
              // access token is always the API's JWT.
              defaultResource: async () => API_RESOURCE,
              useGrantedResource: async () => true,
              getResourceServerInfo: async (_ctx: unknown, resource: string, _client: OidcClient) => {
                if (resource !== API_RESOURCE) throw new Error(`unknown resource ${resource}`);
                return {
                  scope: "api:read",
                  audience: API_RESOURCE,
                  accessTokenTTL: 600,
                  accessTokenFormat: "jwt",
                  jwt: { sign: { alg: "RS256" } },
                };
              },
            },
          }
        : {}),
    },
    ...(configuration === "a" ? { pkce: { required: () => true } } : {}),
    rotateRefreshToken: configuration === "a",
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 120,
      IdToken: 600,
      RefreshToken: 86_400,
      Grant: 86_400,
      Session: 86_400,
      Interaction: 600,
    },
  });
  for (const event of [
    "server_error",
    "grant.error",
    "introspection.error",
    "revocation.error",
    "userinfo.error",
  ]) {
    provider.on(event, (_ctx: unknown, error: unknown) => {
      events.push(`${event}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  const callback = provider.callback();
  server.on("request", (req, res) => {
    // Rewrite the built-in pages' HTML on the way out, without touching any other answer.
    const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      const type = String(res.getHeader("content-type") ?? "");
      if (type.startsWith("text/html") && (typeof chunk === "string" || Buffer.isBuffer(chunk))) {
        const html = chunk.toString().replace(WEB_FONT_IMPORT, "");
        res.setHeader("content-length", Buffer.byteLength(html));
        return end(html, ...rest);
      }
      return end(chunk, ...rest);
    }) as typeof res.end;
    callback(req, res);
  });

  let closing: Promise<void> | undefined;
  return {
    name: configuration === "a" ? "oidc-provider-a" : "oidc-provider-b",
    label: "node-oidc-provider 9.13.3 (Node.js, npm)",
    issuer,
    metadataUrl: `${issuer}/.well-known/openid-configuration`,
    client,
    endpoints: {
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/me`,
      jwks_uri: `${issuer}/jwks`,
      revocation_endpoint: configuration === "b" ? `${issuer}/token/revocation` : null,
      introspection_endpoint: configuration === "b" ? `${issuer}/token/introspection` : null,
    },
    offers: {
      refresh: configuration === "a" ? "rotating" : "reusable",
      revocation: configuration === "b",
      introspection: configuration === "b",
      pkceRequired: configuration === "a",
      accessTokenFormat: configuration === "a" ? "opaque" : "jwt",
      ...(configuration === "b" ? { accessTokenAudience: API_RESOURCE } : {}),
      idToken: { onRefresh: true, atHash: false, audArray: false },
      // (a) has no introspection endpoint; (b) does not store its JWT access tokens, so cannot describe them.
      introspects: { access: "unsupported_token_type", refresh: "describes" },
    },
    // Its development login accepts any login and password.
    user: { login: "ada", password: "any password", sub: "ada", account: "ada@example.test" },
    login: loginAndConsent,
    log: () => events.join("\n"),
    stop() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** oidc-provider's built-in pages: "Sign-in" (any login) once per browser session, "Continue" to consent. */
function loginAndConsent(page: Page, appOrigin: string): Promise<void> {
  return passScreens(page, appOrigin, [
    {
      name: "login",
      shows: (p) => p.getByPlaceholder("Enter any login"),
      submit: async (p) => {
        await p.getByPlaceholder("Enter any login").fill("ada");
        await p.getByPlaceholder("and password").fill("any password");
        await p.getByRole("button", { name: "Sign-in" }).click();
      },
    },
    {
      name: "consent",
      shows: (p) => p.getByRole("button", { name: "Continue", exact: true }),
      submit: (p) => p.getByRole("button", { name: "Continue", exact: true }).click(),
    },
  ]);
}
