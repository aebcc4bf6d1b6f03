// The embedded demo authorization server: a real OAuth 2.0 server (oidc-provider) on 127.0.0.1 with one
// confidential client, short lifetimes and rotating refresh tokens. `npm start` runs it beside the app and
// end-to-end tests drive it. Node only: never import this from browser code.
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ApiRequestRecord, type DemoNote, serveApi } from "./demo-api.ts";

export type { ApiRequestRecord } from "./demo-api.ts";

export interface DemoServerOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port to listen on. Default 0: any free port. */
  port?: number;
  /** Redirect URIs registered for the demo client (exact match). */
  redirectUris: string[];
  /** Default "tokendesk-demo". */
  clientId?: string;
  /** Default: 32 random bytes, base64url, generated per start. */
  clientSecret?: string;
  /** Authorization code lifetime in seconds. Default 300. */
  codeTtl?: number;
  /** Access token lifetime in seconds. Default 120. */
  accessTtl?: number;
  /** Refresh token lifetime in seconds, counted from the first refresh token of a chain. Default 86400. */
  refreshTtl?: number;
}

export interface TokenRequestRecord {
  /** Epoch milliseconds when the request reached the server. */
  at: number;
  /** The `grant_type` presented ("" when none could be read). */
  grantType: string;
  /** HTTP status of the response. */
  status: number;
  /** OAuth error code of an error response. */
  error?: string;
  /** For refresh grants: fingerprint() of the refresh token presented. */
  refreshTokenFingerprint?: string;
}

/** One request that reached the introspection endpoint (RFC 7662). */
export interface IntrospectionRequestRecord {
  at: number;
  /** HTTP status of the response. */
  status: number;
  /** The answer's `active`, when the server answered one. */
  active?: boolean;
}

export interface DemoServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint: string;
  /** RFC 7662 introspection: the demo client may introspect its own access and refresh tokens. */
  introspection_endpoint: string;
  /** OpenID Connect userinfo: the demo client's identity probe. */
  userinfo_endpoint: string;
  /** The JWK Set that verifies its ID tokens (oidc-provider's default /jwks, with CORS for any page). */
  jwks_uri: string;
  /**
   * Its protected resource, the demo client's API base URL: `GET profile` answers whose token it is,
   * `GET`/`POST notes` keep a list per user. Bearer tokens only (RFC 6750), checked against the
   * server's own store, so an expired, revoked or unknown token is `401 invalid_token`.
   */
  api_base_url: string;
  clientId: string;
  clientSecret: string;
  /** The scope the demo client should ask for: "openid demo:read". */
  scope: string;
  /** Every request that reached the token endpoint, oldest first. */
  tokenRequests: TokenRequestRecord[];
  /** Every request that reached the introspection endpoint, oldest first. */
  introspectionRequests: IntrospectionRequestRecord[];
  /** Every request that reached the protected resource, oldest first. */
  apiRequests: ApiRequestRecord[];
  /** Stops listening and drops every open connection. Safe to call twice. */
  close(): Promise<void>;
}

/** First 8 hex characters of the SHA-256 of a token: enough to tell tokens apart in logs and tests. */
export function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 8);
}

const ROUTES = {
  authorization: "/auth",
  token: "/token",
  revocation: "/token/revocation",
  introspection: "/token/introspection",
  userinfo: "/me",
  jwks: "/jwks",
  api: "/api/",
} as const;
const DEMO_SCOPE = "openid demo:read";

// ---------------------------------------------------------------------------------------------------------
// The slice of oidc-provider (and Koa) this file touches. oidc-provider ships no type declarations.

interface KoaContext {
  method: string;
  path: string;
  status: number;
  body: unknown;
  type: string;
  req: IncomingMessage;
  get(field: string): string;
  set(field: string, value: string): void;
  /** Defined by oidc-provider on the contexts of its own routes. */
  oidc?: OidcContext;
}
interface OidcContext {
  params?: Record<string, unknown>;
  body?: Record<string, unknown>;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

interface OidcClient {
  clientId: string;
  clientAuthMethod: string;
  redirectUris: string[];
  grantTypeAllowed(grantType: string): boolean;
}
interface OidcToken {
  clientId?: string;
  accountId?: string;
  scope?: string;
  iat?: number;
  exp?: number;
  /** RefreshToken: when the first refresh token of this rotation chain was issued (epoch seconds). */
  iiat?: number;
}
interface OidcProvider {
  use(middleware: Middleware): OidcProvider;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  RefreshToken: { find(value: string): Promise<OidcToken | undefined> };
  /** Finds an access token by its value; expired, revoked and unknown ones come back undefined. */
  AccessToken: { find(value: string): Promise<OidcToken | undefined> };
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

async function loadProvider(): Promise<ProviderConstructor> {
  // Loaded lazily so that importing this module (e.g. from vite.config.ts) costs nothing and prints
  // nothing until a server is actually started.
  // @ts-expect-error oidc-provider ships no type declarations; the shape used here is declared above.
  const module: { default: ProviderConstructor } = await import("oidc-provider");
  return module.default;
}

// ---------------------------------------------------------------------------------------------------------
// Storage. Our own in-memory adapter, one store per server, so oidc-provider does not warn about its
// development adapter and two servers in one process never share state. The interop tests'
// oidc-provider configurations (test/interop/servers) use it too.

type Payload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
};

export class MemoryStore {
  readonly #entries = new Map<string, { payload: Payload; expiresAt: number }>();
  readonly #grants = new Map<string, Set<string>>();
  readonly #index = new Map<string, string>();
  #writes = 0;

  get(key: string): Payload | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(key: string, payload: Payload, expiresIn: number | undefined): void {
    if (++this.#writes % 200 === 0) this.#sweep();
    const expiresAt =
      typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    this.#entries.set(key, { payload, expiresAt });
    if (payload.grantId) {
      const members = this.#grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.#grants.set(payload.grantId, members);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  index(name: string): string | undefined {
    return this.#index.get(name);
  }

  setIndex(name: string, key: string): void {
    this.#index.set(name, key);
  }

  revokeGrant(grantId: string): void {
    for (const key of this.#grants.get(grantId) ?? []) this.#entries.delete(key);
    this.#grants.delete(grantId);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    for (const [grantId, members] of this.#grants) {
      for (const key of members) if (!this.#entries.has(key)) members.delete(key);
      if (members.size === 0) this.#grants.delete(grantId);
    }
    for (const [name, key] of this.#index) if (!this.#entries.has(key)) this.#index.delete(name);
  }
}

export class MemoryAdapter {
  readonly #model: string;
  readonly #store: MemoryStore;

  constructor(model: string, store: MemoryStore) {
    this.#model = model;
    this.#store = store;
  }

  #key(id: string): string {
    return `${this.#model}:${id}`;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    const key = this.#key(id);
    this.#store.set(key, payload, expiresIn);
    if (this.#model === "Session" && typeof payload.uid === "string")
      this.#store.setIndex(`uid:${payload.uid}`, key);
    if (typeof payload.userCode === "string") this.#store.setIndex(`userCode:${payload.userCode}`, key);
  }

  async find(id: string): Promise<Payload | undefined> {
    return this.#store.get(this.#key(id));
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const key = this.#store.index(`uid:${uid}`);
    return key === undefined ? undefined : this.#store.get(key);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const key = this.#store.index(`userCode:${userCode}`);
    return key === undefined ? undefined : this.#store.get(key);
  }

  async consume(id: string): Promise<void> {
    const payload = this.#store.get(this.#key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#store.revokeGrant(grantId);
  }
}

// ---------------------------------------------------------------------------------------------------------

function signingKeys(): { keys: Record<string, unknown>[] } {
  // RS256 is the default ID token algorithm, so an RSA key is required; generated fresh per start.
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: "jwk" }), kid: randomUUID(), use: "sig", alg: "RS256" }] };
}

function positiveSeconds(value: number | undefined, fallback: number, name: string): number {
  const seconds = value ?? fallback;
  if (!Number.isInteger(seconds) || seconds <= 0) throw new RangeError(`${name} must be a positive integer`);
  return seconds;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// oidc-provider's built-in pages @import a Google web font; the demo runs offline and should not make
// third-party requests (or cause console errors in browser tests), so the import is dropped.
const WEB_FONT_IMPORT = /@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g;

function listen(host: string, port: number): Promise<ReturnType<typeof createServer>> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const host = options.host ?? "127.0.0.1";
  const clientId = options.clientId ?? "tokendesk-demo";
  const clientSecret = options.clientSecret ?? randomBytes(32).toString("base64url");
  const codeTtl = positiveSeconds(options.codeTtl, 300, "codeTtl");
  const accessTtl = positiveSeconds(options.accessTtl, 120, "accessTtl");
  const refreshTtl = positiveSeconds(options.refreshTtl, 86_400, "refreshTtl");
  if (options.redirectUris.length === 0) throw new TypeError("redirectUris must not be empty");

  const Provider = await loadProvider();
  const server = await listen(host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const tokenRequests: TokenRequestRecord[] = [];
  const introspectionRequests: IntrospectionRequestRecord[] = [];
  const apiRequests: ApiRequestRecord[] = [];
  const notes = new Map<string, DemoNote[]>();
  const store = new MemoryStore();

  let provider: OidcProvider;
  try {
    provider = new Provider(issuer, {
      adapter: (model: string) => new MemoryAdapter(model, store),
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: options.redirectUris,
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      // oidc-provider treats client_secret_basic and client_secret_post as interchangeable for a client
      // registered with either; allowing only Basic server-wide makes a secret in the body a failed
      // client authentication (401 invalid_client), as a strict server would.
      clientAuthMethods: ["client_secret_basic"],
      jwks: signingKeys(),
      cookies: { keys: [randomBytes(32).toString("base64url")] },
      routes: ROUTES,
      responseTypes: ["code"],
      scopes: ["openid", "offline_access", "demo:read"],
      // Any user name logs in (built-in development login and consent pages).
      findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
      features: {
        devInteractions: { enabled: true },
        revocation: {
          enabled: true,
          allowedPolicy: async (_ctx: unknown, client: OidcClient, token: OidcToken) =>
            token.clientId === client.clientId,
        },
        // oidc-provider's default lets any confidential client introspect any token; a client here
        // learns about its own tokens only, access and refresh alike (others get active: false).
        introspection: {
          enabled: true,
          allowedPolicy: async (_ctx: unknown, client: OidcClient, token: OidcToken) =>
            token.clientId === client.clientId,
        },
      },
      // S256 is the only method oidc-provider implements; require it for the confidential client too.
      pkce: { required: () => true },
      // A refresh token whenever the client may use the grant, without the offline_access + prompt=consent
      // dance, and not tied to the login session (the demo's sessions are disposable).
      issueRefreshToken: async (_ctx: unknown, client: OidcClient) =>
        client.grantTypeAllowed("refresh_token"),
      expiresWithSession: async () => false,
      // Every refresh rotates; presenting a rotated token again fails with invalid_grant and revokes the
      // whole grant (oidc-provider's reuse detection).
      rotateRefreshToken: true,
      ttl: {
        AuthorizationCode: codeTtl,
        AccessToken: accessTtl,
        IdToken: accessTtl,
        // A rotated refresh token inherits `iiat` (when the chain's first refresh token was issued); with a
        // plain number oidc-provider would give every rotated token a fresh full lifetime. Count from iiat.
        RefreshToken: (_ctx: unknown, token: OidcToken) =>
          Math.max(1, refreshTtl - (now() - (token.iiat ?? now()))),
        // The grant (created at consent) and the session outlive every refresh token issued from them.
        Grant: refreshTtl + codeTtl,
        Session: refreshTtl + codeTtl,
        Interaction: 600,
        ClientCredentials: accessTtl,
        DeviceCode: 600,
        BackchannelAuthenticationRequest: 600,
        PreAuthorizedCode: 600,
      },
      clientBasedCORS: (ctx: { oidc: { route: string } }, origin: string, client: OidcClient) =>
        (ctx.oidc.route === "userinfo" || client.clientAuthMethod === "none") &&
        client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
      renderError: async (ctx: KoaContext, out: Record<string, unknown>) => {
        ctx.type = "html";
        ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Demo authorization server error</title></head><body><h1>Error</h1>${Object.entries(
          out,
        )
          .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(String(value))}</p>`)
          .join("")}</body></html>`;
      },
    });
  } catch (error) {
    server.close();
    throw error;
  }

  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith(ROUTES.api)) return next();
    const at = Date.now();
    await serveApi(provider.AccessToken, ctx, notes, ROUTES.api);
    apiRequests.push({ at, method: ctx.method, path: ctx.path, status: ctx.status });
  });

  provider.use(async (ctx, next) => {
    const at = Date.now();
    await next();
    if (ctx.method === "POST" && ctx.path === ROUTES.token) {
      await addRefreshTokenExpiresIn(provider, ctx);
      tokenRequests.push(recordTokenRequest(ctx, at));
    } else if (ctx.method === "POST" && ctx.path === ROUTES.introspection) {
      const active = isRecord(ctx.body) ? ctx.body.active : undefined;
      introspectionRequests.push({
        at,
        status: ctx.status,
        ...(typeof active === "boolean" ? { active } : {}),
      });
    } else if (typeof ctx.body === "string" && ctx.type.startsWith("text/html")) {
      ctx.body = ctx.body.replace(WEB_FONT_IMPORT, "");
    }
  });

  server.on("request", provider.callback());

  let closing: Promise<void> | undefined;
  return {
    issuer,
    authorization_endpoint: `${issuer}${ROUTES.authorization}`,
    token_endpoint: `${issuer}${ROUTES.token}`,
    revocation_endpoint: `${issuer}${ROUTES.revocation}`,
    introspection_endpoint: `${issuer}${ROUTES.introspection}`,
    userinfo_endpoint: `${issuer}${ROUTES.userinfo}`,
    jwks_uri: `${issuer}${ROUTES.jwks}`,
    api_base_url: `${issuer}${ROUTES.api}`,
    clientId,
    clientSecret,
    scope: DEMO_SCOPE,
    tokenRequests,
    introspectionRequests,
    apiRequests,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Every token response carrying a refresh token also says when that refresh token expires. */
async function addRefreshTokenExpiresIn(provider: OidcProvider, ctx: KoaContext): Promise<void> {
  if (ctx.status !== 200 || !isRecord(ctx.body)) return;
  const value = asString(ctx.body.refresh_token);
  if (value === undefined) return;
  const token = await provider.RefreshToken.find(value);
  if (token?.exp !== undefined) ctx.body.refresh_token_expires_in = Math.max(0, token.exp - now());
}

function recordTokenRequest(ctx: KoaContext, at: number): TokenRequestRecord {
  const params = ctx.oidc?.params ?? ctx.oidc?.body ?? {};
  const grantType = asString(params.grant_type) ?? asString(ctx.oidc?.body?.grant_type) ?? "";
  const record: TokenRequestRecord = { at, grantType, status: ctx.status };
  const error = ctx.status >= 400 && isRecord(ctx.body) ? asString(ctx.body.error) : undefined;
  if (error !== undefined) record.error = error;
  if (grantType === "refresh_token") {
    const presented = asString(ctx.oidc?.body?.refresh_token) ?? asString(params.refresh_token);
    if (presented !== undefined) record.refreshTokenFingerprint = fingerprint(presented);
  }
  return record;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
