/**
 * `POST {base}/jwks`: the client's JSON Web Key Set, from its configured `jwks_uri` or the one its
 * issuer's OpenID Connect metadata names, and from nowhere else (see ../jwks.ts for the rules).
 */
import { limitedByAddress, type RelayCall, readJson } from "../call.ts";
import type { Envelope } from "../contract.ts";
import {
  buildJwksLookup,
  buildMetadataLookup,
  checkJwksRequest,
  JWKS_MAX_BYTES,
  jwksUriFromMetadata,
} from "../jwks.ts";
import { sendOnce } from "../upstream.ts";

export async function jwks(call: RelayCall): Promise<Response> {
  const { settings, exchange } = call;
  const read = await readJson(call, { name: "a JWKS request", example: '{"client":"…"}' });
  if (!read.ok) return read.response;
  // The same per-address limit as every route that reaches a provider.
  const ipLimited = await limitedByAddress(call);
  if (ipLimited !== undefined) return ipLimited;
  const checked = checkJwksRequest(read.value, settings.clients);
  if (!checked.ok) {
    if (checked.client !== undefined) exchange.facts.client = checked.client;
    return exchange.fail(400, checked.error, checked.description);
  }
  const { client, source } = checked;
  exchange.facts.client = client.id;
  // Public documents: nothing secret can be in them, so nothing is redacted.
  const asIs = (text: string) => text;

  let url: string;
  let metadata: Envelope | undefined;
  if (source.kind === "discover") {
    const lookup = buildMetadataLookup(source.metadataUrl, settings.userAgent);
    const got = await sendOnce(call, lookup, { what: `The issuer's metadata ${lookup.url}`, redact: asIs });
    if (!got.ok) return got.response;
    metadata = got.envelope;
    const found = jwksUriFromMetadata(
      got.envelope.upstream.status,
      got.envelope.upstream.body,
      source.issuer,
      lookup.url,
    );
    if (!found.ok) return exchange.fail(502, "jwks_discovery_failed", found.problem, { sent: lookup.sent });
    url = found.url;
  } else {
    url = source.url;
  }
  const outbound = buildJwksLookup(url, settings.userAgent);
  const got = await sendOnce(
    call,
    outbound,
    { what: `The JWKS ${url}`, redact: asIs },
    { maxBytes: JWKS_MAX_BYTES },
  );
  if (!got.ok) return got.response;
  return exchange.json(200, metadata === undefined ? got.envelope : { ...got.envelope, metadata });
}
