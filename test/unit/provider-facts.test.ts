/** What the page tells a user about a provider before they authorize: wording, and honesty marks. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeRecipe, describeSeconds } from "../../src/providers/facts.ts";
import { findRecipe, recipes, scopeToRequest } from "../../src/providers/index.ts";
import type { Recipe } from "../../src/providers/types.ts";

function _recipe(id: string): Recipe {
  const recipe = findRecipe(id);
  if (recipe === undefined) throw new Error(id);
  return recipe;
}

function _fact(id: string, key: string, redirect = "https://127.0.0.1:5173/callback/") {
  return describeRecipe(_recipe(id), redirect).facts.find((f) => f.key === key);
}

describe("describeSeconds", () => {
  it.each([
    [300, "5 minutes"],
    [900, "15 minutes"],
    [1800, "30 minutes"],
    [3600, "1 hour"],
    [43_200, "12 hours"],
    [86_400, "24 hours"],
    [5_184_000, "60 days"],
    [90, "90 seconds"],
  ])("says %i s as %s", (seconds, text) => {
    expect(describeSeconds(seconds)).toBe(text);
  });
});

describe("describeRecipe", () => {
  it("tells FreeAgent users to exchange within 15 minutes and marks the unconfirmed rate limit", () => {
    expect(_fact("freeagent", "code")).toEqual({
      key: "code",
      text: "The authorization code lives 15 minutes: exchange it within 15 minutes.",
      unconfirmed: false,
    });
    expect(_fact("freeagent", "rate-limit")).toEqual({
      key: "rate-limit",
      text: "FreeAgent allows 15 refreshes per 60 seconds; beyond that it answers 429 with a Retry-After telling when to try again.",
      unconfirmed: true,
    });
    // FreeAgent does not document what a refresh does to the used token: the page says it assumes.
    expect(_fact("freeagent", "policy")).toEqual({
      key: "policy",
      text: "Treat refresh tokens as rotating: each refresh returns a new one, and FreeAgent does not say whether the one used keeps working. After you copy a refresh token to your server, do not refresh here: the server's copy may die.",
      unconfirmed: true,
    });
  });

  it("warns that FreshBooks needs an https redirect URI, and says its refresh tokens work once", () => {
    const http = describeRecipe(_recipe("freshbooks"), "http://127.0.0.1:5173/callback/");
    expect(http.warnings).toEqual([
      "FreshBooks accepts only https redirect URIs, and this page's is http://127.0.0.1:5173/callback/. Start tokendesk over https (npm start -- --mode https) and register https://127.0.0.1:5173/callback/ instead.",
    ]);
    expect(describeRecipe(_recipe("freshbooks"), "https://127.0.0.1:5173/callback/").warnings).toEqual([]);
    expect(describeRecipe(_recipe("freshbooks"), "https://app.example/cb?x=1").warnings).toEqual([
      "FreshBooks refuses redirect URIs with a query string; this page's has one (?x=1).",
    ]);
    expect(_fact("freshbooks", "policy")?.text).toBe(
      "Each refresh token works exactly once. After you copy one to your server, do not refresh here, or the server's copy dies.",
    );
    expect(_fact("freshbooks", "ends-access")?.text).toContain("ends the previous access token");
    expect(_fact("freshbooks", "code")?.text).toBe(
      "The authorization code lives 5 minutes: exchange it within 5 minutes.",
    );
  });

  it("states Xero's 30-minute grace, and never presents an unconfirmed code lifetime as sure", () => {
    expect(_fact("xero", "policy")?.text).toContain("the one used stops working 30 minutes later");
    expect(_fact("xero", "code")?.unconfirmed).toBe(true);
    expect(_fact("xero", "scope")?.text).toBe(
      "tokendesk always asks for offline_access: without it Xero issues no refresh token.",
    );
  });

  it("says how to reach QuickBooks' company, Google's refresh token and GitHub's lasting tokens", () => {
    expect(_fact("quickbooks", "callback-realmId")?.text).toBe(
      "The answer also carries realmId, the QuickBooks company these tokens may use; tokendesk keeps it with the code.",
    );
    expect(_fact("google", "authorize-params")?.text).toBe(
      "tokendesk adds access_type=offline and prompt=consent to the authorization request, or Google would send no refresh token.",
    );
    expect(_fact("github", "policy")?.text).toBe(
      "GitHub OAuth app issues no refresh token: the access token itself is what you keep.",
    );
    expect(_fact("github", "refresh")).toBeUndefined();
  });

  it("marks every figure whose lifetime is unconfirmed, for every recipe", () => {
    for (const recipe of Object.values(recipes)) {
      const { facts } = describeRecipe(recipe, "https://127.0.0.1/callback/");
      const code = facts.find((f) => f.key === "code");
      expect(code?.unconfirmed, recipe.id).toBe(
        !recipe.lifetimes.code.confirmed || recipe.lifetimes.code.seconds === null,
      );
    }
  });
});

describe("scopeToRequest", () => {
  it("adds offline_access for Xero and Microsoft once, keeping what the user typed", () => {
    expect(scopeToRequest(_recipe("xero"), "openid accounting.settings.read")).toBe(
      "openid accounting.settings.read offline_access",
    );
    expect(scopeToRequest(_recipe("microsoft"), "offline_access User.Read")).toBe("offline_access User.Read");
    expect(scopeToRequest(_recipe("freeagent"), "")).toBe("");
  });
});

describe("OpenID Connect facts: issuer and jwks_uri, each with its source", () => {
  /** What each provider's published metadata says, and the page of its documentation that says so. */
  const DOCUMENTED = [
    {
      provider: "google",
      issuer: "https://accounts.google.com",
      jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
      source: "https://accounts.google.com/.well-known/openid-configuration",
    },
    {
      provider: "microsoft",
      issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
      jwksUri: "https://login.microsoftonline.com/{environment}/discovery/v2.0/keys",
      source: "https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc",
    },
    {
      provider: "xero",
      issuer: "https://identity.xero.com",
      jwksUri: "https://identity.xero.com/.well-known/openid-configuration/jwks",
      source: "https://identity.xero.com/.well-known/openid-configuration",
    },
    {
      provider: "quickbooks",
      issuer: "https://oauth.platform.intuit.com/op/v1",
      jwksUri: "https://oauth.platform.intuit.com/op/v1/jwks",
      source:
        "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-openid-discovery-doc",
    },
  ] as const;

  /** The registrable part of a host name, enough for these providers' hosts. */
  const _site = (url: string) => new URL(url.replaceAll(/[{}]/g, "")).hostname.split(".").slice(-2).join(".");

  for (const fact of DOCUMENTED) {
    it(`${fact.provider}: every environment states the documented issuer and jwks_uri, https, cited in the recipe`, () => {
      const recipe = _recipe(fact.provider);
      for (const [name, endpoints] of Object.entries(recipe.environments ?? {})) {
        expect(endpoints.issuer, name).toBe(fact.issuer);
        expect(endpoints.jwks_uri, name).toBe(fact.jwksUri.replace("{environment}", name));
        for (const url of [endpoints.issuer, endpoints.jwks_uri])
          expect(new URL(url ?? "").protocol).toBe("https:");
      }
      const template = recipe.environmentTemplate?.endpoints;
      if (template !== undefined) expect(template.jwks_uri).toBe(fact.jwksUri);
      const file = readFileSync(`src/providers/${fact.provider}.ts`, "utf8");
      expect(file, "the recipe cites its source").toContain(fact.source);
    });
  }

  it("keeps each provider's keys on the issuer's own site, except Google's, which Google publishes on googleapis.com", () => {
    for (const fact of DOCUMENTED) {
      const same = _site(fact.jwksUri) === _site(fact.issuer);
      expect(same, fact.provider).toBe(fact.provider !== "google");
    }
    expect(_recipe("google").idTokenIssuerAliases).toEqual(["accounts.google.com"]);
  });
});
