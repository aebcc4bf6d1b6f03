/**
 * The relay's upstream `fetch` on Node (`npm run relay`, the dev server): node:http and node:https
 * with keep-alive agents, answering a Web Response as `fetch` does, for the one way the relay calls
 * it (upstream.ts): a method, headers, an optional string or byte body, `redirect: "manual"` and an
 * abort signal.
 *
 * Why not Node's global fetch (undici): in Node 20 it clones the request, builds and tees web
 * streams and runs the Fetch standard's whole algorithm for each call; profiled on 3,000 token
 * refreshes through the relay on loopback it was the largest share of the relay's own CPU, and the
 * relay's added latency stood at 1.3 ms at p50 against the 1 ms budget (issue 14). Node's own client
 * does the same HTTP/1.1 exchange. Workers keep their platform's fetch (worker.ts).
 *
 * Its Response carries the body plainly, as Node's chunks (`withPlainBody`, read by `bodyOf`), not
 * as a Web stream, which cost more than the rest of reading a token answer.
 *
 * What it keeps of fetch: never follows a redirect (the relay asks for "manual" on every call and this
 * refuses anything else), decodes a gzip, deflate or br body as fetch would (it asks for none), rejects
 * a network failure with `TypeError("fetch failed", { cause })` so the reason the page reads is the
 * same, and idle connections close before a server's announced keep-alive timeout (Node's agent reads
 * the `Keep-Alive` hint) or after 4 s, as undici does, so a reused connection is rarely one the
 * server is closing.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { type PlainBody, withPlainBody } from "./upstream-body.ts";

/** Statuses whose answer has no body (Fetch standard: null body status). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const IDLE_MS = 4_000;

/** A fetch for the relay's upstream calls; one pair of connection pools per relay. */
export function createNodeFetch(): typeof fetch & { close(): void } {
  const agents = {
    "http:": new HttpAgent({ keepAlive: true, timeout: IDLE_MS, scheduling: "lifo" }),
    "https:": new HttpsAgent({ keepAlive: true, timeout: IDLE_MS, scheduling: "lifo" }),
  };
  const nodeFetch = (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) {
      return Promise.reject(new TypeError("the relay's Node fetch takes a URL, not a Request"));
    }
    const url = new URL(input);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return Promise.reject(new TypeError(`fetch failed: ${url.protocol} is not http or https`));
    }
    if (init.redirect !== "manual") {
      return Promise.reject(new TypeError('the relay follows no redirect: pass redirect: "manual"'));
    }
    const body = bodyBytes(init.body);
    const method = (init.method ?? "GET").toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    const signal = init.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const https = url.protocol === "https:";
      const send = https ? httpsRequest : httpRequest;
      const agent = https ? agents["https:"] : agents["http:"];
      const req = send(url, { method, headers, agent }, (res) => {
        signal?.removeEventListener("abort", onAbort);
        try {
          resolve(toResponse(res, method, signal));
        } catch (error) {
          res.destroy();
          reject(new TypeError("fetch failed", { cause: error }));
        }
      });
      const onAbort = () => req.destroy(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error }));
      });
      req.end(body);
    });
  };
  return Object.assign(nodeFetch as typeof fetch, {
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  });
}

function bodyBytes(body: RequestInit["body"]): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return body;
  throw new TypeError("the relay's Node fetch sends a string or bytes as the body");
}

function toResponse(res: IncomingMessage, method: string, signal: AbortSignal | undefined): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i] ?? "", res.rawHeaders[i + 1] ?? "");
  }
  const status = res.statusCode ?? 0;
  const init = { status, statusText: res.statusMessage ?? "", headers };
  if (method === "HEAD" || NULL_BODY.has(status)) {
    res.resume();
    return new Response(null, init);
  }
  const decoded = decode(res, headers.get("content-encoding"));
  // Aborting after the headers ends the body's stream with the signal's reason, as fetch does.
  const onAbort = () => decoded.destroy(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  decoded.once("close", () => signal?.removeEventListener("abort", onAbort));
  return withPlainBody(new Response(null, init), plainBody(decoded));
}

/** Most chunks held before the socket is paused until the reader catches up. */
const HIGH_WATER_CHUNKS = 16;

/**
 * A Node stream's chunks for `readBounded`/`readCapped`, taken from its `data` events: Node's own
 * async iterator over a stream costs several times more per chunk.
 */
function plainBody(stream: Readable): PlainBody {
  const queue: Uint8Array[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settle = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  stream.on("data", (chunk: Buffer) => {
    queue.push(chunk);
    if (queue.length >= HIGH_WATER_CHUNKS) stream.pause();
    settle();
  });
  stream.once("end", () => {
    ended = true;
    settle();
  });
  stream.once("error", (error) => {
    failure = error;
    settle();
  });
  stream.once("close", () => {
    if (!ended && failure === undefined) failure = new Error("the connection closed before the body's end");
    settle();
  });
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        if (queue.length < HIGH_WATER_CHUNKS / 2) stream.resume();
        return { done: false, value: chunk };
      }
      if (failure !== undefined) throw failure;
      if (ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  return {
    [Symbol.asyncIterator]: () => ({ next }),
    destroy: () => {
      stream.destroy();
    },
  };
}

/** The body as fetch hands it on: one content coding undone (RFC 9110 §8.4), anything else as sent. */
function decode(res: IncomingMessage, coding: string | null): Readable {
  const codings = (coding ?? "")
    .toLowerCase()
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  if (codings.length !== 1) return res;
  const decoder =
    codings[0] === "gzip" || codings[0] === "x-gzip"
      ? createGunzip()
      : codings[0] === "deflate"
        ? createInflate()
        : codings[0] === "br"
          ? createBrotliDecompress()
          : undefined;
  if (decoder === undefined) return res;
  res.on("error", (error) => decoder.destroy(error));
  return res.pipe(decoder);
}
