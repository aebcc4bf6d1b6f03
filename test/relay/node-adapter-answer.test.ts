/**
 * How the Node adapter writes an answer: the relay's JSON whole, with its length (one write, no
 * chunked terminator of its own); any other body still streamed.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeListener } from "../../src/relay/node-adapter.ts";

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function _answer(response: () => Response) {
  server = createServer(createNodeListener(async () => response()));
  await new Promise<void>((done) => server?.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path: "/relay/clients", agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on("error", fail);
    req.end();
  });
}

describe("createNodeListener's answers", () => {
  it("sends a JSON answer whole, with its length", async () => {
    const body = JSON.stringify({ clients: [{ id: "é-demo" }] });
    const got = await _answer(() =>
      Response.json(JSON.parse(body), { status: 201, headers: { "x-probe": "1" } }),
    );
    expect(got.status).toBe(201);
    expect(got.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(got.headers["transfer-encoding"]).toBeUndefined();
    expect(got.headers["x-probe"]).toBe("1");
    expect(got.body).toBe(body);
  });

  it("streams any other body as it comes", async () => {
    const got = await _answer(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("one,"));
              controller.enqueue(new TextEncoder().encode("two"));
              controller.close();
            },
          }),
          { headers: { "content-type": "text/plain" } },
        ),
    );
    expect(got.headers["transfer-encoding"]).toBe("chunked");
    expect(got.body).toBe("one,two");
  });
});
