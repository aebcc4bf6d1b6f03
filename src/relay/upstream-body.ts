/** Reading bodies within bounds, for the caller's request and the provider's answer alike. */

/** Returned instead of the bytes when a body exceeds its limit. */
export const TOO_LARGE = Symbol("too large");

/**
 * Reads a body to its end, or stops (and cancels it) as soon as it exceeds `limit` bytes or `signal`
 * aborts; cancelling here, not only in fetch, holds the deadline for any runtime's body stream.
 */
export async function readBounded(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  signal?: AbortSignal,
): Promise<Uint8Array | typeof TOO_LARGE> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const onAbort = () => {
    void reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (signal?.aborted) throw new Error("aborted while reading the body");
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  signal?.removeEventListener("abort", onAbort);
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads a body up to `limit` bytes and keeps those, cancelling the rest: for answers shown to a person
 * (API calls), where the beginning of a large body is worth more than an error.
 */
export async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  signal?: AbortSignal,
): Promise<{ readonly bytes: Uint8Array; readonly truncated: boolean }> {
  if (stream === null) return { bytes: new Uint8Array(0), truncated: false };
  const reader = stream.getReader();
  const onAbort = () => {
    void reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const bytes = new Uint8Array(limit);
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (signal?.aborted) throw new Error("aborted while reading the body");
    if (done) break;
    const room = limit - size;
    bytes.set(value.subarray(0, room), size);
    size += Math.min(room, value.byteLength);
    if (value.byteLength > room) {
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  signal?.removeEventListener("abort", onAbort);
  return { bytes: bytes.subarray(0, size), truncated };
}

/** Decodes the provider's body as text, honouring a `charset` it names (RFC 9110 §8.3.2), else UTF-8. */
export function decodeText(bytes: Uint8Array, contentType: string | null): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "")?.[1];
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // An unknown label: fall through to UTF-8 with replacement characters.
    }
  }
  return new TextDecoder().decode(bytes);
}
