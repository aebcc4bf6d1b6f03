/**
 * The Node adapter keeps the scheme and authority the caller used, so a page served over https (the
 * dev server's `--mode https`, which speaks HTTP/2) is the relay's own origin and needs no CORS.
 */
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { type NodeRequest, toWebRequest } from "../../src/relay/node-adapter.ts";

function _request(fields: { headers: Record<string, string>; encrypted: boolean }): NodeRequest {
  const rawHeaders = Object.entries(fields.headers).flat();
  // Only the fields toWebRequest reads; a real IncomingMessage is a socket-bound stream.
  return {
    method: "GET",
    url: "/relay/clients",
    headers: fields.headers,
    rawHeaders,
    socket: { encrypted: fields.encrypted },
  } as unknown as IncomingMessage;
}

describe("toWebRequest", () => {
  it("builds an https URL for a request that came over TLS", () => {
    const request = toWebRequest(_request({ headers: { host: "127.0.0.1:5173" }, encrypted: true }));
    expect(request.url).toBe("https://127.0.0.1:5173/relay/clients");
  });

  it("reads the HTTP/2 :authority when there is no Host header, skipping pseudo-headers", () => {
    const request = toWebRequest(
      _request({
        headers: { ":authority": "127.0.0.1:5174", origin: "https://127.0.0.1:5174" },
        encrypted: true,
      }),
    );
    expect(request.url).toBe("https://127.0.0.1:5174/relay/clients");
    expect(request.headers.get("origin")).toBe("https://127.0.0.1:5174");
  });

  it("keeps http for a plain socket, and refuses an authority that is not one", () => {
    expect(toWebRequest(_request({ headers: { host: "127.0.0.1:8787" }, encrypted: false })).url).toBe(
      "http://127.0.0.1:8787/relay/clients",
    );
    expect(toWebRequest(_request({ headers: { host: "evil.test/x?" }, encrypted: false })).url).toBe(
      "http://localhost/relay/clients",
    );
  });
});
