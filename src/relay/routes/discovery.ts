/** `POST {base}/discovery`: one well-known metadata document of an allowed issuer. */
import { limitedByAddress, type RelayCall, readJson } from "../call.ts";
import { buildDiscoveryRequest, checkDiscoveryRequest } from "../lookups.ts";
import { send } from "../upstream.ts";

export async function discovery(call: RelayCall): Promise<Response> {
  const { request, settings, exchange } = call;
  const read = await readJson(call, {
    name: "a discovery request",
    example: '{"issuer":"https://…","well_known":"openid-configuration"}',
  });
  if (!read.ok) return read.response;
  // Limited like token requests, so the relay cannot be used to hammer some issuer.
  const ipLimited = await limitedByAddress(call);
  if (ipLimited !== undefined) return ipLimited;
  const checked = checkDiscoveryRequest(read.value, request.url);
  if (!checked.ok) return exchange.fail(400, checked.error, checked.description);
  const outbound = buildDiscoveryRequest(checked.issuer, checked.wellKnown, settings.userAgent);
  return send(call, outbound, {
    what: `The metadata URL ${outbound.url}`,
    redact: (t) => t,
  });
}
