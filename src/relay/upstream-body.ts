/** Reading bodies within bounds, for the caller's request and the provider's answer alike. */

/** Returned instead of the bytes when a body exceeds its limit. */
export const TOO_LARGE = Symbol("too large");

/** Reads a whole body, or answers {@link TOO_LARGE} (having stopped reading) past `limit` bytes. */
export type BodyReader = (limit: number) => Promise<Uint8Array | typeof TOO_LARGE>;

/**
 * A body the runtime's fetch hands over as it already holds it, without a Web stream (node-fetch.ts:
 * Node's sockets yield chunks, and a Web stream around them costs more than the rest of the read).
 * Cancelling stops the reading and releases the connection.
 */
export interface PlainBody extends AsyncIterable<Uint8Array> {
  destroy(): void;
}

const plainBodies = new WeakMap<Response, PlainBody>();

/** Marks `body` as `response`'s body, read by {@link bodyOf}; the response itself carries none. */
export function withPlainBody(response: Response, body: PlainBody): Response {
  plainBodies.set(response, body);
  return response;
}

/**
 * Reads a request's or response's whole body within `limit` bytes: {@link TOO_LARGE} past it. A body
 * whose length is declared within the limit, and not content-coded, is read by the runtime in one go
 * (its HTTP framing holds the body to that length, and a Worker then reads it without running
 * JavaScript per chunk); any other is read chunk by chunk, stopping at the limit. A body handed over
 * plainly ({@link withPlainBody}) is read from its chunks.
 */
export async function readWithin(
  message: Request | Response,
  limit: number,
  deadline?: Promise<never>,
): Promise<Uint8Array | typeof TOO_LARGE> {
  const plain = message instanceof Response ? plainBodies.get(message) : undefined;
  if (plain !== undefined) return readBounded(plain, limit, deadline);
  if (message.body === null) return new Uint8Array(0);
  const declared = message.headers.get("content-length")?.trim();
  const coding = message.headers.get("content-encoding")?.trim().toLowerCase();
  if (
    declared !== undefined &&
    /^\d{1,15}$/.test(declared) &&
    Number(declared) <= limit &&
    (coding === undefined || coding === "" || coding === "identity")
  ) {
    const read = message.arrayBuffer();
    const buffer = await (deadline === undefined ? read : Promise.race([read, deadline]));
    const bytes = new Uint8Array(buffer);
    // A runtime that let a body outgrow its declared length is still held to the limit.
    return bytes.byteLength > limit ? TOO_LARGE : bytes;
  }
  return readBounded(message.body, limit, deadline);
}

/** A response's body as chunks: the one its fetch handed over plainly, or its Web stream. */
export function bodyOf(response: Response): ReadableStream<Uint8Array> | PlainBody | null {
  return plainBodies.get(response) ?? response.body;
}

/** Reading one body chunk by chunk, whichever form it came in. */
interface Chunks {
  read(): Promise<IteratorResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/**
 * The next chunk, or the deadline's rejection (the body then cancelled): racing each read, not only
 * the fetch, holds the deadline for any runtime's body stream.
 */
async function nextChunk(chunks: Chunks, deadline: Promise<never> | undefined) {
  if (deadline === undefined) return chunks.read();
  try {
    return await Promise.race([chunks.read(), deadline]);
  } catch (error) {
    void chunks.cancel();
    throw error;
  }
}

function chunksOf(body: ReadableStream<Uint8Array> | PlainBody): Chunks {
  if (body instanceof ReadableStream) {
    const reader = body.getReader();
    return {
      read: async () => {
        const { done, value } = await reader.read();
        return done ? { done: true, value: undefined } : { done: false, value };
      },
      cancel: () => reader.cancel().catch(() => undefined),
    };
  }
  const iterator = body[Symbol.asyncIterator]();
  return {
    read: () => iterator.next(),
    cancel: async () => body.destroy(),
  };
}

/**
 * Reads a body to its end, or stops (and cancels it) as soon as it exceeds `limit` bytes or the
 * `deadline` rejects.
 */
export async function readBounded(
  body: ReadableStream<Uint8Array> | PlainBody | null,
  limit: number,
  deadline?: Promise<never>,
): Promise<Uint8Array | typeof TOO_LARGE> {
  if (body === null) return new Uint8Array(0);
  const chunks = chunksOf(body);
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await nextChunk(chunks, deadline);
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await chunks.cancel();
      return TOO_LARGE;
    }
    parts.push(value);
  }
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/**
 * Reads a body up to `limit` bytes and keeps those, cancelling the rest: for answers shown to a person
 * (API calls), where the beginning of a large body is worth more than an error.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | PlainBody | null,
  limit: number,
  deadline?: Promise<never>,
): Promise<{ readonly bytes: Uint8Array; readonly truncated: boolean }> {
  if (body === null) return { bytes: new Uint8Array(0), truncated: false };
  const chunks = chunksOf(body);
  const bytes = new Uint8Array(limit);
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await nextChunk(chunks, deadline);
    if (done) break;
    const room = limit - size;
    bytes.set(value.subarray(0, room), size);
    size += Math.min(room, value.byteLength);
    if (value.byteLength > room) {
      truncated = true;
      await chunks.cancel();
      break;
    }
  }
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
