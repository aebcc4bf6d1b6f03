/**
 * The checks of the routes that send a caller's token to one endpoint of the client, authenticated as
 * the client: `POST {base}/revoke` (RFC 7009 §2.1) and `POST {base}/introspect` (RFC 7662 §2.1). Both
 * take `{client, token, token_type_hint?}`; only the endpoint, the refusal code and the words differ.
 * Pure, like policy.ts, whose shared checks of a body naming a client they build on.
 */
import { type ClientBodyRefusal, checkClientBody, truncate } from "./policy.ts";

/** Body fields a caller may send to `POST {base}/revoke` or `POST {base}/introspect`, less credentials. */
export const PRESENTED_TOKEN_FIELDS: readonly string[] = ["client", "token", "token_type_hint"];

/**
 * The `token_type_hint` values RFC 7009 §2.1 defines, the ones RFC 7662 §2.1 refers to; the relay
 * forwards no other, so a log line's hint is always one of a closed set.
 */
export const TOKEN_TYPE_HINTS = ["refresh_token", "access_token"] as const;

/** One of {@link TOKEN_TYPE_HINTS}. */
export type TokenTypeHint = (typeof TOKEN_TYPE_HINTS)[number];

/**
 * Access and refresh tokens are 1*VSCHAR (RFC 6749 Appendix A.12, A.17); 8192 characters is more than
 * any provider issues, and keeps a body from spending its whole allowance on one field.
 */
const PRESENTED_TOKEN = /^[\x20-\x7e]{1,8192}$/;

/** A token a caller hands the relay, with its hint, once it passed every check. */
export interface PresentedToken {
  readonly token: string;
  readonly token_type_hint?: TokenTypeHint;
}

/** How one of these routes words its refusals. */
interface PresentedTokenRoute<E extends string> {
  /** "revocation" or "introspection", as in "an unknown field for a revocation". */
  readonly noun: string;
  readonly article: "a" | "an";
  /** What the token is for, as in "the token to revoke". */
  readonly verb: string;
  /** The configuration field naming the endpoint, e.g. `revocation_endpoint`. */
  readonly field: string;
  /** The refusal when the client has no such endpoint. */
  readonly unsupported: E;
  /** The section defining the request, e.g. "RFC 7009 §2.1". */
  readonly section: string;
  readonly example: string;
}

/** The outcome of a check. `client` is set once known, for logging. */
export type PresentedTokenCheck<C, E extends string> =
  | {
      readonly ok: true;
      readonly client: C;
      /** The client's endpoint for this route: the only URL the token may be sent to. */
      readonly endpoint: string;
      readonly presented: PresentedToken;
    }
  | {
      readonly ok: false;
      readonly error: ClientBodyRefusal | E;
      readonly description: string;
      readonly client?: C;
    };

/**
 * The shared check: no caller credentials, a configured client that has the route's endpoint, no
 * unknown fields, a token, and a hint of the two defined. Nothing in the body can change where the
 * relay sends it.
 */
function checkPresentedToken<C extends { readonly id: string }, E extends string>(
  body: unknown,
  clients: ReadonlyMap<string, C>,
  endpointOf: (client: C) => string | null,
  route: PresentedTokenRoute<E>,
): PresentedTokenCheck<C, E> {
  const named = checkClientBody(body, clients, route.example);
  if (!named.ok) return named;
  const { fields, client } = named;
  const refuse = (error: ClientBodyRefusal | E, description: string) =>
    ({ ok: false, error, description, client }) as const;
  const unknown = Object.keys(fields).find((name) => !PRESENTED_TOKEN_FIELDS.includes(name));
  if (unknown !== undefined) {
    return refuse(
      "invalid_request",
      `Unknown field ${JSON.stringify(truncate(unknown, 64))} for ${route.article} ${route.noun}; remove it (allowed fields: ${PRESENTED_TOKEN_FIELDS.join(", ")}).`,
    );
  }
  const endpoint = endpointOf(client);
  if (endpoint === null) {
    return refuse(
      route.unsupported,
      `Client "${client.id}" has no ${route.noun} endpoint: its provider has none tokendesk knows, and the relay sends ${route.article} ${route.noun} nowhere else. For a custom provider, add "${route.field}" to the client in TOKENDESK_CLIENTS.`,
    );
  }
  const token = fields.token;
  if (typeof token !== "string" || !PRESENTED_TOKEN.test(token)) {
    return refuse(
      "invalid_request",
      `"token" must be the token to ${route.verb}: 1 to 8192 visible ASCII characters or spaces (RFC 6749 Appendix A.12, A.17).`,
    );
  }
  const hint = fields.token_type_hint;
  if (hint === undefined) return { ok: true, client, endpoint, presented: { token } };
  if (typeof hint !== "string" || !(TOKEN_TYPE_HINTS as readonly string[]).includes(hint)) {
    return refuse(
      "invalid_request",
      `"token_type_hint" must be "refresh_token" or "access_token" when present (${route.section}).`,
    );
  }
  return { ok: true, client, endpoint, presented: { token, token_type_hint: hint as TokenTypeHint } };
}

/** A configured client as the revocation check sees it. */
export interface RevocableClient {
  readonly id: string;
  /** The only URL `POST {base}/revoke` sends to for this client; null when its provider has none. */
  readonly revocationEndpoint: string | null;
}

/**
 * Checks a parsed `POST {base}/revoke` body (RFC 7009 §2.1): refuses a client without a revocation
 * endpoint with `revocation_unsupported`.
 */
export function checkRevocationRequest<C extends RevocableClient>(
  body: unknown,
  clients: ReadonlyMap<string, C>,
): PresentedTokenCheck<C, "revocation_unsupported"> {
  return checkPresentedToken(body, clients, (c) => c.revocationEndpoint, {
    noun: "revocation",
    article: "a",
    verb: "revoke",
    field: "revocation_endpoint",
    unsupported: "revocation_unsupported",
    section: "RFC 7009 §2.1",
    example: '{"client":"…","token":"…","token_type_hint":"refresh_token"}',
  });
}

/** A configured client as the introspection check sees it. */
export interface IntrospectableClient {
  readonly id: string;
  /** The only URL `POST {base}/introspect` sends to for this client; null when there is none. */
  readonly introspectionEndpoint: string | null;
}

/**
 * Checks a parsed `POST {base}/introspect` body (RFC 7662 §2.1): refuses a client without an
 * introspection endpoint with `introspection_unsupported`.
 */
export function checkIntrospectionRequest<C extends IntrospectableClient>(
  body: unknown,
  clients: ReadonlyMap<string, C>,
): PresentedTokenCheck<C, "introspection_unsupported"> {
  return checkPresentedToken(body, clients, (c) => c.introspectionEndpoint, {
    noun: "introspection",
    article: "an",
    verb: "introspect",
    field: "introspection_endpoint",
    unsupported: "introspection_unsupported",
    section: "RFC 7662 §2.1",
    example: '{"client":"…","token":"…","token_type_hint":"access_token"}',
  });
}
