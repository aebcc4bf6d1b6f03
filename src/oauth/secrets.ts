/**
 * Which values in an HTTP exchange are credentials: codes, PKCE verifiers, tokens and client
 * secrets, found by the fields that carry them (RFC 6749 §4.1.3, §5.1, §6; RFC 7636 §4.5; RFC 7009
 * §2.1; OpenID Connect Core §3.1.3.3) and by the `Authorization` header (RFC 6750 §2.1, RFC 7617).
 * History redacts them for good (store/redact.ts); the page masks them until a person asks to see.
 */
import { parseBody } from "./token-set.ts";

/** Body fields whose value is a credential. `token` is what a revocation sends, whichever kind. */
export const SECRET_FIELDS = [
  "code",
  "code_verifier",
  "refresh_token",
  "access_token",
  "id_token",
  "token",
  "client_secret",
  "client_assertion",
] as const;

/** Shorter values are not worth hiding and would match too much ordinary text. */
const MIN_SECRET_LENGTH = 4;

/** What stands where a value was already removed: the relay's `[redacted]`, history's `[field fingerprint]`. */
const PLACEHOLDER = /^\[(redacted|[a-z_]+ [0-9a-f]{8})\]$/;

function isSecretValue(value: unknown): value is string {
  return typeof value === "string" && value.length >= MIN_SECRET_LENGTH && !PLACEHOLDER.test(value);
}

/** `[field, value]` for every credential field of a JSON or form body; none when it is neither. */
export function secretFieldsIn(body: string, contentType: string | undefined): Array<[string, string]> {
  const parsed =
    parseBody(body, contentType) ??
    (body.includes("=") ? Object.fromEntries(new URLSearchParams(body)) : null);
  if (parsed === null) return [];
  const found: Array<[string, string]> = [];
  for (const field of SECRET_FIELDS) {
    const value = parsed[field];
    if (isSecretValue(value)) found.push([field, value]);
  }
  return found;
}

/** The credential in an `Authorization` header value (`Bearer x`, `Basic x`, `DPoP x`), if any. */
export function credentialInAuthorization(value: string): string | null {
  const credential = /^\s*[A-Za-z][A-Za-z0-9_-]*\s+(\S+)\s*$/.exec(value)?.[1];
  return isSecretValue(credential) ? credential : null;
}

/** A message as shown: headers and a body, for finding the credentials in it. */
export interface ShownMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function contentTypeOf(headers: Readonly<Record<string, string>>): string | undefined {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === "content-type");
  return name === undefined ? undefined : headers[name];
}

/** Every credential value in these messages: credential fields of their bodies and `Authorization` headers. */
export function secretValuesIn(messages: ReadonlyArray<ShownMessage | null | undefined>): string[] {
  const values = new Set<string>();
  for (const message of messages) {
    if (message == null) continue;
    for (const [, value] of secretFieldsIn(message.body, contentTypeOf(message.headers))) values.add(value);
    for (const [name, value] of Object.entries(message.headers)) {
      if (name.toLowerCase() !== "authorization") continue;
      const credential = credentialInAuthorization(value);
      if (credential !== null) values.add(credential);
    }
  }
  return [...values];
}

/** A run of text: plain, or a credential as it appears (`shown`, maybe percent-encoded) with its value. */
export type TextPart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "secret"; readonly shown: string; readonly value: string };

/**
 * Cuts `text` into plain runs and occurrences of any of `values`, as written or percent-encoded (form
 * bodies carry them so). Longer values win where two overlap, so a token holding another stays whole.
 */
export function splitSecrets(text: string, values: readonly string[]): TextPart[] {
  const needles: Array<{ shown: string; value: string }> = [];
  for (const value of new Set(values)) {
    if (!isSecretValue(value)) continue;
    needles.push({ shown: value, value });
    const encoded = encodeURIComponent(value);
    if (encoded !== value) needles.push({ shown: encoded, value });
  }
  needles.sort((a, b) => b.shown.length - a.shown.length);
  const parts: TextPart[] = [];
  let from = 0;
  let plainFrom = 0;
  while (from < text.length && needles.length > 0) {
    let best: { at: number; shown: string; value: string } | null = null;
    for (const needle of needles) {
      const at = text.indexOf(needle.shown, from);
      if (at >= 0 && (best === null || at < best.at)) best = { at, ...needle };
    }
    if (best === null) break;
    if (best.at > plainFrom) parts.push({ kind: "text", text: text.slice(plainFrom, best.at) });
    parts.push({ kind: "secret", shown: best.shown, value: best.value });
    from = best.at + best.shown.length;
    plainFrom = from;
  }
  if (plainFrom < text.length) parts.push({ kind: "text", text: text.slice(plainFrom) });
  return parts;
}
