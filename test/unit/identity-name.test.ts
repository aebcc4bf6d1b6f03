/** The identity probe names a person the way a person reads it: name, email, preferred_username, sub. */
import { describe, expect, it } from "vitest";
import { accountFieldFrom, probeAccount, USERINFO_FIELDS } from "../../src/oauth/identity.ts";
import type { RelayLookups, RelayTokenResult } from "../../src/oauth/relay-client.ts";
import { findRecipe } from "../../src/providers/index.ts";

const FULL = {
  sub: "248289761001",
  name: "Jane Doe",
  email: "janedoe@example.com",
  preferred_username: "j.doe",
};

function _answer(body: unknown, status = 200): RelayLookups {
  const result: RelayTokenResult = {
    kind: "envelope",
    envelope: {
      sent: { method: "GET", url: "https://auth.example.test/userinfo", headers: {}, body: "" },
      upstream: { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      ms: 1,
    },
  };
  return {
    probe: async () => result,
    introspect: async () => {
      throw new Error("no introspection here");
    },
    jwks: async () => {
      throw new Error("no JWKS here");
    },
    discover: async () => {
      throw new Error("no discovery here");
    },
  };
}

describe("the best human name in a userinfo answer", () => {
  it.each([
    ["the full name first", FULL, { account: "Jane Doe", field: "name" }],
    ["then the email", { ...FULL, name: undefined }, { account: "janedoe@example.com", field: "email" }],
    [
      "then the preferred user name",
      { sub: "248289761001", preferred_username: "j.doe" },
      { account: "j.doe", field: "preferred_username" },
    ],
    [
      "and sub when nothing else is there",
      { sub: "248289761001" },
      { account: "248289761001", field: "sub" },
    ],
    ["skipping a blank name", { ...FULL, name: "  " }, { account: "janedoe@example.com", field: "email" }],
    [
      "skipping a name that is not a string",
      { ...FULL, name: { given: "Jane" } },
      { account: "janedoe@example.com", field: "email" },
    ],
    ["trimmed", { sub: "x", name: " Jane Doe\n" }, { account: "Jane Doe", field: "name" }],
  ])("%s", (_name, body, expected) => {
    expect(accountFieldFrom(body, USERINFO_FIELDS)).toEqual(expected);
  });

  it("names nobody in an answer without any of them", () => {
    expect(accountFieldFrom({ error: "x" }, USERINFO_FIELDS)).toBeNull();
    expect(accountFieldFrom(null, USERINFO_FIELDS)).toBeNull();
  });
});

describe("probeAccount", () => {
  it("reads a custom (OpenID) provider's userinfo answer for its best name, and says which field", async () => {
    const custom = findRecipe("custom");
    if (custom === undefined) throw new Error("no recipe");
    const outcome = await probeAccount(_answer(FULL), { client: "dot", accessToken: "at" }, custom);
    expect([outcome.account, outcome.accountField, outcome.problem]).toEqual(["Jane Doe", "name", null]);
  });

  it("keeps a recipe's own fields: FreeAgent names the email", async () => {
    const freeagent = findRecipe("freeagent");
    if (freeagent === undefined) throw new Error("no recipe");
    const outcome = await probeAccount(
      _answer({ user: { email: "ada@example.test", first_name: "Ada" } }),
      { client: "fa", accessToken: "at" },
      freeagent,
    );
    expect([outcome.account, outcome.accountField]).toEqual(["ada@example.test", "user.email"]);
  });

  it("names nobody when the provider refuses the token", async () => {
    const custom = findRecipe("custom");
    if (custom === undefined) throw new Error("no recipe");
    const outcome = await probeAccount(
      _answer({ error: "invalid_token" }, 401),
      { client: "c", accessToken: "at" },
      custom,
    );
    expect([outcome.account, outcome.accountField]).toEqual([null, null]);
    expect(outcome.problem?.title).toBe("The provider refused the access token (401)");
  });
});
