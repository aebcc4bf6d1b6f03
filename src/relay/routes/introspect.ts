/**
 * `POST {base}/introspect`: the token to the client's introspection endpoint and nowhere else (RFC 7662
 * §2.1), authenticated as the token endpoint is, under the same rate limits as token requests. A read:
 * a failure spends nothing, so it carries no unknown outcome.
 */
import { limitedByAddress, limitedByClient, type RelayCall, readJson } from "../call.ts";
import { checkIntrospectionRequest } from "../presented-token.ts";
import { buildClientPost, redactClientSecret, send } from "../upstream.ts";

export async function introspect(call: RelayCall): Promise<Response> {
  const { settings, exchange } = call;
  const ipLimited = await limitedByAddress(call);
  if (ipLimited !== undefined) return ipLimited;
  const read = await readJson(call, {
    name: "an introspection request",
    example: '{"client":"…","token":"…","token_type_hint":"access_token"}',
  });
  if (!read.ok) return read.response;
  const checked = checkIntrospectionRequest(read.value, settings.clients);
  if (checked.client !== undefined) exchange.facts.client = checked.client.id;
  if (!checked.ok) return exchange.fail(400, checked.error, checked.description);
  const { client, endpoint, presented } = checked;
  exchange.facts.hint = presented.token_type_hint ?? "none";
  const clientLimited = await limitedByClient(call, client.id);
  if (clientLimited !== undefined) return clientLimited;
  const fields: [string, string][] = [["token", presented.token]];
  if (presented.token_type_hint !== undefined) fields.push(["token_type_hint", presented.token_type_hint]);
  const outbound = buildClientPost(client, endpoint, fields, settings.userAgent);
  return send(call, outbound, {
    what: `The introspection endpoint ${outbound.url}`,
    nothingSpent:
      " Introspection only reads: nothing was spent and the token is as it was. Introspect again when the endpoint answers.",
    redact: (text) => redactClientSecret(text, client),
  });
}
