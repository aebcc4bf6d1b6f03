/**
 * What a server needs to keep refreshing on its own: the refresh token, where and how to refresh,
 * and when things expire. The client secret never appears: it is a placeholder the operator fills.
 */
import type { Recipe } from "../providers/types.ts";
import type { PublicClient } from "../relay/contract.ts";
import type { TokenSet } from "./token-set.ts";

/** `format` of the JSON hand-off; with `version`, how the support desk recognises an export. */
export const HANDOFF_FORMAT = "tokendesk.handoff";
export const HANDOFF_VERSION = 1;

export interface Handoff {
  readonly env: string;
  readonly json: string;
  readonly curl: string;
}

function iso(at: number | null): string {
  return at === null ? "" : new Date(at).toISOString();
}

/** Single-quotes a value for a POSIX shell. */
function sh(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** Double-quotes a value for a POSIX shell, so `$OAUTH_CLIENT_SECRET` can be spliced in after. */
function shDouble(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

const SECRET_SLOT = "__OAUTH_CLIENT_SECRET__";

/** A .env value: quoted when it holds anything a dotenv parser might read differently. */
function envValue(value: string): string {
  return /^[A-Za-z0-9_./:@+=-]*$/.test(value) ? value : JSON.stringify(value);
}

/** The hand-off in three forms: .env lines, JSON, and a curl refresh command. */
export function buildHandoff(client: PublicClient, recipe: Recipe, tokens: TokenSet): Handoff {
  const refreshToken = tokens.refreshToken ?? "";
  const fields = {
    token_endpoint: client.token_endpoint,
    client_id: client.client_id,
    client_authentication: client.token_endpoint_auth_method,
    body_encoding: client.body_encoding,
    refresh_policy: recipe.refreshPolicy,
    refresh_token: refreshToken,
    refresh_token_expires_at: iso(tokens.refreshExpiresAt),
    access_token: tokens.accessToken ?? "",
    access_token_expires_at: iso(tokens.accessExpiresAt),
    scope: tokens.scope ?? "",
  };
  const env = [
    `# ${recipe.name}: refresh with grant_type=refresh_token at the token endpoint.`,
    `# Refresh policy: ${recipe.refreshPolicy}${recipe.refreshPolicy === "reusable" ? "" : ": store the new refresh token from every answer, or lose access."}`,
    `OAUTH_TOKEN_ENDPOINT=${envValue(fields.token_endpoint)}`,
    `OAUTH_CLIENT_ID=${envValue(fields.client_id)}`,
    "OAUTH_CLIENT_SECRET=<your client secret>",
    `OAUTH_CLIENT_AUTHENTICATION=${fields.client_authentication}`,
    `OAUTH_BODY_ENCODING=${fields.body_encoding}`,
    `OAUTH_REFRESH_POLICY=${fields.refresh_policy}`,
    `OAUTH_REFRESH_TOKEN=${envValue(refreshToken)}`,
    `OAUTH_REFRESH_TOKEN_EXPIRES_AT=${fields.refresh_token_expires_at}`,
    `OAUTH_ACCESS_TOKEN=${envValue(fields.access_token)}`,
    `OAUTH_ACCESS_TOKEN_EXPIRES_AT=${fields.access_token_expires_at}`,
  ].join("\n");
  // Versioned and naming the relay client, so the support desk can read an export a customer pastes.
  const json = JSON.stringify(
    {
      format: HANDOFF_FORMAT,
      version: HANDOFF_VERSION,
      provider: recipe.id,
      relay_client: client.id,
      environment: client.environment,
      ...fields,
      received_at: iso(tokens.receivedAt),
      client_secret: "<your client secret>",
    },
    null,
    2,
  );

  const headers = Object.entries(recipe.requestHeaders ?? {}).map(([k, v]) => `  -H ${sh(`${k}: ${v}`)} \\`);
  const lines = [
    `curl -sS -X POST ${sh(client.token_endpoint)} \\`,
    "  -H 'Accept: application/json' \\",
    ...headers,
  ];
  const basic = client.token_endpoint_auth_method === "client_secret_basic";
  if (basic) lines.push(`  -u ${sh(`${client.client_id}:`)}"$OAUTH_CLIENT_SECRET" \\`);
  if (client.body_encoding === "json") {
    const body: Record<string, string> = { grant_type: "refresh_token", refresh_token: refreshToken };
    if (!basic) {
      body.client_id = client.client_id;
      body.client_secret = SECRET_SLOT;
    }
    const text = JSON.stringify(body);
    lines.push("  -H 'Content-Type: application/json' \\");
    lines.push(
      basic
        ? `  --data ${sh(text)}`
        : `  --data ${shDouble(text).replace(SECRET_SLOT, "$OAUTH_CLIENT_SECRET")}`,
    );
  } else {
    lines.push("  --data-urlencode 'grant_type=refresh_token' \\");
    if (!basic) {
      lines.push(`  --data-urlencode ${sh(`client_id=${client.client_id}`)} \\`);
      lines.push(`  --data-urlencode "client_secret=$OAUTH_CLIENT_SECRET" \\`);
    }
    lines.push(`  --data-urlencode ${sh(`refresh_token=${refreshToken}`)}`);
  }
  const curl = [
    "# Set OAUTH_CLIENT_SECRET first. Running this spends the refresh token when it rotates.",
    ...lines,
  ].join("\n");
  return { env, json, curl };
}
