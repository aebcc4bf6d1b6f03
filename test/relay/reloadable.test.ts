/**
 * The relay's configuration changing while it runs: swapped whole when the parser accepts it, the
 * last good clients kept (and the problem reported on GET /clients, without any secret) when not.
 */
import { describe, expect, it } from "vitest";
import { parseClients, type RelayClientConfig, type RelayOptions } from "../../src/relay/config.ts";
import type { ClientsResponse } from "../../src/relay/contract.ts";
import { createReloadableRelay, redactSecrets, secretsIn } from "../../src/relay/reloadable.ts";
import { _DEMO, _REDIRECT_URI } from "./_helpers.ts";

const BOOKS: RelayClientConfig = {
  id: "books",
  provider: "freeagent",
  environment: "sandbox",
  client_id: "fa-client",
  client_secret: "fa-secret-Lq9wPz",
  redirect_uris: [_REDIRECT_URI],
};

const options = (clients: RelayClientConfig[]): RelayOptions => ({ clients, allowedOrigins: [] });

async function _clients(handler: ReturnType<typeof createReloadableRelay>["handler"]) {
  const response = await handler(new Request("http://127.0.0.1:5173/relay/clients"));
  const text = await response.text();
  return { text, body: JSON.parse(text) as ClientsResponse };
}

describe("a reloadable relay", () => {
  it("serves the new clients at once when the configuration is valid, and says what changed", async () => {
    const relay = createReloadableRelay(options([_DEMO]));
    expect((await _clients(relay.handler)).body.clients.map((c) => c.id)).toEqual(["demo"]);

    const added = relay.reload(() => options([_DEMO, BOOKS]));
    expect(added).toEqual({
      ok: true,
      clients: ["demo", "books"],
      added: ["books"],
      removed: [],
      changed: [],
    });
    const { body } = await _clients(relay.handler);
    expect(body.clients.map((c) => c.id)).toEqual(["demo", "books"]);
    expect(body.configuration_error).toBeUndefined();

    const changed = relay.reload(() => options([{ ...BOOKS, client_secret: "rotated-secret-1" }]));
    expect(changed).toEqual({
      ok: true,
      clients: ["books"],
      added: [],
      removed: ["demo"],
      changed: ["books"],
    });
  });

  it("keeps the last good clients when the parser refuses, and reports why on GET /clients", async () => {
    const relay = createReloadableRelay(options([_DEMO, BOOKS]));
    const broken = JSON.stringify([{ ...BOOKS, redirect_uris: [] }]);
    const outcome = relay.reload(() => options(parseClients(broken)), broken);
    const problem = "TOKENDESK_CLIENTS[0].redirect_uris must be a non-empty array of absolute URLs.";
    expect(outcome).toEqual({ ok: false, problem, clients: ["demo", "books"] });
    expect(relay.problem).toBe(problem);
    const { body } = await _clients(relay.handler);
    expect(body.clients.map((c) => c.id)).toEqual(["demo", "books"]);
    expect(body.configuration_error).toBe(problem);

    // Fixed: the report goes with the problem.
    expect(relay.reload(() => options([BOOKS])).ok).toBe(true);
    expect(relay.problem).toBeNull();
    expect((await _clients(relay.handler)).body).not.toHaveProperty("configuration_error");
  });

  it("keeps secrets out of the problem, also one pasted into another field, and in broken JSON", async () => {
    const relay = createReloadableRelay(options([BOOKS]));
    const misplaced = JSON.stringify([
      { ...BOOKS, client_secret: "new-Secret-Zr8x", redirect_uris: ["new-Secret-Zr8x"] },
    ]);
    const outcome = relay.reload(() => options(parseClients(misplaced)), misplaced);
    expect(outcome.ok).toBe(false);
    const { text } = await _clients(relay.handler);
    expect(text).toContain('redirect_uris[0] \\"[redacted]\\" must be an absolute');
    expect(text.includes("new-Secret-Zr8x")).toBe(false);

    const old = JSON.stringify([{ ...BOOKS, redirect_uris: [BOOKS.client_secret] }]);
    relay.reload(() => options(parseClients(old)), old);
    expect((await _clients(relay.handler)).text.includes(BOOKS.client_secret)).toBe(false);
  });

  it("answers requests with the new clients only after the swap, never a mix", async () => {
    const relay = createReloadableRelay(options([_DEMO]));
    const before = relay.handler(new Request("http://127.0.0.1:5173/relay/clients"));
    relay.reload(() => options([BOOKS]));
    const after = relay.handler(new Request("http://127.0.0.1:5173/relay/clients"));
    const ids = async (r: Promise<Response>) =>
      ((await (await r).json()) as ClientsResponse).clients.map((c) => c.id);
    expect(await ids(before)).toEqual(["demo"]);
    expect(await ids(after)).toEqual(["books"]);
  });

  it("passes on errors that are not about the configuration", () => {
    const relay = createReloadableRelay(options([_DEMO]));
    expect(() =>
      relay.reload(() => {
        throw new TypeError("a bug");
      }),
    ).toThrow("a bug");
  });
});

describe("redactSecrets", () => {
  it("finds client_secret values in JSON that does not parse, escaped or not", () => {
    expect(secretsIn('[{"client_secret":"a\\"b-secret","x": [')).toEqual(['a\\"b-secret', 'a"b-secret']);
  });

  it("replaces plain, JSON-escaped and cut-short forms", () => {
    const long = `${"k".repeat(210)}"q`;
    const quoted = JSON.stringify(long.slice(0, 200));
    expect(redactSecrets(`value ${quoted} is bad`, [long])).toBe('value "[redacted]" is bad');
    expect(redactSecrets('say "p\\"w-secret"', ['p"w-secret'])).toBe('say "[redacted]"');
  });
});
