/**
 * The interop matrix: every server × every step tokendesk walks, and what happens. One source for the
 * walk (test/interop/walk.test.ts reads each cell and asserts exactly that) and for the README's
 * table (`npx tsx test/interop/matrix.ts` prints it; test/interop/readme.test.ts checks the README
 * carries it). A cell that changes (say, discovery learns to follow a trailing-slash redirect) is
 * changed here, and the walk then asserts the new behaviour.
 */
import type { InteropServerName } from "./servers/types.ts";

export type StepId =
  | "discovery"
  | "authorize"
  | "exchange"
  | "id-token"
  | "refresh"
  | "identity"
  | "introspection"
  | "revoke"
  | "ended-refused";

/** In walk order. `column` heads the README's table; `title` names the test. */
export const STEPS: readonly { readonly id: StepId; readonly column: string; readonly title: string }[] = [
  {
    id: "discovery",
    column: "Discovery",
    title: "Discovery from its issuer, the drafted client into .env.local",
  },
  { id: "authorize", column: "Authorize", title: "Authorize at its login and consent pages" },
  { id: "exchange", column: "Exchange", title: "Code exchange (PKCE) through the relay" },
  { id: "id-token", column: "ID token", title: "ID token verified against the issuer's keys" },
  { id: "refresh", column: "Refresh", title: "Refresh, its ID token, and the old refresh token" },
  { id: "identity", column: "Identity", title: "Identity probe (userinfo)" },
  { id: "introspection", column: "Introspection", title: "Introspection (RFC 7662)" },
  { id: "revoke", column: "Revoke", title: "Revoke (RFC 7009)" },
  { id: "ended-refused", column: "Ended refused", title: "Ended tokens refused" },
];

export interface Cell {
  readonly status: "works" | "not-offered" | "difference";
  /** Why, for anything but a plain "works"; the README prints it. */
  readonly note?: string;
  /** Text tokendesk's page shows in this step (the walk asserts each), where the note promises it. */
  readonly shows?: readonly string[];
}

export interface MatrixRow {
  readonly server: InteropServerName;
  /** The server, as the README's table names it. */
  readonly title: string;
  /** How it is configured here. */
  readonly configuration: string;
  /** The scope the discovery page drafts (from the metadata's `scopes_supported`). */
  readonly draftedScope: string | undefined;
  /** What the walk types into the authorize page's Scope field, as a user would; null keeps the drafted one. */
  readonly scope: string | null;
  /** Endpoints the metadata leaves out, typed into the draft from the server's documentation. */
  readonly typedIntoDraft: readonly ("revocation_endpoint" | "introspection_endpoint")[];
  /** `name=value` lines the walk types into "Extra authorization parameters", as a user would. */
  readonly extraParams: string;
  /**
   * How the walk ends the grant before checking that its tokens are refused: by revoking them (RFC
   * 7009); by presenting the rotated-out refresh token, which the server answers by revoking the grant
   * (reuse detection, RFC 9700 §4.14.2); or as the server's administrator, with its own tools.
   */
  readonly ends: "revocation" | "reuse detection" | "administrator";
  /** The OAuth error a refresh with the ended refresh token gets. */
  readonly endedRefusal: "invalid_grant" | "invalid_request";
  /** Rotating servers: what presenting a rotated-out refresh token does to the current one. */
  readonly rotatedReuse?: "revokes the grant" | "refused alone";
  readonly cells: Readonly<Record<StepId, Cell>>;
}

const OFFLINE_NOTE =
  "a refresh token only for `offline_access`, kept only with `prompt=consent` (OpenID Connect Core §11): the walk adds `prompt=consent` under Extra authorization parameters";

const ID_TOKEN_ON_REFRESH =
  "an ID token with each refresh, checked like the first and against it (same `iss`, `sub`, `aud`: OpenID Connect Core §12.2)";

const ACCESS_TOKENS_ONLY =
  "it introspects access tokens only: the access token is described, a live refresh token comes back `active: false`, which the page words as what it is (a server that may describe access tokens only), not as a dead token";

export const MATRIX: readonly MatrixRow[] = [
  {
    server: "oidc-provider-a",
    title: "node-oidc-provider 9.13.3 (a)",
    configuration:
      "Node.js, the npm package; rotating refresh tokens, PKCE required, `client_secret_basic` only, opaque access tokens, no revocation or introspection",
    draftedScope: "openid offline_access",
    scope: "openid email offline_access",
    typedIntoDraft: [],
    extraParams: "prompt=consent",
    ends: "reuse detection",
    endedRefusal: "invalid_grant",
    rotatedReuse: "revokes the grant",
    cells: {
      discovery: { status: "works", note: "drafts `openid offline_access` from its `scopes_supported`" },
      authorize: {
        status: "works",
        note: `its development login and consent pages; the walk types the scope \`openid email offline_access\`; ${OFFLINE_NOTE}`,
      },
      exchange: { status: "works" },
      "id-token": { status: "works", note: "RS256, one `aud`, no `at_hash`" },
      refresh: { status: "works", note: `rotates; ${ID_TOKEN_ON_REFRESH}` },
      identity: { status: "works", shows: ["This token belongs to ada@example.test"] },
      introspection: { status: "not-offered", note: "introspection is off in this configuration" },
      revoke: { status: "not-offered", note: "revocation is off in this configuration" },
      "ended-refused": {
        status: "works",
        note: 'with no revocation, the walk presents the rotated-out refresh token: reuse detection revokes the whole grant, the current refresh token is refused (`invalid_grant`) and userinfo refuses the access token (`401`, `WWW-Authenticate: Bearer … error="invalid_token"`)',
        shows: ["Its WWW-Authenticate says invalid_token"],
      },
    },
  },
  {
    server: "oidc-provider-b",
    title: "node-oidc-provider 9.13.3 (b)",
    configuration:
      "Node.js, the npm package; reusable refresh tokens, `client_secret_post` only, JWT access tokens (RFC 9068, for one API by resource indicators), introspection and revocation",
    draftedScope: "openid offline_access",
    scope: "openid email offline_access api:read",
    typedIntoDraft: [],
    extraParams: "prompt=consent",
    ends: "revocation",
    endedRefusal: "invalid_grant",
    cells: {
      discovery: { status: "works", note: "drafts `client_secret_post`, the only method its metadata lists" },
      authorize: {
        status: "works",
        note: `its development login and consent pages; the walk types the scope \`openid email offline_access api:read\`; ${OFFLINE_NOTE}`,
      },
      exchange: {
        status: "works",
        note: "the access token is a JWT for the API (`aud` is the resource), not for userinfo; the answer's `scope` is the API's alone, `api:read`",
      },
      "id-token": { status: "works", note: "RS256, one `aud`, no `at_hash`" },
      refresh: {
        status: "works",
        note: `reusable: no new refresh token, and the old one keeps working; ${ID_TOKEN_ON_REFRESH}`,
      },
      identity: {
        status: "difference",
        note: "userinfo answers `401 invalid_token`: oidc-provider issues JWT access tokens only for a resource server, and its userinfo accepts only its own opaque ones (it does not store JWTs, so it cannot find them)",
        shows: ['"error": "invalid_token"'],
      },
      introspection: {
        status: "difference",
        note: 'the refresh token is described (`active: true`); the JWT access token is answered `400 unsupported_token_type` ("Structured JWT Tokens cannot be introspected"): it is not stored, its own claims are all there is',
        shows: ["Structured JWT Tokens cannot be introspected"],
      },
      revoke: {
        status: "difference",
        note: "the refresh token is revoked (with the whole grant); the JWT access token is answered `400 unsupported_token_type`: a self-contained token cannot be revoked, it lives until `exp`",
        shows: ["unsupported_token_type"],
      },
      "ended-refused": {
        status: "works",
        note: "introspection calls the revoked refresh token not active, and a refresh with it is refused (`invalid_grant`)",
      },
    },
  },
  {
    server: "django-oauth-toolkit",
    title: "django-oauth-toolkit 1.7.0",
    configuration:
      "Python, Django 3.2, Debian 12's packages; a Django project of settings and URLs only; rotating refresh tokens, PKCE required, either secret method (the walk uses `client_secret_basic`), opaque tokens",
    draftedScope: "openid",
    scope: null,
    typedIntoDraft: ["revocation_endpoint", "introspection_endpoint"],
    extraParams: "",
    ends: "revocation",
    endedRefusal: "invalid_grant",
    rotatedReuse: "refused alone",
    cells: {
      discovery: {
        status: "works",
        note: "its metadata is at `/o/.well-known/openid-configuration/`: the slash-less URL answers `301` to it, which tokendesk follows (one same-origin trailing-slash redirect; through the relay, as DOT sends no CORS headers). The metadata names no scopes (the draft asks for `openid`), no PKCE methods, and no revocation or introspection endpoint though both exist: the walk types `/o/revoke_token/` and `/o/introspect/` into the draft, from DOT's documentation",
        shows: ["after a trailing-slash redirect"],
      },
      authorize: { status: "works", note: "Django admin's login form, then DOT's consent page" },
      exchange: { status: "works" },
      "id-token": {
        status: "works",
        note: "RS256; `sub` is the user's database id, `1`; `at_hash` present and checked",
        shows: ["nonce and at_hash check out"],
      },
      refresh: {
        status: "works",
        note: "rotates: the old refresh token is refused (`invalid_grant`, no description), the new one stays valid; no ID token with a refresh, so the first stays, labelled with when it came",
        shows: ["kept since: the refreshes after it carried no ID token"],
      },
      identity: {
        status: "works",
        note: "userinfo says only `sub`, the user's database id",
        shows: ["This token belongs to 1"],
      },
      introspection: {
        status: "difference",
        note: `the endpoint typed into the draft; ${ACCESS_TOKENS_ONLY}`,
        shows: ["Some servers introspect access tokens only"],
      },
      revoke: { status: "works", note: "answers `200` with an empty `text/html` body" },
      "ended-refused": {
        status: "works",
        note: "introspection calls the revoked access token not active, userinfo refuses it (`401 invalid_token`), and a refresh with the revoked refresh token is refused (`invalid_grant`)",
        shows: ["Its WWW-Authenticate says invalid_token"],
      },
    },
  },
  {
    server: "lemonldap-ng",
    title: "LemonLDAP::NG 2.16.1",
    configuration:
      "Perl, Debian 12's packages, its portal under Starman; Demo authentication; offline (reusable) refresh tokens, PKCE required, either secret method (the walk uses `client_secret_basic`), opaque tokens, introspection",
    draftedScope: "openid",
    scope: "openid profile email offline_access",
    typedIntoDraft: [],
    extraParams: "prompt=consent",
    ends: "administrator",
    endedRefusal: "invalid_request",
    cells: {
      discovery: {
        status: "works",
        note: "its issuer is the portal URL, with a trailing slash; its `scopes_supported` lists no `offline_access`, so the draft asks for `openid`",
      },
      authorize: {
        status: "works",
        note: `the portal's login form; the walk types the scope \`openid profile email offline_access\`; ${OFFLINE_NOTE}`,
      },
      exchange: { status: "works", note: "answers `scope` without `offline_access`" },
      "id-token": {
        status: "works",
        note: "RS256; `aud` is an array (the client id) with `azp`, both checked; `at_hash` present and checked",
        shows: ["Authorized party (azp)", "nonce and at_hash check out"],
      },
      refresh: {
        status: "works",
        note: `reusable: no new refresh token, and the old one keeps working; ${ID_TOKEN_ON_REFRESH}`,
      },
      identity: { status: "works", shows: ["This token belongs to Doctor Who"] },
      introspection: {
        status: "difference",
        note: ACCESS_TOKENS_ONLY,
        shows: ["Some servers introspect access tokens only"],
      },
      revoke: {
        status: "not-offered",
        note: "2.16 has no RFC 7009 endpoint: its administrator ends a grant by deleting its offline session (the Manager's session explorer, or `lemonldap-ng-sessions delete`, which the walk runs)",
      },
      "ended-refused": {
        status: "difference",
        note: "once the session is deleted, introspection calls the access token not active; userinfo answers `401` with `WWW-Authenticate: error=invalid_request,error_description=Invalid request` (no `Bearer` scheme, a value unquoted), which the page reads leniently and says so; a refresh is answered `400 invalid_request`, not `invalid_grant`: for a pasted token the page says it is most likely dead but keeps it (`invalid_request` also means a malformed request), and on the walk's connection, whose previous refresh of the same form worked, marks it dead",
        shows: [
          "That header is not an RFC 6750 §3 challenge",
          "tokendesk does not mark it dead on this answer alone",
          "only the refresh token differs",
        ],
      },
    },
  },
];

const WORDS: Readonly<Record<Cell["status"], string>> = {
  works: "works",
  "not-offered": "not offered",
  difference: "**known difference**",
};

/**
 * The README's matrix: a table of servers × steps (a `*` marks a cell with a note), then each
 * server's configuration and notes.
 */
export function renderMatrix(): string {
  const header = `| server | ${STEPS.map((s) => s.column).join(" | ")} |`;
  const rule = `| --- | ${STEPS.map(() => "---").join(" | ")} |`;
  const rows = MATRIX.map(
    (row) =>
      `| ${row.title} | ${STEPS.map((s) => {
        const cell = row.cells[s.id];
        return `${WORDS[cell.status]}${cell.note === undefined ? "" : " *"}`;
      }).join(" | ")} |`,
  );
  const notes = MATRIX.map((row) => {
    const noted = STEPS.flatMap((s) => {
      const note = row.cells[s.id].note;
      return note === undefined ? [] : [`${s.column}: ${note}.`];
    });
    return `- **${row.title}** (${row.configuration}). ${noted.join(" ")}`;
  });
  return [header, rule, ...rows, "", ...notes].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(renderMatrix());
