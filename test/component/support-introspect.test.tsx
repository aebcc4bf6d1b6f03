/**
 * Introspection (RFC 7662) as the support desk and the connection page offer it: a read-only check,
 * offered when the relay lists an introspection endpoint for the client, one POST to the relay's
 * introspect route per click with nothing asked first, and the answer explained member by member.
 */
import { cleanup, fireEvent, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import type { RelayClient } from "../../src/oauth/relay-client.ts";
import type { Envelope } from "../../src/relay/contract.ts";
import { openDb } from "../../src/store/db.ts";
import { exchangeCode, receiveCallback } from "../../src/store/lifecycle.ts";
import { listEvents, savePending } from "../../src/store/repo.ts";
import { ConnectionPage } from "../../src/ui/pages/connection/connection-page.tsx";
import { _client, _fetch, _renderAt, ORIGIN } from "./_render.tsx";
import { _pastedDesk, _supportDesk, _tokenFormEnvelope } from "./_support.tsx";

afterEach(cleanup);

const ENDPOINT = "http://127.0.0.1:9000/token/introspection";
const PASTE = JSON.stringify({ access_token: "at-cust-123456", refresh_token: "rt-cust-123456" });
const EXP = Math.floor(Date.now() / 1000) + 3600;

/** The relay's envelope for an introspection the provider answered with `status` and `answer`. */
function _introspection(
  body: { token: string; token_type_hint?: string },
  status: number,
  answer: string,
): Envelope {
  return _tokenFormEnvelope(
    ENDPOINT,
    body,
    { status, headers: { "content-type": "application/json" }, body: answer },
    4,
  );
}

const ACTIVE = JSON.stringify({
  active: true,
  scope: "openid demo:read",
  client_id: "tokendesk-demo",
  sub: "dana",
  exp: EXP,
  token_type: "Bearer",
});

/** The desk with a client that has an introspection endpoint, the paste in, and every POST it sends. */
async function _pasted(answer: (route: string, body: unknown) => Response) {
  return _pastedDesk(_client({ introspection_endpoint: ENDPOINT }), PASTE, answer);
}

describe("introspecting a pasted token", () => {
  it("sends the access token once, without asking first, and explains an active answer", async () => {
    const { posted } = await _pasted((_route, body) =>
      Response.json(_introspection(body as { token: string }, 200, ACTIVE)),
    );
    const checks = screen.getByRole("region", { name: "Safe checks read-only" });
    expect(within(checks).getByTestId("introspection").textContent).toContain(
      "The relay asks 127.0.0.1:9000, and nothing else, whether the token is active",
    );
    fireEvent.click(within(checks).getByRole("button", { name: "Introspect the access token" }));
    const result = await within(checks).findByTestId("introspection-result");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(posted).toEqual([
      ["introspect", { client: "demo", token: "at-cust-123456", token_type_hint: "access_token" }],
    ]);
    expect(within(result).getByTestId("introspection-verdict").textContent).toContain(
      "The access token is active.",
    );
    expect(within(result).getByTestId("introspection-claim-scope").textContent).toBe(
      "openid demo:readWhat the token may do: openid, demo:read (2 scopes).",
    );
    expect(within(result).getByTestId("introspection-claim-client_id").textContent).toContain(
      "The client the token was issued to: this relay client.",
    );
    const exp = within(result).getByTestId("introspection-claim-exp");
    expect(exp.querySelector("time")?.getAttribute("datetime")).toBe(new Date(EXP * 1000).toISOString());
    expect(exp.textContent).toMatch(/\(in (59:\d\d|1:00:00)\)/);
    expect(within(result).getByTestId("upstream-response").textContent).toContain('"active": true');
  });

  it("says what active: false leaves open, for the refresh token", async () => {
    await _pasted((_route, body) =>
      Response.json(_introspection(body as { token: string }, 200, '{"active":false}')),
    );
    fireEvent.click(screen.getByRole("button", { name: "Introspect the refresh token" }));
    const verdict = await screen.findByTestId("introspection-verdict");
    expect(verdict.textContent).toContain("The refresh token is not active.");
    expect(verdict.textContent).toContain(
      "expired, revoked, or was never issued by this server — RFC 7662 §2.2 does not say which.",
    );
  });

  it("says nothing was spent when no answer came", async () => {
    await _pasted(() =>
      Response.json(
        {
          error: "upstream_timeout",
          error_description: `The introspection endpoint ${ENDPOINT} did not answer within 10000 ms. Introspection only reads: nothing was spent and the token is as it was. Introspect again when the endpoint answers.`,
        },
        { status: 504 },
      ),
    );
    fireEvent.click(screen.getByRole("button", { name: "Introspect the access token" }));
    const verdict = await screen.findByTestId("introspection-verdict");
    expect(verdict.textContent).toContain("No answer from the introspection endpoint.");
    expect(verdict.textContent).toContain("nothing was spent");
    expect(verdict.textContent).not.toMatch(/outcome unknown/i);
  });

  it("offers no introspection when the client has no endpoint, and says so", async () => {
    const { box, sentSince } = await _supportDesk([_client()]);
    fireEvent.input(box, { target: { value: PASTE } });
    expect((await screen.findByTestId("introspection")).textContent).toBe(
      "Demo authorization server has no RFC 7662 introspection endpoint tokendesk knows, so there is no server to ask whether the token is active.",
    );
    expect(screen.queryByRole("button", { name: /^Introspect/ })).toBeNull();
    expect(sentSince()).toEqual([]);
  });
});

describe("introspecting a connection's token", () => {
  /** A connection holding at-conn-1 and rt-conn-1, made by the app's own lifecycle in this browser. */
  async function _connection(): Promise<string> {
    const relay: RelayClient = {
      base: `${ORIGIN}/relay`,
      clients: async () => ({ clients: [] }),
      token: async () => ({
        kind: "envelope",
        envelope: {
          sent: { method: "POST", url: "http://127.0.0.1:9000/token", headers: {}, body: "grant_type=x" },
          upstream: {
            status: 200,
            headers: { "content-type": "application/json" },
            body: '{"access_token":"at-conn-1","refresh_token":"rt-conn-1","expires_in":120}',
          },
          ms: 2,
        },
      }),
      revoke: async () => {
        throw new Error("not here");
      },
    };
    const deps = { db: await openDb(), relay, now: Date.now };
    const state = `conn-${Math.random()}`;
    await savePending(deps.db, {
      state,
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
      code: "code-conn-123456",
      state,
      iss: null,
      error: null,
      errorDescription: null,
      errorUri: null,
      extra: {},
    });
    if (connected.kind !== "connected") throw new Error(connected.message);
    await exchangeCode(deps, connected.connectionId);
    return connected.connectionId;
  }

  it("introspects from the connection page, shows the answer and adds it to the history", async () => {
    const id = await _connection();
    const posted: Array<[string, unknown]> = [];
    const { impl } = _fetch({
      clients: [_client({ introspection_endpoint: ENDPOINT })],
      post: (route, body) => {
        posted.push([route, body]);
        return Response.json(_introspection(body as { token: string }, 200, ACTIVE));
      },
    });
    _renderAt(`/connections/${id}`, "/connections/:id", ConnectionPage, impl);
    const panel = await screen.findByRole("region", { name: "Introspect read-only" });
    expect(within(panel).getByTestId("introspect-note").textContent).toContain(
      "It only reads: nothing is spent, no token changes, and refreshes go on as before.",
    );
    fireEvent.click(within(panel).getByRole("button", { name: "Introspect the refresh token" }));
    await within(panel).findByTestId("introspection-result");
    expect(posted).toEqual([
      ["introspect", { client: "demo", token: "rt-conn-1", token_type_hint: "refresh_token" }],
    ]);
    await waitFor(async () => {
      const events = await listEvents(await openDb(), id);
      expect(events.at(-1)?.type).toBe("introspected");
    });
    await screen.findByText(/^Introspected the refresh token [0-9a-f]{8}: active \(RFC 7662\)/);
  });

  it("says in one line when the client has no introspection endpoint", async () => {
    const id = await _connection();
    const { impl } = _fetch({ clients: [_client()] });
    _renderAt(`/connections/${id}`, "/connections/:id", ConnectionPage, impl);
    const note = await screen.findByTestId("introspect-note");
    expect(note.textContent).toBe(
      "Demo authorization server has no RFC 7662 introspection endpoint tokendesk knows: there is no server to ask whether these tokens are still active.",
    );
    expect(screen.queryByRole("button", { name: /^Introspect/ })).toBeNull();
  });
});
