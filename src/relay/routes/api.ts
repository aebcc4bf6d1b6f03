/**
 * `POST {base}/api` (v1.5): one request to the provider's API with the caller's access token, and
 * only under the client's API base URLs (api-policy.ts says exactly which URLs, methods and headers),
 * under the same rate limits as every route that reaches a provider. No redirect is followed; the
 * answer's body is cut at 1 MiB and the envelope says so; the token appears in no answer but as
 * `[redacted]`, and in no log line.
 */
import { API_REQUEST_MAX_BYTES, API_RESPONSE_MAX_BYTES, READ_ONLY_METHODS } from "../api-policy.ts";
import { buildApiRequest, checkApiCall, scrubEnvelope, scrubToken } from "../api-request.ts";
import { limitedByAddress, limitedByClient, type RelayCall, readJson } from "../call.ts";
import { send } from "../upstream.ts";

export async function api(call: RelayCall): Promise<Response> {
  const { settings, exchange } = call;
  const ipLimited = await limitedByAddress(call);
  if (ipLimited !== undefined) return ipLimited;
  const read = await readJson(call, {
    name: "an API call",
    example: '{"client":"…","access_token":"…","method":"GET","url":"…"}',
    maxBytes: API_REQUEST_MAX_BYTES,
  });
  if (!read.ok) return read.response;
  const checked = checkApiCall(read.value, settings.clients);
  if (checked.client !== undefined) exchange.facts.client = checked.client.id;
  if (!checked.ok) {
    if (checked.method !== undefined) exchange.facts.api = checked.method;
    return exchange.fail(checked.status, checked.error, checked.description);
  }
  exchange.facts.api = checked.method;
  const clientLimited = await limitedByClient(call, checked.client.id);
  if (clientLimited !== undefined) return clientLimited;
  const outbound = buildApiRequest(checked, settings.userAgent);
  const readOnly = READ_ONLY_METHODS.includes(checked.method);
  return send(
    call,
    outbound,
    {
      what: `The API at ${new URL(checked.url).host}`,
      ...(readOnly
        ? { nothingSpent: ` A ${checked.method} changes nothing: send it again when the API answers.` }
        : {
            unknown: ` The API may or may not have carried out the ${checked.method}: check before sending it again.`,
          }),
      redact: (text) => scrubToken(text, checked.accessToken),
    },
    {
      truncateAt: API_RESPONSE_MAX_BYTES,
      scrub: (envelope) => scrubEnvelope(envelope, checked.accessToken),
    },
  );
}
