/**
 * What is true of an OAuth provider for every app registered with it: endpoints, how the token
 * endpoint wants the client to authenticate, lifetimes and refresh behaviour.
 * Pure data: no DOM, no runtime dependency, shared by the page and the relay.
 */

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1, OpenID Connect Core §9). */
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post";

/** How the token request body is encoded: RFC 6749 form, or JSON (FreshBooks' SDK sends JSON). */
export type BodyEncoding = "form" | "json";

/**
 * What a refresh does to the refresh token that was used:
 * - `reusable`: it stays valid (Google, Microsoft);
 * - `rotating`: a new one comes back and the old one stops working, possibly after a grace period;
 * - `single-use`: it works exactly once (FreshBooks);
 * - `none`: the provider issues no refresh tokens (GitHub OAuth apps: their tokens do not expire).
 */
export type RefreshPolicy = "reusable" | "rotating" | "single-use" | "none";

/** A lifetime in seconds, `null` where the provider states none, with how sure we are of it. */
export interface Lifetime {
  readonly seconds: number | null;
  /** `false` until the figure has been checked against the provider's documentation. */
  readonly confirmed: boolean;
  /** Where the figure comes from (a documentation URL or "configured"). */
  readonly source?: string;
  /**
   * What the figure alone does not say. With `seconds` it reads as an aside ("from its last use");
   * without, as what the tokens do ("never expire, but each works once").
   */
  readonly note?: string;
}

/** The endpoints of one environment (production, sandbox, or a single custom server). */
export interface Endpoints {
  readonly issuer?: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly revocation_endpoint?: string;
  /**
   * The "who am I" endpoint: GET with the access token as a Bearer token answers with the account the
   * token belongs to. The relay calls only this URL for the identity probe.
   */
  readonly identity_endpoint?: string;
  /** RFC 7662 token introspection: the relay's `POST {base}/introspect` calls only this URL. */
  readonly introspection_endpoint?: string;
  /** The issuer's JSON Web Key Set (RFC 7517), to verify ID token signatures; the relay's JWKS lookup reads only it. */
  readonly jwks_uri?: string;
  /**
   * Where the provider's API lives: `POST {base}/api` calls only URLs under one of these (same scheme,
   * host and port; a path inside the base's path), with the caller's access token as a Bearer token.
   */
  readonly api_base_urls?: readonly string[];
}

/**
 * A value a sample request needs that only a connection knows: a parameter of the redirect back
 * (QuickBooks `realmId`), or a field of another sample's answer (FreshBooks' account id from the
 * identity answer, Xero's tenant id from `/connections`). Written `{name}` in the sample's path or
 * header values.
 */
export type ApiSampleInput =
  | {
      readonly name: string;
      readonly from: "callback";
      readonly param: string;
      /** What it is, in a few words ("the QuickBooks company"). */
      readonly meaning: string;
    }
  | {
      readonly name: string;
      readonly from: "answer";
      /** The `id` of the sample whose JSON answer holds it. */
      readonly sample: string;
      /** Dotted path into that answer, array indexes as numbers: `response.business_memberships.0.business.account_id`. */
      readonly path: string;
      readonly meaning: string;
    };

/** A read-only request worth trying first with a fresh token, with the documentation it follows. */
export interface ApiSample {
  /** Stable within the recipe; other samples name it in `needs`. */
  readonly id: string;
  /** What it asks, in a few words: "Who am I". */
  readonly label: string;
  readonly method: "GET";
  /** Appended to the API base URL (`base`, default the first), without a leading slash; may hold `{name}`. */
  readonly path: string;
  readonly base?: number;
  /** Headers the request needs (Xero's `Xero-Tenant-Id`); values may hold `{name}`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly needs?: readonly ApiSampleInput[];
  /** The provider's documentation of this request. */
  readonly source: string;
  /** What the answer says, or what the token needs (a scope), in one sentence. */
  readonly note?: string;
}

/** What tokendesk knows of a provider's API beyond its base URLs (which are per environment). */
export interface ApiFacts {
  readonly samples: readonly ApiSample[];
  /**
   * Request headers of this API a caller may set on `POST {base}/api`, besides the ones every API
   * takes (Accept, Content-Type, conditional requests…): `Xero-Tenant-Id`, `X-GitHub-Api-Version`.
   */
  readonly headers?: readonly string[];
  /** The API's reference documentation. */
  readonly docs?: string;
}

/** A count of requests allowed per window, as a provider documents it. */
export interface RateLimit {
  readonly requests: number;
  readonly perSeconds: number;
  /** Absent or `false` until checked against the provider's documentation. */
  readonly confirmed?: boolean;
  readonly source?: string;
}

/** A parameter the provider adds to the redirect URI beside `code` and `state`, kept with the code. */
export interface CallbackParam {
  readonly name: string;
  /** What it identifies, in a few words ("the QuickBooks company that was connected"). */
  readonly meaning: string;
}

export interface Recipe {
  /** Stable identifier, used as `provider` in the relay's client configuration. */
  readonly id: string;
  readonly name: string;
  /**
   * Endpoints per environment. `null` means the endpoints come from the client's own configuration
   * (the `custom` recipe, and the demo server whose port is chosen when it starts).
   */
  readonly environments: Readonly<Record<string, Endpoints>> | null;
  readonly defaultEnvironment?: string;
  /**
   * Endpoints for environments the client names freely (Microsoft: a tenant id or domain), used when
   * the name is none of `environments` and matches `pattern` in full. `{environment}` in each URL is
   * replaced by the name; the pattern admits no `/`, `?`, `#` or `@`, so the name cannot change the host.
   */
  readonly environmentTemplate?: {
    readonly pattern: string;
    readonly endpoints: Endpoints;
    /** For error messages: what such a name looks like. */
    readonly example: string;
  };
  readonly tokenEndpointAuthMethod: ClientAuthMethod;
  readonly bodyEncoding: BodyEncoding;
  /** Whether the provider is known to verify PKCE. tokendesk sends S256 either way. */
  readonly pkce: "required" | "supported" | "unknown";
  /** Parameters every authorization request to this provider needs (e.g. `access_type=offline`). */
  readonly authorizeParams: Readonly<Record<string, string>>;
  readonly scope: {
    readonly required: boolean;
    readonly separator: " " | "," | "+";
    readonly suggestions: readonly string[];
    /** Scopes the page always requests (Xero, Microsoft: `offline_access`, or no refresh token comes back). */
    readonly mustInclude?: readonly string[];
  };
  readonly lifetimes: {
    readonly code: Lifetime;
    readonly access: Lifetime;
    readonly refresh: Lifetime;
  };
  readonly refreshPolicy: RefreshPolicy;
  /**
   * `false` when the policy is the safe assumption rather than what the provider documents (FreeAgent
   * does not say whether a used refresh token stops working, so it is treated as rotating).
   */
  readonly refreshPolicyConfirmed?: boolean;
  /** How long a refresh token still works after it was used (Xero: 30 minutes, for a lost answer). */
  readonly refreshGrace?: Lifetime;
  /** Whether a refresh ends the previous access token at once (FreshBooks, GitHub App user tokens). */
  readonly refreshEndsAccessToken?: boolean;
  readonly refreshRateLimit: RateLimit | null;
  readonly redirectRules: {
    readonly httpsOnly: boolean;
    readonly noQuery: boolean;
  };
  /**
   * Response fields that state the refresh token's lifetime in seconds, in order of preference
   * (`refresh_token_expires_in` for FreeAgent and GitHub, `x_refresh_token_expires_in` for Intuit).
   */
  readonly refreshExpiresInFields: readonly string[];
  /** Headers every request to this provider must carry (FreeAgent refuses requests without a User-Agent). */
  readonly requestHeaders?: Readonly<Record<string, string>>;
  /** Parameters of the redirect back worth keeping and showing beside the code (QuickBooks `realmId`). */
  readonly callbackParams?: readonly CallbackParam[];
  /**
   * A response field stating when the provider issued the tokens, in Unix seconds (FreshBooks
   * `created_at`). Recorded only: lifetimes still count from receipt, because the provider's clock and
   * this browser's may disagree.
   */
  readonly issuedAtField?: string;
  /**
   * Other spellings of the issuer its ID tokens may carry in `iss`, accepted beside the environment's
   * `issuer` (Google: `accounts.google.com` without the scheme).
   */
  readonly idTokenIssuerAliases?: readonly string[];
  /** Where the identity probe's answer names the account: dotted paths, first present wins. */
  readonly identityFields?: readonly string[];
  /** The provider's API: sample requests and its own request headers ("Try the API"). */
  readonly api?: ApiFacts;
  /** Where an app is registered, and the documentation the recipe follows. */
  readonly links?: { readonly register?: string; readonly docs?: string };
  /** One sentence a user needs before authorizing. */
  readonly notes?: string;
}
