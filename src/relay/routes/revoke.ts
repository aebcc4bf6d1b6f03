/**
 * `POST {base}/revoke`: the token to the client's revocation endpoint and nowhere else (RFC 7009
 * §2.1), authenticated as the token endpoint is, under the same rate limits as token requests.
 */
import { limitedByAddress, limitedByClient, type RelayCall, readJson } from "../call.ts";
import { checkRevocationRequest } from "../presented-token.ts";
import { buildClientPost, redactClientSecret, send } from "../upstream.ts";

export async function revoke(call: RelayCall): Promise<Response> {
  const { settings, exchange } = call;
  const ipLimited = await limitedByAddress(call);
  if (ipLimited !== undefined) return ipLimited;
  const read = await readJson(call, {
    name: "a revocation request",
    example: '{"client":"…","token":"…","token_type_hint":"refresh_token"}',
  });
  if (!read.ok) return read.response;
  const checked = checkRevocationRequest(read.value, settings.clients);
  if (checked.client !== undefined) exchange.facts.client = checked.client.id;
  if (!checked.ok) return exchange.fail(400, checked.error, checked.description);
  const { client, endpoint, presented: revocation } = checked;
  exchange.facts.hint = revocation.token_type_hint ?? "none";
  const clientLimited = await limitedByClient(call, client.id);
  if (clientLimited !== undefined) return clientLimited;
  const fields: [string, string][] = [["token", revocation.token]];
  if (revocation.token_type_hint !== undefined) fields.push(["token_type_hint", revocation.token_type_hint]);
  const outbound = buildClientPost(client, endpoint, fields, settings.userAgent);
  return send(call, outbound, {
    what: `The revocation endpoint ${outbound.url}`,
    unknown:
      " The provider may or may not have revoked the token: revoke it again, which is safe, because a provider answers 200 for a token already revoked (RFC 7009 §2.2).",
    redact: (text) => redactClientSecret(text, client),
  });
}
