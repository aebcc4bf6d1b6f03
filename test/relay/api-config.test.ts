/**
 * API base URLs in the configuration (contract v1.5): from each recipe's environment, from
 * `api_base_urls` for custom and demo clients, listed by `GET /relay/clients`; and the recipes' sample
 * requests, which must resolve under those bases.
 */
import { describe, expect, it } from "vitest";
import { recipes } from "../../src/providers/index.ts";
import { checkApiUrl } from "../../src/relay/api-policy.ts";
import { parseClients, RelayConfigError, resolveRelayOptions } from "../../src/relay/config.ts";
import { createRelay } from "../../src/relay/handler.ts";

const REDIRECT = ["http://127.0.0.1:5173/callback/"];
const CUSTOM = {
  id: "mine",
  provider: "custom",
  client_id: "id",
  client_secret: "s3cret-api",
  redirect_uris: REDIRECT,
  token_endpoint: "https://auth.example.test/token",
  token_endpoint_auth_method: "client_secret_basic",
  body_encoding: "form",
};

function _resolved(client: Record<string, unknown>) {
  const options = resolveRelayOptions({
    clients: parseClients(JSON.stringify([client])),
    allowedOrigins: [],
  });
  const resolved = options.clients.get(String(client.id));
  if (resolved === undefined) throw new Error("not resolved");
  return resolved;
}

function _refusal(client: Record<string, unknown>): string {
  try {
    parseClients(JSON.stringify([client]));
  } catch (error) {
    expect(error).toBeInstanceOf(RelayConfigError);
    return (error as RelayConfigError).message;
  }
  throw new Error("expected a refusal");
}

describe("API base URLs", () => {
  it("come from every built-in recipe's environments, https and canonical", () => {
    for (const recipe of Object.values(recipes)) {
      if (recipe.environments === null) continue;
      for (const [environment, endpoints] of Object.entries(recipe.environments)) {
        const client = _resolved({
          id: "c",
          provider: recipe.id,
          environment,
          client_id: "id",
          client_secret: "s",
          redirect_uris: REDIRECT,
        });
        expect(client.apiBaseUrls.length, `${recipe.id} ${environment}`).toBeGreaterThan(0);
        expect(client.apiBaseUrls).toEqual(endpoints.api_base_urls);
        for (const base of client.apiBaseUrls)
          expect(base, recipe.id).toMatch(/^https:\/\/[^/]+\/([\w.-]+\/)*$/);
      }
    }
  });

  it("give a Microsoft tenant the Graph API, whatever the tenant", () => {
    const client = _resolved({
      id: "m",
      provider: "microsoft",
      environment: "contoso.onmicrosoft.com",
      client_id: "id",
      client_secret: "s",
      redirect_uris: REDIRECT,
    });
    expect(client.apiBaseUrls).toEqual([
      "https://graph.microsoft.com/v1.0/",
      "https://graph.microsoft.com/beta/",
    ]);
  });

  it("are a custom client's api_base_urls, https or loopback, stored canonical", () => {
    expect(_resolved({ ...CUSTOM, api_base_urls: ["https://api.example.test/v1/"] }).apiBaseUrls).toEqual([
      "https://api.example.test/v1/",
    ]);
    expect(_resolved({ ...CUSTOM, api_base_urls: ["https://api.example.test"] }).apiBaseUrls).toEqual([
      "https://api.example.test/",
    ]);
    expect(_resolved({ ...CUSTOM, api_base_urls: ["http://127.0.0.1:4000/api/"] }).apiBaseUrls).toEqual([
      "http://127.0.0.1:4000/api/",
    ]);
    expect(_resolved(CUSTOM).apiBaseUrls).toEqual([]);
  });

  it.each([
    [["http://api.example.test/v1/"], "TOKENDESK_CLIENTS[0].api_base_urls[0] must use https"],
    [["https://api.example.test/v1/?x=1"], "TOKENDESK_CLIENTS[0].api_base_urls[0] must not contain a query"],
    [["https://u:p@api.example.test/"], "TOKENDESK_CLIENTS[0].api_base_urls[0] must not contain a user name"],
    [["https://API.example.test/v1/"], 'is not in canonical form; write "https://api.example.test/v1/"'],
    [["https://api.example.test/a/../b/"], "is not in canonical form"],
    [["https://api.example.test/a%2Fb/"], "encoded slash"],
    [["https://api.example.test/", "https://api.example.test/"], "api_base_urls[1] is listed twice"],
    [[], "TOKENDESK_CLIENTS[0].api_base_urls must be an array of 1 to 16 API base URLs"],
    ["https://api.example.test/", "TOKENDESK_CLIENTS[0].api_base_urls must be an array"],
    [[42], "TOKENDESK_CLIENTS[0].api_base_urls[0] must be an absolute URL"],
  ])("refuses api_base_urls %j naming the field", (value, message) => {
    expect(_refusal({ ...CUSTOM, api_base_urls: value })).toContain(message);
  });

  it("cannot be set for a built-in recipe, whose API the recipe names", () => {
    expect(
      _refusal({
        id: "books",
        provider: "freeagent",
        client_id: "id",
        client_secret: "s",
        redirect_uris: REDIRECT,
        api_base_urls: ["https://evil.example.test/"],
      }),
    ).toBe(
      "TOKENDESK_CLIENTS[0].api_base_urls cannot be set for provider freeagent: its API base URLs come from the recipe; remove it, or use provider custom for another API.",
    );
  });

  it("are listed by GET /relay/clients, never with a secret", async () => {
    const relay = createRelay({
      clients: [
        {
          ...CUSTOM,
          token_endpoint_auth_method: "client_secret_basic",
          body_encoding: "form",
          api_base_urls: ["https://api.example.test/v1/"],
        },
        {
          id: "fa",
          provider: "freeagent",
          environment: "sandbox",
          client_id: "i",
          client_secret: "s3cret-fa",
          redirect_uris: REDIRECT,
        },
      ],
      allowedOrigins: [],
    });
    const answer = await relay(new Request("http://127.0.0.1:5173/relay/clients"));
    const text = await answer.text();
    expect(text).not.toContain("s3cret");
    const clients = (JSON.parse(text) as { clients: { id: string; api_base_urls: string[] }[] }).clients;
    expect(clients.map((c) => [c.id, c.api_base_urls])).toEqual([
      ["mine", ["https://api.example.test/v1/"]],
      ["fa", ["https://api.sandbox.freeagent.com/v2/"]],
    ]);
  });
});

describe("the recipes' sample requests", () => {
  for (const recipe of Object.values(recipes)) {
    const samples = recipe.api?.samples ?? [];
    if (samples.length === 0) continue;
    it(`${recipe.id}: each sample is a sourced GET under an API base, its inputs named`, () => {
      const bases =
        recipe.environments === null
          ? ["http://127.0.0.1:4000/api/"]
          : (Object.values(recipe.environments)[0]?.api_base_urls ?? []);
      const ids = samples.map((s) => s.id);
      expect(new Set(ids).size, "ids are unique").toBe(ids.length);
      for (const sample of samples) {
        expect(sample.method).toBe("GET");
        expect(sample.source, sample.id).toMatch(/^(https:\/\/|src\/)/);
        expect(sample.path.startsWith("/"), sample.id).toBe(false);
        const base = bases[sample.base ?? 0];
        expect(base, `${sample.id}: its base exists`).toBeDefined();
        const placeholders = [
          ...`${sample.path} ${Object.values(sample.headers ?? {}).join(" ")}`.matchAll(/\{(\w+)\}/g),
        ].map((m) => m[1]);
        const needs = sample.needs ?? [];
        expect(new Set(placeholders), sample.id).toEqual(new Set(needs.map((n) => n.name)));
        for (const need of needs) {
          if (need.from === "answer") expect(ids, `${sample.id} needs ${need.sample}`).toContain(need.sample);
          else
            expect(
              recipe.callbackParams?.map((p) => p.name),
              sample.id,
            ).toContain(need.param);
        }
        const filled = sample.path.replace(/\{(\w+)\}/g, "x1");
        expect(checkApiUrl(`${base}${filled}`, bases), sample.id).toMatchObject({ ok: true });
        for (const name of Object.keys(sample.headers ?? {})) {
          expect(["accept", ...(recipe.api?.headers ?? []).map((h) => h.toLowerCase())], sample.id).toContain(
            name.toLowerCase(),
          );
        }
      }
    });
  }
});
