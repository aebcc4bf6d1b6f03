/**
 * What an RFC 7662 introspection answer means, in plain words, read from the relay's answer to
 * `POST {base}/introspect`: whether the token is active, and each member of the answer explained. The
 * connection page and the support desk show the same reading. Pure: no DOM, no storage.
 */
import type { RevocationTokenType } from "../relay/contract.ts";
import { basicDenied, type Explanation, INVALID_CLIENT, retryAfterSeconds } from "./explain.ts";
import type { RelayLookups, RelayTokenResult } from "./relay-client.ts";

/**
 * - `active`: the server answered `"active": true` (RFC 7662 §2.2);
 * - `inactive`: it answered `"active": false`;
 * - `failed`: it answered something else (an error, or not an RFC 7662 answer);
 * - `refused`: the relay refused before calling the provider;
 * - `unanswered`: no answer came. Introspection only reads, so nothing was spent either way.
 */
export type IntrospectionKind = "active" | "inactive" | "failed" | "refused" | "unanswered";

/** One member of an introspection answer, explained. */
export interface IntrospectionClaim {
  /** The member's name as the server wrote it, e.g. `scope`. */
  readonly name: string;
  /** Its value as text, as the server wrote it: shown as text, never as markup. */
  readonly value: string;
  /** What it says, in plain words. */
  readonly meaning: string;
  /** For `exp`, `iat` and `nbf` given as NumericDate: the instant, in ms since the epoch. */
  readonly at: number | null;
  /** Whether RFC 7662 §2.2 defines the member (otherwise it is the server's own). */
  readonly standard: boolean;
}

/** What one introspection came to. */
export interface IntrospectionVerdict {
  readonly kind: IntrospectionKind;
  /** The provider's HTTP status, when it answered. */
  readonly status: number | null;
  /** The OAuth `error` of an error answer, or the relay's own `error` code. */
  readonly error: string | null;
  readonly title: string;
  readonly detail: string;
  /** What to do next, in plain words. */
  readonly next: string;
  /** The answer's members, explained, in RFC 7662 §2.2's order and then the server's own. */
  readonly claims: readonly IntrospectionClaim[];
  /** `exp` as ms since the epoch, when the answer states it as a NumericDate. */
  readonly expiresAt: number | null;
}

/** What the reading compares the answer with. */
export interface IntrospectionContext {
  /** Which token was asked about; null when it is not known (a pasted token without a role). */
  readonly which: RevocationTokenType | null;
  /** The relay client's `client_id` at the provider, to say whether the token was issued to it. */
  readonly clientId?: string | null;
  /** The issuer the relay lists for the client, to compare with `iss`. */
  readonly issuer?: string | null;
  readonly now: number;
}

/** The members RFC 7662 §2.2 defines, in its order. */
const STANDARD = [
  "active",
  "scope",
  "client_id",
  "username",
  "token_type",
  "exp",
  "iat",
  "nbf",
  "sub",
  "aud",
  "iss",
  "jti",
] as const;

/** Members other specifications define that introspection answers often carry. */
const KNOWN_EXTENSIONS: Readonly<Record<string, string>> = {
  sid: "The login session the token belongs to (OpenID Connect session id).",
  cnf: "Confirmation: the token is sender-constrained (RFC 7800; mTLS, RFC 8705, or DPoP, RFC 9449): only the holder of that key or certificate can use it.",
  authorization_details: "Rich authorization details granted with the token (RFC 9396).",
  acr: "The authentication context class the user logged in with (OpenID Connect).",
  auth_time: "When the user logged in (OpenID Connect), in seconds since 1970.",
  azp: "The authorized party: the client the token was issued to (OpenID Connect).",
};

const NAMES: Readonly<Record<RevocationTokenType, string>> = {
  access_token: "access token",
  refresh_token: "refresh token",
};

/** Said of every answer that is not "active": reading it changed nothing. */
const NOTHING_SPENT = "Introspection only reads: the token is as it was.";

/**
 * Reads the relay's answer to `POST {base}/introspect` (RFC 7662 §2.2): active or not, what each
 * member of the answer says, and what to do next.
 */
export function readIntrospection(
  result: RelayTokenResult,
  context: IntrospectionContext,
): IntrospectionVerdict {
  const name = context.which === null ? "token" : NAMES[context.which];
  const none = { claims: [], expiresAt: null } as const;
  if (result.kind === "refused") {
    return {
      kind: "refused",
      status: null,
      error: result.error.error,
      title: `The relay refused the introspection (${result.error.error})`,
      detail: result.error.error_description,
      next:
        result.error.error === "introspection_unsupported"
          ? "Nothing reached the provider. None of tokendesk's built-in providers documents an RFC 7662 endpoint; for a custom provider that has one, the relay's operator adds introspection_endpoint to the client."
          : "Nothing reached the provider. Fix what the relay names, then try again.",
      ...none,
    };
  }
  if (result.kind === "unknown") {
    const said = result.error.error_description;
    return {
      kind: "unanswered",
      status: result.status,
      error: result.error.error,
      title: "No answer from the introspection endpoint",
      detail: said.includes("nothing was spent")
        ? said
        : `${said} Introspection only reads, so nothing was spent either way.`,
      next: "Introspect again: it is always safe.",
      ...none,
    };
  }
  const { upstream } = result.envelope;
  const body = parseJsonObject(upstream.body);
  const ok = upstream.status >= 200 && upstream.status < 300;
  if (!ok) {
    const error = typeof body?.error === "string" ? body.error : null;
    const said =
      typeof body?.error_description === "string" ? ` The provider said: "${body.error_description}".` : "";
    const explained = explainIntrospectionFailure(upstream.status, error, upstream.headers, context.now);
    return {
      kind: "failed",
      status: upstream.status,
      error,
      title: explained.title,
      detail: `${explained.detail}${said} ${NOTHING_SPENT}`,
      next: explained.next,
      ...none,
    };
  }
  if (body === null) {
    const jwt = (upstream.headers["content-type"] ?? "").toLowerCase().includes("token-introspection+jwt");
    return {
      kind: "failed",
      status: upstream.status,
      error: null,
      title: jwt
        ? "The introspection endpoint answered with a signed JWT"
        : "The introspection endpoint's answer is not JSON",
      detail: jwt
        ? `It sent a JWT-secured answer (RFC 9701), though the relay asked for JSON; tokendesk shows it as sent but does not read it. ${NOTHING_SPENT}`
        : `RFC 7662 §2.2 answers with a JSON object; this ${upstream.status} answer is not one. ${NOTHING_SPENT}`,
      next: "Read the answer below, and check that the configured URL is the provider's RFC 7662 introspection endpoint.",
      ...none,
    };
  }
  const claims = explainIntrospectionClaims(body, context);
  const expiresAt = claims.find((c) => c.name === "exp")?.at ?? null;
  if (typeof body.active !== "boolean") {
    return {
      kind: "failed",
      status: upstream.status,
      error: null,
      title: 'Not an RFC 7662 answer: no true or false "active"',
      detail: `RFC 7662 §2.2 requires "active" as a JSON boolean; this answer ${
        "active" in body ? `has ${JSON.stringify(body.active)}` : "has none"
      }, so it says nothing certain about the ${name}. ${NOTHING_SPENT}`,
      next: "Read the answer below, and check that the configured URL is the provider's RFC 7662 introspection endpoint.",
      claims,
      expiresAt,
    };
  }
  if (!body.active) {
    const extra = Object.keys(body).some((key) => key !== "active")
      ? " The server sent other members too, which RFC 7662 §2.2 says it should not for an inactive token; they are shown as sent."
      : "";
    // RFC 7662 lets a server describe only some tokens and answer false for the rest; several
    // describe access tokens only (django-oauth-toolkit, LemonLDAP::NG), so for a refresh token
    // "not active" may say nothing about it at all.
    const accessOnly =
      context.which === "refresh_token"
        ? " Some servers introspect access tokens only and answer the same for every refresh token, live ones too (django-oauth-toolkit and LemonLDAP::NG do)."
        : "";
    return {
      kind: "inactive",
      status: upstream.status,
      error: null,
      title: `The ${name} is not active`,
      detail: `The server answered "active": false: the ${name} is expired, revoked, or was never issued by this server — RFC 7662 §2.2 does not say which. A server answers the same when this client may not ask about the token (one issued to another client, say).${accessOnly}${extra}`,
      next:
        context.which === "access_token"
          ? "Calls with it will be refused. Refresh for a new access token, if the refresh token is still active (introspect it: that spends nothing)."
          : context.which === "refresh_token"
            ? "If this server introspects refresh tokens, a refresh with it will be refused: authorize again for new tokens. If it introspects access tokens only, this answer tells nothing about the refresh token; the server's documentation says which."
            : "Whatever it is, it no longer works here: authorize again for new tokens, or check the token's own expiry under Inspect.",
      claims,
      expiresAt,
    };
  }
  const clientId = typeof body.client_id === "string" ? body.client_id : null;
  const foreign =
    clientId !== null && context.clientId != null && clientId !== context.clientId
      ? ` It was issued to client ${clientId}, not to this relay client (${context.clientId}).`
      : "";
  return {
    kind: "active",
    status: upstream.status,
    error: null,
    title: `The ${name} is active`,
    detail: `The server answered "active": true: it issued the ${name}, has not revoked it, and holds it within its time of validity (RFC 7662 §2.2).${foreign}`,
    next:
      context.which === "refresh_token"
        ? "It can refresh. Introspection spent nothing; a refresh would."
        : "It works at the provider. If an API still refuses it, the refusal is about what it may do: compare its scope and audience below with what the API needs.",
    claims,
    expiresAt,
  };
}

/**
 * Introspects a token through the relay (`POST {base}/introspect`, RFC 7662 §2.1) and reads the
 * answer, comparing it with what the relay lists for the client.
 */
export async function introspect(
  lookups: Pick<RelayLookups, "introspect">,
  request: { readonly client: string; readonly token: string; readonly which: RevocationTokenType | null },
  expected: Pick<IntrospectionContext, "clientId" | "issuer">,
  now: () => number = Date.now,
): Promise<{ readonly result: RelayTokenResult; readonly verdict: IntrospectionVerdict }> {
  const result = await lookups.introspect({
    client: request.client,
    token: request.token,
    ...(request.which === null ? {} : { token_type_hint: request.which }),
  });
  return { result, verdict: readIntrospection(result, { ...expected, which: request.which, now: now() }) };
}

/** Each member of an introspection answer with what it says (RFC 7662 §2.2), standard members first. */
export function explainIntrospectionClaims(
  body: Readonly<Record<string, unknown>>,
  context: IntrospectionContext,
): IntrospectionClaim[] {
  const active = body.active === true;
  const names = [
    ...STANDARD.filter((n) => Object.hasOwn(body, n)),
    ...Object.keys(body).filter((n) => !(STANDARD as readonly string[]).includes(n)),
  ];
  return names.map((name) => {
    const value = body[name];
    const standard = (STANDARD as readonly string[]).includes(name);
    const text = asText(value);
    const claim = (meaning: string, at: number | null = null): IntrospectionClaim => ({
      name,
      value: text,
      meaning,
      at,
      standard,
    });
    switch (name) {
      case "active":
        return claim(
          value === true
            ? "The token is active: issued by this server, not revoked, within its time of validity."
            : value === false
              ? "Not active: expired, revoked, or never issued by this server — RFC 7662 §2.2 does not say which."
              : "Should be true or false; this value says nothing certain.",
        );
      case "scope": {
        const scopes = typeof value === "string" ? value.split(" ").filter((s) => s !== "") : [];
        return claim(
          scopes.length === 0
            ? "No scope: the token may do only what the provider allows without one."
            : `What the token may do: ${scopes.join(", ")} (${scopes.length === 1 ? "one scope" : `${scopes.length} scopes`}).`,
        );
      }
      case "client_id":
        return claim(
          context.clientId == null
            ? "The client the token was issued to."
            : value === context.clientId
              ? "The client the token was issued to: this relay client."
              : `The client the token was issued to: not this relay client (${context.clientId}), another app.`,
        );
      case "username":
        return claim("A readable name for the person (resource owner) who authorized the token.");
      case "token_type":
        return claim(
          typeof value === "string" && value.toLowerCase() === "bearer"
            ? "A bearer token (RFC 6750): whoever holds it can use it, sent as Authorization: Bearer."
            : "The token's type (RFC 6749 §7.1).",
        );
      case "exp":
      case "iat":
      case "nbf":
        return instantClaim(name, value, text, active, context.now);
      case "sub":
        return claim(
          "The subject: whom the token acts for, usually the user, as this server identifies them (often an opaque id).",
        );
      case "aud":
        return claim("The audience: the APIs (resource servers) the token is meant for.");
      case "iss":
        return claim(
          context.issuer == null
            ? "The issuer: the server that issued the token."
            : value === context.issuer
              ? "The issuer: the server that issued the token, the one this client names."
              : `The issuer: the server that issued the token. This client names ${context.issuer}, not this one.`,
        );
      case "jti":
        return claim("The token's own identifier at the server.");
      default:
        return claim(
          KNOWN_EXTENSIONS[name] ?? "Not defined by RFC 7662: the server's own member (§2.2 allows them).",
        );
    }
  });
}

/** `exp`, `iat` or `nbf` (NumericDate: seconds since 1970, RFC 7662 §2.2) as an instant, explained. */
function instantClaim(
  name: "exp" | "iat" | "nbf",
  value: unknown,
  text: string,
  active: boolean,
  now: number,
): IntrospectionClaim {
  const base = { name, value: text, standard: true } as const;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return {
      ...base,
      at: null,
      meaning: `Should be a number of seconds since 1970 (RFC 7662 §2.2); this value cannot be read as an instant.`,
    };
  }
  const at = value * 1000;
  const past = at <= now;
  const meaning =
    name === "exp"
      ? past
        ? active
          ? "When the token expires. It is past by this browser's clock, yet the server says active: one of the clocks is wrong."
          : "When the token expired."
        : "When the token expires, unless revoked first."
      : name === "iat"
        ? "When the token was issued."
        : past
          ? "The token was not to be used before this instant."
          : "The token is not to be used before this instant, which is still ahead by this browser's clock.";
  return { ...base, at, meaning };
}

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(" ");
  return JSON.stringify(value) ?? String(value);
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Why an introspection endpoint did not answer 2xx, and what to do. */
function explainIntrospectionFailure(
  status: number,
  error: string | null,
  headers: Readonly<Record<string, string>>,
  now: number,
): Explanation {
  const wait = retryAfterSeconds(headers, now);
  const later = wait === null ? "Try again later." : `Try again in ${wait} s.`;
  if (status === 429 || status === 503) {
    return {
      title: `The provider cannot introspect right now (${status})`,
      detail: `The introspection endpoint answered ${status}${wait === null ? "" : ` and asks to wait ${wait} s`}.`,
      next: later,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      title: `The introspection endpoint redirected (${status})`,
      detail: `It answered ${status} to ${headers.location ?? "somewhere else"}; the relay follows no redirect, so the target was never asked.`,
      next: "Configure the endpoint's final URL as introspection_endpoint.",
    };
  }
  switch (error) {
    case "invalid_client":
      return {
        ...INVALID_CLIENT,
        detail: `${INVALID_CLIENT.detail} Some servers let only resource servers, not clients, introspect (IdentityServer's API resources, for one).`,
      };
    case "unauthorized_client":
      return {
        title: "This client may not introspect (unauthorized_client)",
        detail: "The provider does not allow this client to use its introspection endpoint.",
        next: "Ask the provider's administrator to allow introspection for this client.",
      };
    case "invalid_request":
      return {
        title: "The provider found the introspection malformed (invalid_request)",
        detail:
          "A parameter is missing or has a value the provider does not accept; a JWT access token is refused by some servers, which introspect only opaque tokens.",
        next: "Compare the request below with the provider's documentation.",
      };
    case "unsupported_token_type":
      return {
        title: "The provider does not introspect this kind of token (unsupported_token_type)",
        detail: "Its introspection endpoint does not describe tokens of this kind.",
        next: "Introspect the other token, or check the token's own claims under Inspect.",
      };
    default:
      if (status === 401) return basicDenied(false);
      if (status === 403) {
        return {
          title: "This client may not introspect (403)",
          detail: "The introspection endpoint refused the client, though it may have authenticated it.",
          next: "Ask the provider's administrator whether this client may introspect tokens.",
        };
      }
      return {
        title:
          error === null
            ? `The introspection endpoint answered ${status}`
            : `The provider answered "${error}"`,
        detail: "The provider's answer is below, as it was sent.",
        next:
          status >= 500 ? later : "Read the provider's answer; check its documentation for introspection.",
      };
  }
}
