/** `POST {base}/probe`: who the access token belongs to, from the client's identity endpoint only. */
import { limitedByAddress, type RelayCall, readJson } from "../call.ts";
import { REDACTED } from "../contract.ts";
import { buildProbeRequest, checkProbeRequest } from "../lookups.ts";
import { send } from "../upstream.ts";

export async function probe(call: RelayCall): Promise<Response> {
  const { settings, exchange } = call;
  const read = await readJson(call, {
    name: "a probe request",
    example: '{"client":"…","access_token":"…"}',
  });
  if (!read.ok) return read.response;
  // The same per-address limit as token requests: each probe is a request to the provider.
  const ipLimited = await limitedByAddress(call);
  if (ipLimited !== undefined) return ipLimited;
  const checked = checkProbeRequest(read.value, settings.clients);
  if (!checked.ok) {
    if (checked.client !== undefined) exchange.facts.client = checked.client;
    return exchange.fail(400, checked.error, checked.description);
  }
  const { client, accessToken } = checked;
  exchange.facts.client = client.id;
  return send(call, buildProbeRequest(client, accessToken, settings.userAgent), {
    what: `The identity endpoint ${client.identityEndpoint}`,
    redact: (text) => text.split(accessToken).join(REDACTED),
  });
}
