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
  | "refresh"
  | "identity"
  | "revoke"
  | "revoked-refused";

/** In walk order. `column` heads the README's table; `title` names the test. */
export const STEPS: readonly { readonly id: StepId; readonly column: string; readonly title: string }[] = [
  { id: "discovery", column: "Discovery", title: "Discovery from its issuer" },
  { id: "authorize", column: "Authorize", title: "Authorize at its login and consent pages" },
  { id: "exchange", column: "Exchange", title: "Code exchange (PKCE) through the relay" },
  { id: "identity", column: "Identity", title: "Identity probe (userinfo)" },
  { id: "refresh", column: "Refresh", title: "Refresh, and the old refresh token after it" },
  { id: "revoke", column: "Revoke", title: "Revoke (RFC 7009)" },
  { id: "revoked-refused", column: "Revoked refused", title: "Revoked tokens refused" },
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
  /** `name=value` lines the walk types into "Extra authorization parameters", as a user would. */
  readonly extraParams: string;
  /** Rotating servers: what presenting a rotated-out refresh token does to the current one. */
  readonly rotatedReuse?: "revokes the grant" | "refused alone";
  readonly cells: Readonly<Record<StepId, Cell>>;
}

const OFFLINE_NOTE =
  "a refresh token only for `offline_access`, kept only with `prompt=consent` (OpenID Connect Core §11): the walk adds `prompt=consent` under Extra authorization parameters";

export const MATRIX: readonly MatrixRow[] = [
  {
    server: "oidc-provider-a",
    title: "node-oidc-provider 9.13.3 (a)",
    configuration:
      "Node.js, the npm package; rotating refresh tokens, PKCE required, `client_secret_basic` only, opaque access tokens, no revocation or introspection",
    extraParams: "prompt=consent",
    rotatedReuse: "revokes the grant",
    cells: {
      discovery: { status: "works" },
      authorize: { status: "works", note: `its development login and consent pages; ${OFFLINE_NOTE}` },
      exchange: { status: "works" },
      refresh: {
        status: "works",
        note: "rotates: the old refresh token is refused (`invalid_grant`), and presenting it revokes the whole grant",
      },
      identity: { status: "works", shows: ["This token belongs to ada@example.test."] },
      revoke: { status: "not-offered", note: "revocation is off in this configuration" },
      "revoked-refused": { status: "not-offered", note: "nothing was revoked" },
    },
  },
  {
    server: "oidc-provider-b",
    title: "node-oidc-provider 9.13.3 (b)",
    configuration:
      "Node.js, the npm package; reusable refresh tokens, `client_secret_post` only, JWT access tokens (RFC 9068, for one API by resource indicators), introspection and revocation",
    extraParams: "prompt=consent",
    cells: {
      discovery: { status: "works", note: "drafts `client_secret_post`, the only method its metadata lists" },
      authorize: { status: "works", note: `its development login and consent pages; ${OFFLINE_NOTE}` },
      exchange: { status: "works", note: "the access token is a JWT for the API (`aud`), not for userinfo" },
      refresh: { status: "works", note: "reusable: no new refresh token, and the old one keeps working" },
      identity: {
        status: "difference",
        note: "userinfo answers `401 invalid_token`: oidc-provider issues JWT access tokens only for a resource server, and its userinfo accepts only its own opaque ones (it does not store JWTs, so it cannot find them)",
        shows: ['"error": "invalid_token"'],
      },
      revoke: {
        status: "difference",
        note: "the refresh token is revoked (with the whole grant); the JWT access token is answered `400 unsupported_token_type`: a self-contained token cannot be revoked, it lives until `exp`",
        shows: ["unsupported_token_type"],
      },
      "revoked-refused": { status: "works", note: "the revoked refresh token is refused (`invalid_grant`)" },
    },
  },
  {
    server: "django-oauth-toolkit",
    title: "django-oauth-toolkit 1.7.0",
    configuration:
      "Python, Django 3.2, Debian 12's packages; a Django project of settings and URLs only; rotating refresh tokens, PKCE required, either secret method (the walk uses `client_secret_basic`), opaque tokens",
    extraParams: "",
    rotatedReuse: "refused alone",
    cells: {
      discovery: {
        status: "difference",
        note: "its metadata is at `/o/.well-known/openid-configuration/`: the slash-less URL tokendesk asks answers `301` to the slash, which tokendesk does not follow yet; the metadata names no revocation or introspection endpoint (both exist) and no PKCE methods",
        shows: ["/o/.well-known/openid-configuration from the relay: 301"],
      },
      authorize: { status: "works", note: "Django admin's login form, then DOT's consent page" },
      exchange: { status: "works" },
      refresh: {
        status: "works",
        note: "rotates: the old refresh token is refused (`invalid_grant`, no description); the new one stays valid",
      },
      identity: {
        status: "works",
        note: "userinfo says only `sub`, the user's database id",
        shows: ["This token belongs to 1."],
      },
      revoke: { status: "works", note: "answers `200` with an empty `text/html` body" },
      "revoked-refused": { status: "works" },
    },
  },
  {
    server: "lemonldap-ng",
    title: "LemonLDAP::NG 2.16.1",
    configuration:
      "Perl, Debian 12's packages, its portal under Starman; Demo authentication; offline (reusable) refresh tokens, PKCE required, either secret method (the walk uses `client_secret_basic`), opaque tokens, introspection",
    extraParams: "prompt=consent",
    cells: {
      discovery: { status: "works", note: "its issuer is the portal URL, with a trailing slash" },
      authorize: { status: "works", note: `the portal's login form; ${OFFLINE_NOTE}` },
      exchange: { status: "works", note: "answers `scope` without `offline_access`" },
      refresh: { status: "works", note: "reusable: no new refresh token, and the old one keeps working" },
      identity: { status: "works", shows: ["This token belongs to dwho@badwolf.org."] },
      revoke: { status: "not-offered", note: "2.16 has no RFC 7009 endpoint" },
      "revoked-refused": { status: "not-offered", note: "nothing can be revoked" },
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
