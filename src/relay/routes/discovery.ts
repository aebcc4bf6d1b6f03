/**
 * `POST {base}/discovery`: one well-known metadata document of an allowed issuer. At most two upstream
 * requests: the document, and the target of one redirect that `acceptableWellKnownRedirect` allows
 * (a trailing slash added or removed, on the same origin). Any other redirect is reported, its target
 * never called, and the envelope says why in `redirect_refused`.
 */
import { acceptableWellKnownRedirect, isRedirectStatus } from "../../providers/well-known-redirect.ts";
import { limitedByAddress, type RelayCall, readJson } from "../call.ts";
import type { Envelope } from "../contract.ts";
import { buildDiscoveryFollowUp, buildDiscoveryRequest, checkDiscoveryRequest } from "../lookups.ts";
import { sendOnce } from "../upstream.ts";

// Metadata is public: nothing in these requests or answers needs redacting.
const PUBLIC = (text: string) => text;

export async function discovery(call: RelayCall): Promise<Response> {
  const { settings, exchange } = call;
  const read = await readJson(call, {
    name: "a discovery request",
    example: '{"issuer":"https://…","well_known":"openid-configuration"}',
  });
  if (!read.ok) return read.response;
  // Limited like token requests, so the relay cannot be used to hammer some issuer.
  const ipLimited = await limitedByAddress(call);
  if (ipLimited !== undefined) return ipLimited;
  const checked = checkDiscoveryRequest(read.value, call.loopback);
  if (!checked.ok) return exchange.fail(400, checked.error, checked.description);
  let outbound = buildDiscoveryRequest(checked.issuer, checked.wellKnown, settings.userAgent);
  let previous: Envelope | undefined;
  // Ends because the rule refuses any redirect once MAX_WELL_KNOWN_REDIRECTS (one) was followed.
  for (let followed = 0; ; followed += 1) {
    const what =
      previous === undefined
        ? `The metadata URL ${outbound.url}`
        : `The metadata URL ${outbound.url} (where ${previous.sent.url} redirected)`;
    const outcome = await sendOnce(call, outbound, { what, redact: PUBLIC });
    if (!outcome.ok) return outcome.response;
    const envelope: Envelope =
      previous === undefined ? outcome.envelope : { ...outcome.envelope, redirected_from: previous };
    if (!isRedirectStatus(envelope.upstream.status)) return exchange.json(200, envelope);
    const verdict = acceptableWellKnownRedirect(new URL(outbound.url), outcome.location, followed);
    if (!verdict.ok) {
      exchange.facts.redirect = followed === 0 ? "refused" : "followed,refused";
      return exchange.json(200, { ...envelope, redirect_refused: verdict.why });
    }
    exchange.facts.redirect = "followed";
    previous = outcome.envelope;
    outbound = buildDiscoveryFollowUp(verdict.url, settings.userAgent);
  }
}
