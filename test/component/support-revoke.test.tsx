/**
 * The support desk's Revoke action (RFC 7009): offered when the relay lists a revocation endpoint for
 * the client, labelled with what it ends, asked for before anything is sent, and its answer shown.
 * And a connection revoked here, diagnosed: its state and where the revoked token went.
 */
import { cleanup, fireEvent, screen, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import type { RelayClient } from "../../src/oauth/relay-client.ts";
import type { Envelope } from "../../src/relay/contract.ts";
import { openDb } from "../../src/store/db.ts";
import { exchangeCode, receiveCallback, revokeToken } from "../../src/store/lifecycle.ts";
import { savePending } from "../../src/store/repo.ts";
import { _client, ORIGIN } from "./_render.tsx";
import { _pastedDesk, _supportDesk, _tokenFormEnvelope } from "./_support.tsx";

afterEach(cleanup);

const PASTE = JSON.stringify({ access_token: "at-cust-123456", refresh_token: "rt-cust-123456" });
const REVOKE_REFRESH = "Revoke the refresh token (ends it for good)";
const ENDPOINT = "http://127.0.0.1:9000/token/revocation";

/** The relay's envelope for a revocation the provider answered with `status` and `body`. */
function _envelope(body: { token: string; token_type_hint?: string }, status: number, answer = ""): Response {
  return Response.json(_revocation(body, status, answer));
}

function _revocation(
  body: { token: string; token_type_hint?: string },
  status: number,
  answer = "",
): Envelope {
  return _tokenFormEnvelope(
    ENDPOINT,
    body,
    { status, headers: answer === "" ? {} : { "content-type": "application/json" }, body: answer },
    3,
  );
}

/** The desk with a client that has a revocation endpoint, the paste in, and every POST it sends. */
async function _pasted(status = 200, answer = "") {
  return _pastedDesk(_client({ revocation_endpoint: ENDPOINT }), PASTE, (_route, body) =>
    _envelope(body as { token: string }, status, answer),
  );
}

describe("revoking a pasted token", () => {
  it("asks first, then sends the refresh token to the relay's revoke route once and shows it revoked", async () => {
    const { posted } = await _pasted();
    expect((await screen.findByTestId("revoke-note")).textContent).toContain(
      "The relay sends it to 127.0.0.1:9000 and nowhere else.",
    );
    fireEvent.click(screen.getByRole("button", { name: REVOKE_REFRESH }));
    const dialog = screen.getByRole("alertdialog", { name: "Revoke this refresh token?" });
    expect(dialog.textContent).toContain("the customer's server can never refresh with it again");
    expect(posted).toEqual([]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Revoke it for good" }));
    const result = await screen.findByTestId("revoke-result");
    expect(result.textContent).toContain("Refresh token revoked.");
    expect(result.textContent).toContain("or was already invalid, which RFC 7009 §2.2 answers the same way");
    expect(posted).toEqual([
      ["revoke", { client: "demo", token: "rt-cust-123456", token_type_hint: "refresh_token" }],
    ]);
  });

  it("sends nothing when the revocation is cancelled", async () => {
    const { posted, sentSince } = await _pasted();
    fireEvent.click(await screen.findByRole("button", { name: "Revoke the access token (ends it now)" }));
    const dialog = screen.getByRole("alertdialog", { name: "Revoke this access token?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(posted).toEqual([]);
    expect(sentSince()).toEqual([]);
  });

  it("explains a provider that will not revoke the token", async () => {
    await _pasted(400, '{"error":"unsupported_token_type"}');
    fireEvent.click(await screen.findByRole("button", { name: "Revoke the access token (ends it now)" }));
    fireEvent.click(screen.getByRole("button", { name: "Revoke the access token" }));
    const result = await screen.findByTestId("revoke-result");
    expect(result.textContent).toContain(
      "The provider does not revoke this kind of token (unsupported_token_type).",
    );
    expect(result.textContent).toContain("The access token stays valid until it expires");
    expect(within(result).getByTestId("upstream-response").textContent).toContain("unsupported_token_type");
  });

  it("says honestly that nothing can be revoked when the client has no revocation endpoint", async () => {
    const { box } = await _supportDesk([_client({ revocation_endpoint: null })]);
    fireEvent.input(box, { target: { value: PASTE } });
    expect((await screen.findByTestId("revoke-note")).textContent).toContain(
      "Demo authorization server has no revocation endpoint tokendesk knows, so nothing can be revoked from here",
    );
    expect(screen.queryByRole("button", { name: REVOKE_REFRESH })).toBeNull();
  });
});

describe("a connection revoked here, in the support desk", () => {
  it("calls its refresh token revoked, and shows the revocation among the places the token went", async () => {
    const relay: RelayClient = {
      base: `${ORIGIN}/relay`,
      clients: async () => ({ clients: [] }),
      token: async () => ({
        kind: "envelope",
        envelope: {
          sent: {
            method: "POST",
            url: "http://127.0.0.1:9000/token",
            headers: {},
            body: "grant_type=authorization_code",
          },
          upstream: {
            status: 200,
            headers: { "content-type": "application/json" },
            body: '{"access_token":"at-rev-123456","refresh_token":"rt-rev-123456","expires_in":120}',
          },
          ms: 2,
        },
      }),
      revoke: async (req) => ({ kind: "envelope", envelope: _revocation(req, 200) }),
    };
    const deps = { db: await openDb(), relay, now: Date.now };
    await savePending(deps.db, {
      state: "revoked-state",
      codeVerifier: "verifier-123456",
      clientId: "demo",
      provider: "demo",
      redirectUri: `${ORIGIN}/callback/`,
      scope: "openid",
      issuer: null,
      authorizationUrl: "http://127.0.0.1:9000/auth",
      createdAt: Date.now(),
    });
    const connected = await receiveCallback(deps, {
      code: "code-rev-123456",
      state: "revoked-state",
      iss: null,
      error: null,
      errorDescription: null,
      errorUri: null,
      extra: {},
    });
    if (connected.kind !== "connected") throw new Error(connected.message);
    await exchangeCode(deps, connected.connectionId);
    await revokeToken(deps, connected.connectionId, "refresh_token", { confirmed: true });

    await _supportDesk([_client()], `/support?connection=${connected.connectionId}`);
    expect((await screen.findByTestId("bundle-refresh-state")).textContent).toBe("revoked here (RFC 7009)");
    const trail = screen.getByTestId("credential-trail");
    const revocation = within(trail)
      .getAllByRole("listitem")
      .find((row) => row.querySelector(".trail-step")?.textContent?.endsWith("(revocation)"));
    expect(revocation?.querySelector('[data-credential="refresh_token"]')?.textContent).toBe(
      "127.0.0.1:5173 (this browser), 127.0.0.1:5173 (the relay), 127.0.0.1:9000 (the provider)",
    );
    expect(revocation?.querySelector('[data-credential="access_token"]')?.textContent).toBe("not involved");
  });
});
