/** `POST {base}/token`: a code exchange or a refresh, sent to the client's token endpoint with its secret. */
import { limitedByAddress, limitedByClient, type RelayCall, readJson } from "../call.ts";
import type { ResolvedClient } from "../config.ts";
import { checkTokenRequest, LOGGABLE_GRANT_TYPES, type TokenGrant } from "../policy.ts";
import { buildClientPost, redactClientSecret, send, type UpstreamRequest } from "../upstream.ts";

/** What a failed token request leaves unknown, said on every `upstream_*` answer of `POST {base}/token`. */
const TOKEN_OUTCOME_UNKNOWN =
  " The provider may or may not have processed the request: do not send the same code again, and with rotating refresh tokens check the connection before refreshing again.";

export async function token(call: RelayCall): Promise<Response> {
  const { settings, exchange } = call;
  // Before reading anything: a caller over its limit costs no parsing and never reaches upstream.
  const ipLimited = await limitedByAddress(call);
  if (ipLimited !== undefined) return ipLimited;
  const read = await readJson(call, {
    name: "a token request",
    example: '{"client":"…","grant_type":"refresh_token","refresh_token":"…"}',
  });
  if (!read.ok) return read.response;
  const checked = checkTokenRequest(read.value, settings.clients);
  const client = checked.client;
  if (client !== undefined) exchange.facts.client = client.id;
  const grantType = checked.ok ? checked.grant.grant_type : checked.grantType;
  if (grantType !== undefined) {
    exchange.facts.grant = LOGGABLE_GRANT_TYPES.includes(grantType) ? grantType : "other";
  }
  if (!checked.ok) return exchange.fail(400, checked.error, checked.description);
  const clientLimited = await limitedByClient(call, checked.client.id);
  if (clientLimited !== undefined) return clientLimited;
  return send(call, buildTokenRequest(checked.client, checked.grant, settings.userAgent), {
    what: `The token endpoint ${checked.client.tokenEndpoint}`,
    unknown: TOKEN_OUTCOME_UNKNOWN,
    tooLarge: " The provider may have issued tokens that are now lost: check the connection before retrying.",
    redact: (text) => redactClientSecret(text, checked.client),
  });
}

/**
 * Builds the token request from scratch (RFC 6749 §4.1.3, §6): the recipe's client authentication
 * and body encoding, the configured endpoint, nothing taken from the caller but the grant's fields.
 */
function buildTokenRequest(client: ResolvedClient, grant: TokenGrant, userAgent: string): UpstreamRequest {
  const fields: [string, string][] = [["grant_type", grant.grant_type]];
  if (grant.grant_type === "authorization_code") {
    fields.push(["code", grant.code], ["redirect_uri", grant.redirect_uri]);
    if (grant.code_verifier !== undefined) fields.push(["code_verifier", grant.code_verifier]);
  } else {
    fields.push(["refresh_token", grant.refresh_token]);
    if (grant.scope !== undefined) fields.push(["scope", grant.scope]);
  }
  return buildClientPost(client, client.tokenEndpoint, fields, userAgent);
}
