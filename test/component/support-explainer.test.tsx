/**
 * The explainer: every cause it can name, each with the local context that points to it, as a
 * support user sees it: ranked first, with the evidence in words.
 */
import { cleanup, render, screen, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { type CauseContext, type CauseId, type FailureKind, rankCauses } from "../../src/oauth/causes.ts";
import { custom } from "../../src/providers/custom.ts";
import { demo } from "../../src/providers/demo.ts";
import { freeagent } from "../../src/providers/freeagent.ts";
import { freshbooks } from "../../src/providers/freshbooks.ts";
import { github } from "../../src/providers/github.ts";
import { google } from "../../src/providers/google.ts";
import { xero } from "../../src/providers/xero.ts";
import { CausesView } from "../../src/ui/components/causes-view.tsx";

afterEach(cleanup);

const T = Date.UTC(2026, 10, 23, 12, 0, 0);
const MIN = 60_000;

interface Case {
  readonly cause: CauseId;
  readonly title: string;
  readonly kind: FailureKind;
  readonly context: CauseContext;
  /** Evidence the user reads under the cause. */
  readonly evidence: readonly string[];
}

const CASES: readonly Case[] = [
  {
    cause: "refresh_token_used",
    title: "The refresh token was already used",
    kind: "invalid_grant",
    context: {
      grantType: "refresh_token",
      recipe: freshbooks,
      sentAt: T,
      refreshToken: {
        fingerprint: "aaaa1111",
        supersededAt: T - 5 * MIN,
        supersededBy: "bbbb2222",
        expiresAt: null,
      },
    },
    evidence: [
      "Known: FreshBooks refresh tokens are single-use: each one works exactly once.",
      "Points to it: This browser's history shows refresh token aaaa1111 replaced by bbbb2222 at 2026-11-23T11:55:00Z: it was already spent.",
    ],
  },
  {
    cause: "refresh_token_used",
    title: "The refresh token was already used",
    kind: "html_401",
    context: {
      grantType: "refresh_token",
      recipe: freshbooks,
      sentAt: T,
      probe: { status: 401, at: T, accessExpiresAt: T + 11 * 60 * MIN },
      heldByServer: true,
    },
    evidence: [
      "Points to it: The identity endpoint refused the access token issued with it 11 h before that token's expiry; FreshBooks ends the previous access token when anyone refreshes, so a refresh has happened since.",
      "Points to it: It comes from an export made for a server: if that server refreshed, this copy is spent.",
    ],
  },
  {
    cause: "refresh_token_revoked",
    title: "The grant was revoked",
    kind: "invalid_grant",
    context: {
      grantType: "refresh_token",
      recipe: google,
      sentAt: T,
      probe: { status: 401, at: T, accessExpiresAt: T + 30 * MIN },
    },
    evidence: [
      "Points to it: The identity endpoint refuses the access token too: the user may have removed the app's access.",
    ],
  },
  {
    cause: "refresh_token_expired",
    title: "The refresh token expired",
    kind: "invalid_grant",
    context: {
      grantType: "refresh_token",
      recipe: freeagent,
      sentAt: T,
      refreshToken: {
        fingerprint: "aaaa1111",
        supersededAt: null,
        supersededBy: null,
        expiresAt: T - 3 * 86_400_000,
      },
    },
    evidence: ["Points to it: It expired at 2026-11-20T12:00:00Z, 3 days before the refresh was sent."],
  },
  {
    cause: "token_for_other_client",
    title: "The token belongs to another client",
    kind: "invalid_client",
    context: {
      grantType: "refresh_token",
      recipe: freeagent,
      clientMismatch: { exportedClientId: "old-app", relayClient: "freeagent", relayClientId: "new-app" },
    },
    evidence: [
      'Points to it: It was exported for client_id "old-app", but the relay client "freeagent" has client_id "new-app": tokens belong to the client they were issued to.',
    ],
  },
  {
    cause: "scope_mismatch",
    title: "The scopes do not match the grant",
    kind: "unauthorized_client",
    context: {
      grantType: "refresh_token",
      recipe: xero,
      scope: {
        requested: "openid accounting.read offline_access",
        granted: "openid accounting.read",
        sentOnRefresh: null,
      },
    },
    evidence: [
      'Points to it: The granted scope "openid accounting.read" lacks offline_access, which Xero needs for refresh tokens.',
      'Points to it: Requested "offline_access" but the provider granted only "openid accounting.read".',
    ],
  },
  {
    cause: "code_expired",
    title: "The authorization code expired",
    kind: "invalid_grant",
    context: {
      grantType: "authorization_code",
      recipe: freshbooks,
      sentAt: T,
      code: { receivedAt: T - 7 * MIN, expiresAt: T - 2 * MIN, earlierExchangeAt: null },
    },
    evidence: ["Points to it: The code was sent 7 min after it arrived; FreshBooks codes live 5 min."],
  },
  {
    cause: "code_used",
    title: "The authorization code was already used",
    kind: "html_401",
    context: {
      grantType: "authorization_code",
      recipe: freeagent,
      sentAt: T,
      code: { receivedAt: T - MIN, expiresAt: T + 14 * MIN, earlierExchangeAt: T - 30_000 },
    },
    evidence: [
      "Points to it: This code was already sent for exchange at 2026-11-23T11:59:30Z; a code works once.",
    ],
  },
  {
    cause: "redirect_uri_changed",
    title: "The redirect URI differs from the authorization request's",
    kind: "invalid_grant",
    context: {
      grantType: "authorization_code",
      recipe: demo,
      sentAt: T,
      code: { receivedAt: T - 10_000, expiresAt: T + 290_000, earlierExchangeAt: null },
      redirectUri: {
        sent: "http://127.0.0.1:5173/app/callback/",
        authorized: "http://127.0.0.1:5173/callback/",
        configured: ["http://127.0.0.1:5173/callback/", "http://127.0.0.1:5173/app/callback/"],
      },
    },
    evidence: [
      "Points to it: The token request sent redirect_uri http://127.0.0.1:5173/app/callback/, but the authorization request used http://127.0.0.1:5173/callback/ (RFC 6749 §4.1.3: they must be identical).",
    ],
  },
  {
    cause: "pkce_mismatch",
    title: "The PKCE verifier does not match",
    kind: "invalid_grant",
    context: { grantType: "authorization_code", recipe: demo, verifierSent: false },
    evidence: ["Points to it: No code_verifier was sent, and Demo authorization server requires PKCE."],
  },
  {
    cause: "clock_skew",
    title: "Clocks disagree",
    kind: "invalid_grant",
    context: {
      grantType: "authorization_code",
      recipe: freshbooks,
      sentAt: T,
      code: { receivedAt: T - 2 * MIN, expiresAt: T + 3 * MIN, earlierExchangeAt: null },
      clockSkewMs: 4 * MIN,
    },
    evidence: [
      "Points to it: The provider's Date headers are 4 min ahead of this browser's clock: by the provider's clock the code was that much older; lifetimes judged on one clock and counted on the other disagree.",
    ],
  },
  {
    cause: "wrong_client_secret",
    title: "The client credentials are wrong",
    kind: "invalid_client",
    context: {
      grantType: "refresh_token",
      recipe: freeagent,
      headers: { "www-authenticate": 'Basic realm="Application"' },
    },
    evidence: [
      'Points to it: The provider answered with WWW-Authenticate: Basic realm="Application", its way of refusing the client\'s HTTP Basic credentials.',
    ],
  },
  {
    cause: "wrong_auth_method",
    title: "The client authenticates the wrong way",
    kind: "invalid_client",
    context: {
      grantType: "authorization_code",
      recipe: custom,
      authMethod: "client_secret_post",
      headers: { "www-authenticate": "Basic" },
    },
    evidence: [
      "Points to it: The relay sent the credentials in the body, but the provider asks for HTTP Basic (WWW-Authenticate).",
      "Points to it: The relay used client_secret_post; Custom provider expects client_secret_basic.",
    ],
  },
  {
    cause: "wrong_environment",
    title: "Production and sandbox are mixed up",
    kind: "invalid_client",
    context: {
      grantType: "refresh_token",
      recipe: freeagent,
      environment: "production",
      tokenEnvironment: "sandbox",
    },
    evidence: [
      "Points to it: The tokens come from FreeAgent's sandbox environment, but the relay client uses production.",
    ],
  },
  {
    cause: "grant_not_enabled",
    title: "The app's registration does not allow this grant",
    kind: "unauthorized_client",
    context: { grantType: "refresh_token", recipe: github },
    evidence: [
      "Points to it: GitHub OAuth app issues no refresh tokens to this kind of app, so it refuses a refresh grant.",
    ],
  },
  {
    cause: "redirect_uri_not_registered",
    title: "The redirect URI is not registered exactly",
    kind: "redirect_uri_mismatch",
    context: {
      grantType: "authorization_code",
      recipe: demo,
      redirectUri: {
        sent: "http://127.0.0.1:5173/Callback",
        authorized: "http://127.0.0.1:5173/Callback",
        configured: ["http://127.0.0.1:5173/callback/"],
      },
    },
    evidence: [
      "Points to it: http://127.0.0.1:5173/Callback differs from the configured http://127.0.0.1:5173/callback/ only by case or a trailing slash; providers compare byte for byte.",
    ],
  },
  {
    cause: "redirect_uri_breaks_rules",
    title: "The redirect URI breaks the provider's rules",
    kind: "redirect_uri_mismatch",
    context: {
      grantType: "authorization_code",
      recipe: freshbooks,
      redirectUri: {
        sent: "http://127.0.0.1:5173/callback/?from=desk",
        authorized: "http://127.0.0.1:5173/callback/?from=desk",
        configured: ["http://127.0.0.1:5173/callback/?from=desk"],
      },
    },
    evidence: [
      "Points to it: FreshBooks accepts https redirect URIs only; http://127.0.0.1:5173/callback/?from=desk is http.",
      "Points to it: FreshBooks refuses redirect URIs with a query string; http://127.0.0.1:5173/callback/?from=desk has one.",
    ],
  },
  {
    cause: "provider_rate_limit",
    title: "The provider's rate limit was reached",
    kind: "rate_limited",
    context: {
      grantType: "refresh_token",
      recipe: freeagent,
      sentAt: T,
      headers: { "retry-after": "60" },
      recentRefreshes: Array.from({ length: 15 }, (_, i) => T - 50_000 + i * 3000),
    },
    evidence: [
      "Points to it: The provider asks to wait 60 s (Retry-After).",
      "Points to it: This browser sent 15 refreshes in the 60 s before it; FreeAgent allows 15 (unconfirmed figure).",
    ],
  },
  {
    cause: "shared_rate_limit",
    title: "Someone else is using the same limit",
    kind: "rate_limited",
    context: {
      grantType: "refresh_token",
      recipe: freeagent,
      sentAt: T,
      handedOffAt: T - 86_400_000,
      recentRefreshes: [T - 20_000],
    },
    evidence: [
      "Points to it: It was handed off to a server at 2026-11-22T12:00:00Z; a provider that limits per user or per app counts that server's requests too.",
      "Points to it: This browser alone stayed under the limit (1 of 15): other requests for the same user or app used the rest.",
    ],
  },
];

function _show(kind: FailureKind, context: CauseContext) {
  render(() => <CausesView causes={rankCauses(kind, context)} />);
  return within(screen.getByRole("list", { name: "Likely causes, likeliest first" }));
}

describe("the explainer names each cause from its local context", () => {
  for (const c of CASES) {
    it(`puts "${c.title}" first for ${c.kind} on ${c.context.grantType === "refresh_token" ? "a refresh" : "a code exchange"} at ${c.context.recipe.name}, with its evidence`, () => {
      const list = _show(c.kind, c.context);
      const first = list.getAllByRole("listitem")[0];
      if (first === undefined) throw new Error("no causes");
      expect(first.getAttribute("data-cause")).toBe(c.cause);
      expect(first.querySelector(".cause-title")?.textContent).toBe(c.title);
      const lines = [...first.querySelectorAll(".evidence li")].map((li) => li.textContent ?? "");
      for (const line of c.evidence) expect(lines.some((l) => l.startsWith(line))).toBe(true);
    });
  }

  it("covers every cause it can name", () => {
    const named = new Set(CASES.map((c) => c.cause));
    const all: CauseId[] = [
      "refresh_token_used",
      "refresh_token_revoked",
      "refresh_token_expired",
      "token_for_other_client",
      "scope_mismatch",
      "code_expired",
      "code_used",
      "redirect_uri_changed",
      "pkce_mismatch",
      "clock_skew",
      "wrong_client_secret",
      "wrong_auth_method",
      "wrong_environment",
      "grant_not_enabled",
      "redirect_uri_not_registered",
      "redirect_uri_breaks_rules",
      "provider_rate_limit",
      "shared_rate_limit",
    ];
    expect([...named].sort()).toEqual([...all].sort());
  });
});

describe("evidence against a cause moves it down", () => {
  it("ranks an expired code below a reused one when the code was sent within its lifetime", () => {
    const list = _show("invalid_grant", {
      grantType: "authorization_code",
      recipe: freshbooks,
      sentAt: T,
      code: { receivedAt: T - 20_000, expiresAt: T + 280_000, earlierExchangeAt: T - 10_000 },
    });
    const causes = list.getAllByRole("listitem").filter((li) => li.hasAttribute("data-cause"));
    expect(causes.map((li) => li.getAttribute("data-cause")).slice(0, 2)).toEqual([
      "code_used",
      "redirect_uri_changed",
    ]);
    const expired = causes.find((li) => li.getAttribute("data-cause") === "code_expired");
    expect(expired?.textContent).toContain(
      "Points away: The code was sent 20 s after it arrived, within its lifetime; FreshBooks codes live 5 min.",
    );
  });

  it("says a still-working access token argues against a spent FreshBooks refresh token", () => {
    const list = _show("invalid_grant", {
      grantType: "refresh_token",
      recipe: freshbooks,
      sentAt: T,
      probe: { status: 200, at: T, accessExpiresAt: T + 60 * MIN },
    });
    const used = list
      .getAllByRole("listitem")
      .find((li) => li.getAttribute("data-cause") === "refresh_token_used");
    expect(used?.textContent).toContain(
      "Points away: The access token issued with it still works, and FreshBooks ends it on every refresh: no refresh has happened since.",
    );
  });

  it("leaves clock skew out when the clocks agree", () => {
    const list = _show("invalid_grant", { grantType: "authorization_code", recipe: demo, clockSkewMs: 2000 });
    expect(list.getAllByRole("listitem").some((li) => li.getAttribute("data-cause") === "clock_skew")).toBe(
      false,
    );
  });

  it("shows a failure it has no causes for as such", () => {
    render(() => <CausesView causes={rankCauses("other", { grantType: "refresh_token", recipe: demo })} />);
    expect(screen.getByTestId("no-causes").textContent).toContain("No ranked causes for this answer");
  });
});
