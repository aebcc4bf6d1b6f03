/**
 * What every authorization server in the interop matrix offers the walk: where it is, the client it
 * registered for tokendesk, what it offers, and how a person gets through its own login and consent
 * pages. None of these servers was written here; each module only configures and starts one.
 */
import type { Page } from "playwright-core";

export type InteropServerName =
  | "oidc-provider-a"
  | "oidc-provider-b"
  | "django-oauth-toolkit"
  | "lemonldap-ng";

/** The client each server registers for tokendesk, with the exact redirect URI of the dev server. */
export interface InteropClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly token_endpoint_auth_method: "client_secret_basic" | "client_secret_post";
  /** What the relay's client asks for: enough for an ID token, userinfo and a refresh token. */
  readonly scope: string;
  readonly redirect_uri: string;
}

/** Endpoints as the server's documentation names them (what a user would type into the relay's configuration). */
export interface InteropEndpoints {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly userinfo_endpoint: string;
  readonly jwks_uri: string;
  /** Null when the server has none (not when its metadata merely omits it). */
  readonly revocation_endpoint: string | null;
  readonly introspection_endpoint: string | null;
}

export type IntrospectionHandling = "describes" | "answers inactive" | "unsupported_token_type";

/** What the server, as configured here, does. The matrix and the walk read these. */
export interface InteropOffers {
  /** `rotating`: each refresh answers a new refresh token and the old one is refused; `reusable`: it keeps working. */
  readonly refresh: "rotating" | "reusable";
  readonly revocation: boolean;
  readonly introspection: boolean;
  readonly pkceRequired: boolean;
  /** `jwt` (RFC 9068) or `opaque`. */
  readonly accessTokenFormat: "jwt" | "opaque";
  /** A JWT access token's `aud`: the API it is for. */
  readonly accessTokenAudience?: string;
  /** The ID tokens it issues. */
  readonly idToken: {
    /** Whether a refresh answer carries one too. */
    readonly onRefresh: boolean;
    /** Whether it carries `at_hash`. */
    readonly atHash: boolean;
    /** Whether `aud` is an array (with `azp`) rather than one string. */
    readonly audArray: boolean;
  };
  /**
   * What its introspection endpoint, where it has one, does with each of the connection's live tokens:
   * describes it (`active: true`), answers `active: false` regardless (it describes the other kind
   * only), or refuses it as `unsupported_token_type`.
   */
  readonly introspects: {
    readonly access: IntrospectionHandling;
    readonly refresh: IntrospectionHandling;
  };
}

export interface InteropServer {
  readonly name: InteropServerName;
  /** e.g. "node-oidc-provider 9.13.3 (Node.js)". */
  readonly label: string;
  /** The issuer exactly as the server states it in its metadata. */
  readonly issuer: string;
  /** Where its OpenID Connect metadata actually is (which may differ from issuer + /.well-known/…). */
  readonly metadataUrl: string;
  readonly client: InteropClient;
  readonly endpoints: InteropEndpoints;
  readonly offers: InteropOffers;
  /** A user the server's login form accepts, the `sub` it gives them, and the name userinfo gives. */
  readonly user: {
    readonly login: string;
    readonly password: string;
    readonly sub: string;
    readonly account: string;
  };
  /**
   * From the server's first page (after tokendesk's "Continue to …") back to tokendesk's callback: logs
   * in on the server's own form when it asks, and consents when it asks. Returns once the browser is
   * back on tokendesk.
   */
  login(page: Page, appOrigin: string): Promise<void>;
  /**
   * Where a client cannot revoke: what the server's administrator does to end the grant a refresh
   * token belongs to, with the server's own tools. Resolves once it has ended.
   */
  endGrant?(refreshToken: string): Promise<void>;
  /** The server's own log so far (stdout and stderr of its process, or its in-process events). */
  log(): string;
  /** Stops the server and removes its temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface InteropServerOptions {
  /** The redirect URI of the dev server under test: the client is registered with exactly this one. */
  readonly redirectUri: string;
}
