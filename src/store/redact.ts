/**
 * History keeps HTTP exchanges without their secrets: every code, verifier and token value is
 * replaced by a fingerprint, so a later reader sees which token was which but can use none of them.
 */
import { fingerprint } from "../oauth/fingerprint.ts";
import { secretFieldsIn } from "../oauth/secrets.ts";
import type { Envelope } from "../relay/contract.ts";

function replaceAll(text: string, replacements: ReadonlyArray<readonly [string, string]>): string {
  let out = text;
  for (const [value, marker] of replacements) {
    out = out.split(value).join(marker);
    // Form bodies carry values percent-encoded.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) out = out.split(encoded).join(marker);
  }
  return out;
}

/** The envelope with every code, verifier and token replaced by `[field fingerprint]`. */
export async function redactEnvelope(envelope: Envelope): Promise<Envelope> {
  const values = [
    ...secretFieldsIn(
      envelope.sent.body,
      envelope.sent.headers["content-type"] ?? envelope.sent.headers["Content-Type"],
    ),
    ...secretFieldsIn(envelope.upstream.body, envelope.upstream.headers["content-type"]),
  ];
  // Longest first, so a token that contains another is replaced whole.
  values.sort((a, b) => b[1].length - a[1].length);
  const replacements = await Promise.all(
    values.map(async ([field, value]) => [value, `[${field} ${await fingerprint(value)}]`] as const),
  );
  const headers = (h: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k, replaceAll(v, replacements)]));
  return {
    sent: {
      ...envelope.sent,
      url: replaceAll(envelope.sent.url, replacements),
      headers: headers(envelope.sent.headers),
      body: replaceAll(envelope.sent.body, replacements),
    },
    upstream: {
      ...envelope.upstream,
      headers: headers(envelope.upstream.headers),
      body: replaceAll(envelope.upstream.body, replacements),
    },
    ms: envelope.ms,
  };
}
