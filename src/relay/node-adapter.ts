/**
 * Node's http ↔ the Web Request/Response the relay speaks, for `npm run relay` and the dev server's
 * middleware (connect/Vite mount the relay under `/relay` and strip that prefix from `req.url`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { RelayHandler } from "./handler.ts";
import { errorResponse } from "./handler.ts";
import { FORWARDING_HEADERS, isLoopbackAddress } from "./policy.ts";
import { jsonTextOf } from "./responses.ts";
import { type BodyReader, TOO_LARGE } from "./upstream-body.ts";

/** An IncomingMessage as connect-style middleware hands it on: `originalUrl` keeps the mount prefix. */
export type NodeRequest = IncomingMessage & { originalUrl?: string };

/** A Node listener, usable by `http.createServer` and as connect/Vite middleware. */
export type NodeListener = (req: NodeRequest, res: ServerResponse) => void;

// A Host header is authority syntax only (RFC 9110 §7.2); anything else must not shape the URL.
const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Converts a Node request into a Web Request: with a streamed body (Fetch standard, `duplex: "half"`),
 * or with none when `body` is false and the body is read another way ({@link nodeBodyReader}).
 */
export function toWebRequest(req: NodeRequest, { body = true }: { readonly body?: boolean } = {}): Request {
  // HTTP/2 (the dev server over https) names the authority in a pseudo-header, not in Host.
  const authority = req.headers.host ?? req.headers[":authority"];
  const host = typeof authority === "string" && HOST_PATTERN.test(authority) ? authority : "localhost";
  // The scheme the client used, so a page served over https is recognised as the relay's own origin.
  const scheme = (req.socket as Partial<TLSSocket> | undefined)?.encrypted === true ? "https" : "http";
  const url = new URL(`${scheme}://${host}${requestPath(req.originalUrl ?? req.url ?? "/")}`);
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? "";
    const value = req.rawHeaders[i + 1] ?? "";
    if (name.startsWith(":")) continue; // HTTP/2 pseudo-headers are not fields
    try {
      headers.append(name, value);
    } catch {
      // Node's parser already refuses most invalid fields; skip any the Fetch standard also refuses.
    }
  }
  const method = req.method ?? "GET";
  const hasBody = body && method !== "GET" && method !== "HEAD";
  // `duplex` is required by Node's fetch for streamed bodies but missing from the DOM typings.
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (hasBody) {
    init.body = nodeBodyStream(req);
    init.duplex = "half";
  }
  return new Request(url, init);
}

/** Writes a Web Response to a Node response, streaming its body. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  // The relay may answer (a 413) before reading the whole body: that connection cannot be reused.
  // HTTP/2 (the dev server in https mode) has no such header and ends just the stream by itself.
  const http1 = res.req !== undefined && res.req.httpVersionMajor < 2;
  if (http1 && !res.req.complete) res.setHeader("connection", "close");
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  const text = jsonTextOf(response);
  if (text !== undefined) {
    res.setHeader("content-length", Buffer.byteLength(text));
    res.end(text);
    return;
  }
  // The relay's answers are JSON it built in memory, bounded by its own limits: sent whole with its
  // length, in one write, rather than as a chunked stream whose terminator costs a write of its own.
  if (response.headers.get("content-type")?.startsWith("application/json") === true) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch {
      res.destroy();
      return;
    }
    res.setHeader("content-length", bytes.byteLength);
    res.end(bytes);
    return;
  }
  const reader = response.body.getReader();
  res.on("close", () => {
    void reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve));
    }
    res.end();
  } catch {
    res.destroy();
  }
}

/** Wraps a relay handler as a Node listener; answers a JSON 500 if anything fails before the answer starts. */
export function createNodeListener(handler: RelayHandler): NodeListener {
  return (req, res) => {
    const respond = async () => {
      let response: Response;
      try {
        // The socket's peer, never X-Forwarded-For: a header is the caller's to choose.
        // The body is read straight from the socket's chunks (nodeBodyReader), not through a Web stream.
        response = await handler(toWebRequest(req, { body: false }), {
          clientIp: req.socket.remoteAddress,
          loopback: reachedOnLoopback(req),
          readBody: nodeBodyReader(req),
        });
      } catch {
        response = errorResponse(500, "internal_error", "The relay failed to read the request; try again.");
      }
      await sendWebResponse(res, response);
    };
    respond().catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  };
}

/**
 * Whether a caller on this machine reached the relay on a loopback address: the connection's local
 * address (where it arrived, which the kernel sets) is loopback, and no reverse proxy forwarded it. Not
 * the Host header, which the URL is built from: a caller writes it, and `Host: 127.0.0.1` sent to a
 * relay listening on a public address must not make it fetch from its own machine.
 */
export function reachedOnLoopback(req: Pick<IncomingMessage, "socket" | "headers">): boolean {
  if (!isLoopbackAddress(req.socket.localAddress)) return false;
  return FORWARDING_HEADERS.every((name) => req.headers[name] === undefined);
}

/** The path and query of a request-target; an absolute-form target keeps only its path, never its host. */
function requestPath(target: string): string {
  if (target.startsWith("/")) return target;
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return "/";
  }
}

/**
 * Reads the request body from Node's chunks within a limit. Past the limit it stops and pauses the
 * request, keeping the socket for the relay's 413 (sent with `connection: close`).
 */
export function nodeBodyReader(req: IncomingMessage): BodyReader {
  return (limit) =>
    new Promise((resolve, reject) => {
      if (req.readableEnded) {
        resolve(new Uint8Array(0));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const stop = () => {
        req.off("data", onData);
        req.off("end", onEnd);
        req.off("error", onError);
        req.off("close", onClose);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limit) {
          stop();
          req.pause();
          resolve(TOO_LARGE);
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        stop();
        resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size));
      };
      const onError = (error: Error) => {
        stop();
        reject(error);
      };
      // A connection that closes before the body's end: the body cannot be read.
      const onClose = () => {
        stop();
        reject(new Error("the connection closed before the body's end"));
      };
      req.on("data", onData);
      req.on("end", onEnd);
      req.on("error", onError);
      req.on("close", onClose);
    });
}

/** The request body as a Web stream, pulling from Node with backpressure. */
function nodeBodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      req.on("error", (error) => {
        if (finished) return;
        finished = true;
        controller.error(error);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      // Stop reading but keep the socket: the relay still has to send its 413.
      finished = true;
      req.pause();
    },
  });
}
