/**
 * The relay's case table (_cases.ts) in workerd: src/relay/worker.ts bundled alone and run by
 * Miniflare with wrangler.jsonc's compatibility date, its configuration in Worker bindings, its
 * upstream requests going out through workerd's own network stack. A caller's address is
 * `CF-Connecting-IP`, as Cloudflare's edge sets it. One workerd process serves every Worker here.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRelayOptions } from "../../src/relay/config.ts";
import { SECURITY_HEADERS } from "../../src/relay/headers.ts";
import { bundleWorker, type RunningWorkerd, startWorkerd, type WorkerBundle } from "../support/workerd.ts";
import {
  _answerOf,
  _chunks,
  _defineRelayCases,
  _encodeRequest,
  type _RelayName,
  type _RelayRuntime,
} from "./_cases.ts";
import { _codeBody, _DEMO, _expectBaseHeaders, _observe } from "./_helpers.ts";

/** The loopback host the main relay also answers on; never Miniflare's own 127.0.0.1 entry. */
const LOOPBACK_HOST = "127.0.0.2";

/** A configuration Cloudflare would run but the relay must refuse: an http upstream on the internet. */
const MISCONFIGURED = JSON.stringify([{ ..._DEMO, token_endpoint: "http://auth.example.test/token" }]);

let bundle: WorkerBundle;
let workerd: RunningWorkerd;
let assets: string;

beforeAll(async () => {
  assets = await mkdtemp(join(tmpdir(), "tokendesk-assets-"));
  await mkdir(join(assets, "callback"));
  await mkdir(join(assets, "relay"));
  await writeFile(join(assets, "index.html"), "<!doctype html><title>tokendesk</title>");
  await writeFile(join(assets, "callback/index.html"), "<!doctype html><title>tokendesk · callback</title>");
  await writeFile(join(assets, "config.json"), '{"relay":"/relay"}');
  await writeFile(
    join(assets, "styled.html"),
    "<!doctype html><title>styled</title><style>body{color:#123}</style><p>styled</p>",
  );
  await writeFile(join(assets, "relay/clients"), "a file where the relay answers");
  await writeFile(join(assets, "_headers"), "/*\n  X-From-Headers-File: yes\n");
});

afterAll(async () => {
  await bundle?.remove();
  await rm(assets, { recursive: true, force: true });
});

async function _startWorkerd(
  envs: Readonly<Record<_RelayName, Record<string, string>>>,
): Promise<_RelayRuntime> {
  bundle = await bundleWorker();
  const relayClients = envs.main.TOKENDESK_CLIENTS ?? "[]";
  workerd = await startWorkerd(bundle, [
    ...(Object.entries(envs) as [_RelayName, Record<string, string>][]).map(([name, bindings]) => ({
      name,
      bindings,
      // The main relay is also reachable on loopback, as `wrangler dev` serves it, for discovery cases.
      ...(name === "main" ? { hosts: [LOOPBACK_HOST] } : {}),
    })),
    { name: "app", bindings: { TOKENDESK_CLIENTS: relayClients }, assetsDirectory: assets },
    { name: "misconfigured", bindings: { TOKENDESK_CLIENTS: MISCONFIGURED } },
    { name: "unconfigured", bindings: {} },
    {
      name: "bound-limits",
      bindings: { TOKENDESK_CLIENTS: relayClients },
      ratelimits: { TOKENDESK_IP_LIMITER: { limit: 2, period: 60 } },
    },
  ]);
  return {
    logLines: workerd.stdout,
    otherOutput: workerd.stderr,
    selfOrigin: (name) => workerd.origin(name),
    send: async (name, request) => {
      const { method, headers, body } = _encodeRequest(request, workerd.origin(name));
      headers["cf-connecting-ip"] = request.ip ?? "127.0.0.1";
      const init: RequestInit & { duplex?: "half" } = { method, headers };
      if (body !== undefined) {
        init.body = request.chunked === true ? _chunks(body) : (body as Uint8Array<ArrayBuffer>);
        if (request.chunked === true) init.duplex = "half";
      }
      if (request.at === "loopback") {
        if (name !== "main") throw new Error(`relay ${name} is not reachable on loopback`);
        return _answerOf(await workerd.fetchUrl(`http://${LOOPBACK_HOST}${request.path}`, init));
      }
      return _answerOf(await workerd.fetch(name, request.path, init));
    },
    close: () => workerd.close(),
  };
}

_defineRelayCases("workerd (the Cloudflare Worker)", _startWorkerd);

describe("the Worker beyond the relay's contract", () => {
  async function _get(worker: string, path: string, init: RequestInit = {}) {
    const answer = await _answerOf(await workerd.fetch(worker, path, { redirect: "manual", ...init }));
    _observe(`${JSON.stringify(answer.headers)}\n${answer.text}`);
    return answer;
  }

  it("serves the app's files on the same origin with the page's security headers", async () => {
    for (const [path, title] of [
      ["/", "tokendesk"],
      ["/callback/", "tokendesk · callback"],
      ["/callback/?code=c&state=s&iss=https%3A%2F%2Fas.example", "tokendesk · callback"],
    ] as const) {
      const answer = await _get("app", path);
      expect(answer.status, path).toBe(200);
      expect(answer.text).toContain(`<title>${title}</title>`);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(answer.headers[name.toLowerCase()], `${path} ${name}`).toBe(value);
      }
      expect(answer.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(answer.headers["content-security-policy"]).not.toMatch(/unsafe-inline|unsafe-eval/);
    }
    const config = await _get("app", "/config.json");
    expect(config.body).toEqual({ relay: "/relay" });
    expect(config.headers["referrer-policy"]).toBe("no-referrer");
  });

  it("allows a page's inline stylesheet by the hash of its exact text, and no other inline style", async () => {
    const answer = await _get("app", "/styled");
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("<style>body{color:#123}</style>");
    const hash = createHash("sha256").update("body{color:#123}").digest("base64");
    expect(answer.headers["content-security-policy"]).toContain(`style-src 'self' 'sha256-${hash}';`);
    expect(answer.headers["content-security-policy"]).not.toMatch(/unsafe-inline|unsafe-hashes/);
    const plain = await _get("app", "/config.json");
    expect(plain.headers["content-security-policy"]).toContain("style-src 'self';");
  });

  it("redirects /callback to /callback/ without a rewrite rule, and answers 404 for what is not there", async () => {
    const callback = await _get("app", "/callback");
    expect(callback.status).toBe(307);
    expect(callback.headers.location).toBe("/callback/");
    expect((await _get("app", "/nope.html")).status).toBe(404);
    // The hosts' metadata files configure the host; they are not served as files.
    expect((await _get("app", "/_headers")).status).toBe(404);
  });

  it("answers /relay/ with the relay, never with a file of the same name", async () => {
    const answer = await _get("app", "/relay/clients");
    expect(answer.status).toBe(200);
    _expectBaseHeaders({ ...answer.headers });
    expect(answer.body).toMatchObject({ clients: expect.any(Array) });
  });

  it("answers 503 relay_misconfigured, naming the field, when an upstream is http outside loopback", async () => {
    let expected = "";
    try {
      loadRelayOptions({ TOKENDESK_CLIENTS: MISCONFIGURED });
    } catch (error) {
      expected = error instanceof Error ? error.message : "";
    }
    expect(expected).toContain("token_endpoint must use https");
    for (const path of ["/relay/health", "/relay/token"]) {
      const answer = await _get("misconfigured", path, path.endsWith("token") ? { method: "POST" } : {});
      expect(answer.status).toBe(503);
      _expectBaseHeaders({ ...answer.headers });
      expect(answer.body).toEqual({
        error: "relay_misconfigured",
        error_description: `The relay could not start: ${expected}`,
      });
    }
    expect(workerd.stderr.some((line) => line.includes(`tokendesk relay: ${expected}`))).toBe(true);
  });

  it("answers 503 until the TOKENDESK_CLIENTS secret is put, saying so", async () => {
    const answer = await _get("unconfigured", "/relay/clients");
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      error: "relay_misconfigured",
      error_description: expect.stringMatching(/^The relay could not start: TOKENDESK_CLIENTS is not set: /),
    });
  });

  it("uses Cloudflare's Rate Limiting binding when one is bound, with Retry-After: 60", async () => {
    const post = (ip: string) =>
      _get("bound-limits", "/relay/token", {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": ip },
        body: JSON.stringify(_codeBody({ client: "nope" })),
      });
    expect((await post("203.0.113.1")).status).toBe(400);
    expect((await post("203.0.113.1")).status).toBe(400);
    const limited = await post("203.0.113.1");
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("60");
    expect((await post("203.0.113.2")).status).toBe(400);
  });

  it("bundles only the relay and the provider recipes: no UI, store or Node code", () => {
    expect(bundle.inputs.length).toBeGreaterThan(3);
    for (const input of bundle.inputs) {
      expect(input, input).toMatch(/^src\/(relay|providers)\/([\w-]+\/)?[\w.-]+\.ts$/);
    }
  });
});
