import { describe, expect, it } from "vitest";
import { buildShareLink, forbiddenExtraParam, parseShareQuery } from "../../src/oauth/share.ts";

const ROOT = "https://tools.example/tokendesk/";

describe("share links", () => {
  it("round-trips client, provider, environment, scope and extra parameters", () => {
    const link = buildShareLink(ROOT, {
      clientId: "freeagent sandbox",
      provider: "freeagent",
      environment: "sandbox",
      scope: "openid demo:read",
      extraParams: { prompt: "consent", login_hint: "ops@example.com" },
    });
    expect(link).toBe(
      "https://tools.example/tokendesk/#/authorize/freeagent%20sandbox?provider=freeagent&environment=sandbox&scope=openid+demo%3Aread&x.prompt=consent&x.login_hint=ops%40example.com",
    );
    const url = new URL(link);
    const [path, query] = url.hash.slice(1).split("?");
    expect(path).toBe("/authorize/freeagent%20sandbox");
    expect(parseShareQuery("freeagent sandbox", new URLSearchParams(query))).toEqual({
      clientId: "freeagent sandbox",
      provider: "freeagent",
      environment: "sandbox",
      scope: "openid demo:read",
      extraParams: { prompt: "consent", login_hint: "ops@example.com" },
      dropped: [],
    });
  });

  it("refuses to put a credential or a one-time value in a link", () => {
    for (const name of [
      "client_secret",
      "code",
      "code_verifier",
      "state",
      "refresh_token",
      "access_token",
      "id_token",
      "my_api_token",
      "Password",
    ]) {
      expect(forbiddenExtraParam(name), name).not.toBeNull();
      expect(() =>
        buildShareLink(ROOT, {
          clientId: "c",
          provider: "p",
          environment: null,
          scope: "",
          extraParams: { [name]: "v" },
        }),
      ).toThrow(/cannot be an extra parameter/);
    }
  });

  it("drops credentials a hand-made link tries to smuggle in", () => {
    const parsed = parseShareQuery(
      "c",
      new URLSearchParams("scope=a&x.client_secret=s&x.prompt=login&code=abc"),
    );
    expect(parsed.extraParams).toEqual({ prompt: "login" });
    expect(parsed.dropped).toEqual(["client_secret", "code"]);
  });
});
