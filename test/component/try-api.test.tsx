/**
 * "Try the API" on the connection page, against a relay played by the test: what is sent (and what is
 * not), how the answer shows, what history keeps, and what an expired, handed-off or dead token offers.
 */
import { cleanup, fireEvent, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiCallRequest, Envelope, PublicClient } from "../../src/relay/contract.ts";
import { openDb } from "../../src/store/db.ts";
import { newConnection } from "../../src/store/lifecycle/shared.ts";
import type { Connection } from "../../src/store/records.ts";
import { listEvents, putConnection } from "../../src/store/repo.ts";
import { ConnectionPage } from "../../src/ui/pages/connection/connection-page.tsx";
import { _client, _fetch, _renderAt } from "./_render.tsx";

const ACCESS = "at-try-Zq81/x+y";
const REFRESH = "rt-try-Kk02";
const BASE = "http://127.0.0.1:9000/api/";

afterEach(() => {
  cleanup();
  delete (navigator as { onLine?: boolean }).onLine;
});

/** Stores a connection with a token set; `patch` changes the connection, `expiresIn` the access token's life. */
async function _connection(
  id: string,
  options: { expiresIn?: number; patch?: Partial<Connection>; provider?: string } = {},
) {
  const now = Date.now();
  const provider = options.provider ?? "demo";
  const db = await openDb();
  await db.tx("readwrite", (store) => {
    putConnection(
      store,
      {
        ...newConnection(id, now, { clientId: provider, provider }),
        tokenSet: {
          accessToken: ACCESS,
          tokenType: "Bearer",
          scope: "openid demo:read",
          refreshToken: REFRESH,
          idToken: null,
          receivedAt: now - 200_000,
          accessExpiresAt: now + (options.expiresIn ?? 100_000),
          refreshExpiresAt: null,
          refreshExpirySource: "none",
          refreshReceivedAt: now - 200_000,
          raw: {},
        },
        ...options.patch,
      },
      [],
    );
  });
}

function _envelope(
  request: ApiCallRequest,
  status: number,
  body: string,
  contentType = "application/json",
): Envelope {
  return {
    sent: {
      method: request.method,
      url: request.url,
      headers: { ...request.headers, authorization: "Bearer [redacted]" },
      body: request.body ?? "",
    },
    upstream: { status, headers: { "content-type": contentType }, body },
    ms: 42,
  };
}

/** The page for connection `id`, with a relay whose `/api` answers `answer`; every API request is kept. */
function _page(
  id: string,
  answer: (request: ApiCallRequest) => Response,
  client: Partial<PublicClient> = { api_base_urls: [BASE] },
) {
  const api: ApiCallRequest[] = [];
  const posts: string[] = [];
  const { impl, calls } = _fetch({
    clients: [_client({ ...client, id: client.id ?? "demo", provider: client.provider ?? "demo" })],
    post: (route, body) => {
      posts.push(route);
      if (route !== "api")
        return Response.json({ error: "unexpected", error_description: route }, { status: 400 });
      api.push(body as ApiCallRequest);
      return answer(body as ApiCallRequest);
    },
  });
  _renderAt(`/connections/${id}`, "/connections/:id", ConnectionPage, impl);
  return { api, posts, calls };
}

function _panel() {
  return within(screen.getByRole("region", { name: /^Try the API/ }));
}

async function _ready() {
  await screen.findByRole("region", { name: /^Try the API/ });
  await waitFor(() => expect((_panel().getByLabelText("URL") as HTMLInputElement).value).toBe(BASE));
}

describe("Try the API", () => {
  it("sends a GET with the connection's token through the relay, shows the answer as a tree and as text, and records it without the query's values", async () => {
    await _connection("api-1");
    const { api } = _page("api-1", (request) =>
      Response.json(
        _envelope(request, 200, JSON.stringify({ sub: "dana", scope: "openid demo:read", n: 3 })),
      ),
    );
    await _ready();
    expect(_panel().getByTestId("api-badge").textContent).toBe("read-only");
    fireEvent.input(_panel().getByLabelText("URL"), {
      target: { value: `${BASE}profile?email=dana@example.test` },
    });
    fireEvent.click(_panel().getByRole("button", { name: "Send" }));
    await _panel().findByTestId("api-answer");
    expect(api).toEqual([
      {
        client: "demo",
        access_token: ACCESS,
        method: "GET",
        url: `${BASE}profile?email=dana@example.test`,
        headers: { Accept: "application/json" },
      },
    ]);
    expect(_panel().getByTestId("api-status").textContent).toBe("200");
    expect(_panel().getByTestId("api-time").textContent).toBe("42 ms");
    const tree = _panel().getByRole("list", { name: "The answer's JSON" });
    expect(tree.textContent).toContain('sub: "dana"');
    expect(tree.textContent).toContain("n: 3");
    expect(_panel().getByTestId("api-body").textContent).toContain('"scope": "openid demo:read"');
    await waitFor(async () => {
      const events = await listEvents(await openDb(), "api-1");
      expect(events.map((e) => [e.type, e.summary])).toEqual([
        ["api", `API call GET ${BASE}profile?email=[…]: 200 in 42 ms.`],
      ]);
      const stored = JSON.stringify(events);
      expect(stored).not.toContain(ACCESS);
      expect(stored).not.toContain("dana@example.test");
      expect(stored).not.toContain('"sub"');
    });
    await screen.findByText(`API call GET ${BASE}profile?email=[…]: 200 in 42 ms.`);
  });

  it("shows an HTML answer as text, never as markup, and masks the connection's token when an API echoes it", async () => {
    await _connection("api-2");
    _page("api-2", (request) =>
      Response.json(
        _envelope(request, 200, `<img src="x" onerror="alert(1)"><p>token ${ACCESS}</p>`, "text/html"),
      ),
    );
    await _ready();
    fireEvent.click(_panel().getByRole("button", { name: "Send" }));
    const body = await _panel().findByTestId("api-body");
    expect(document.querySelector(".api-answer img")).toBeNull();
    expect(body.textContent).toContain('<img src="x" onerror="alert(1)">');
    expect(document.body.textContent).not.toContain(ACCESS);
    fireEvent.click(screen.getByRole("switch", { name: "Show values" }));
    expect(body.textContent).toContain(ACCESS);
  });

  it("asks before a POST, naming what it may change; Cancel sends nothing", async () => {
    await _connection("api-3");
    const { api } = _page("api-3", (request) => Response.json(_envelope(request, 201, '{"note":{"id":1}}')));
    await _ready();
    fireEvent.change(_panel().getByLabelText("Method"), { target: { value: "POST" } });
    expect(_panel().getByTestId("api-badge").textContent).toBe("may change data");
    fireEvent.input(_panel().getByLabelText("URL"), { target: { value: `${BASE}notes` } });
    fireEvent.input(_panel().getByLabelText(/^Headers/), {
      target: { value: "Accept: application/json\nContent-Type: application/json" },
    });
    fireEvent.input(_panel().getByLabelText(/^Body/), { target: { value: '{"text": "a note",}' } });
    expect(_panel().getByTestId("api-check").textContent).toMatch(
      /^Not sent as it is: The body is not valid JSON: the parser stopped at line 1, column \d+\./,
    );
    expect((_panel().getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.input(_panel().getByLabelText(/^Body/), { target: { value: '{"text": "a note"}' } });
    fireEvent.click(_panel().getByRole("button", { name: "Send" }));
    const dialog = await screen.findByRole("alertdialog", {
      name: "Send a POST to Demo authorization server?",
    });
    expect(dialog.textContent).toContain(
      "A POST may create something at Demo authorization server (127.0.0.1:9000/api/notes)",
    );
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(api).toEqual([]);
    fireEvent.click(_panel().getByRole("button", { name: "Send" }));
    fireEvent.click(await screen.findByRole("button", { name: "Send the POST" }));
    await _panel().findByTestId("api-answer");
    expect(api).toHaveLength(1);
    expect(api[0]).toMatchObject({
      method: "POST",
      body: '{"text": "a note"}',
      headers: { "Content-Type": "application/json" },
    });
  });

  it("says beforehand when the relay would refuse the URL, with the relay's own rule", async () => {
    await _connection("api-4");
    const { api } = _page("api-4", (request) => Response.json(_envelope(request, 200, "{}")));
    await _ready();
    fireEvent.input(_panel().getByLabelText("URL"), { target: { value: "http://127.0.0.1:9000/token" } });
    expect(_panel().getByTestId("api-check").textContent).toBe(
      'Not sent as it is: The relay would refuse this URL: it has the path "/token", outside the API base "http://127.0.0.1:9000/api/".',
    );
    fireEvent.input(_panel().getByLabelText("URL"), { target: { value: `${BASE}../token` } });
    expect(_panel().getByTestId("api-check").textContent).toContain("after resolving its dot segments");
    expect((_panel().getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    expect(api).toEqual([]);
  });

  it("offers a refresh first when the access token expired, and asks first when it was handed off", async () => {
    await _connection("api-5", { expiresIn: -90_000, patch: { handedOffAt: Date.now() - 300_000 } });
    const { api, posts } = _page("api-5", (request) =>
      Response.json(_envelope(request, 401, '{"error":"invalid_token"}')),
    );
    await _ready();
    expect(_panel().getByTestId("api-expired").textContent).toMatch(/^The access token expired 1:[23]\d ago/);
    fireEvent.click(_panel().getByRole("button", { name: "Refresh first" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Refresh a handed-off token?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(posts).toEqual([]);
    fireEvent.click(_panel().getByRole("button", { name: "Send anyway" }));
    await _panel().findByTestId("api-answer");
    expect(api).toHaveLength(1);
    expect(_panel().getByTestId("api-status").textContent).toBe("401");
    expect(_panel().getByTestId("api-answer").textContent).toContain("the token was refused");
  });

  it("offers no refresh when the refresh token is dead, and says to authorize again", async () => {
    await _connection("api-6", { expiresIn: -1000, patch: { refreshTokenStatus: "dead" } });
    _page("api-6", (request) => Response.json(_envelope(request, 200, "{}")));
    await _ready();
    expect(_panel().queryByRole("button", { name: "Refresh first" })).toBeNull();
    expect(_panel().getByTestId("api-expired").textContent).toContain(
      "The refresh token is dead, so there is nothing to refresh with: authorize again.",
    );
  });

  it("offline, says so and sends nothing", async () => {
    await _connection("api-7");
    const { api } = _page("api-7", (request) => Response.json(_envelope(request, 200, "{}")));
    await _ready();
    Object.defineProperty(navigator, "onLine", { configurable: true, get: () => false });
    fireEvent.click(_panel().getByRole("button", { name: "Send" }));
    expect((await _panel().findByRole("alert")).textContent).toBe(
      "You are offline, so the API call was not sent. Nothing was spent or marked as sent: try again once you are back online.",
    );
    expect(api).toEqual([]);
  });

  it("shows the relay's refusal, and says nothing was sent", async () => {
    await _connection("api-8");
    _page("api-8", () =>
      Response.json(
        { error: "header_not_allowed", error_description: 'The relay does not pass on "X-Api-Key".' },
        { status: 400 },
      ),
    );
    await _ready();
    fireEvent.click(_panel().getByRole("button", { name: "Send" }));
    expect((await _panel().findByTestId("api-refused")).textContent).toBe(
      'The relay refused the call (header_not_allowed): The relay does not pass on "X-Api-Key". Nothing was sent to the API.',
    );
  });

  it("copies as curl with $ACCESS_TOKEN, and with the real token only once asked", async () => {
    await _connection("api-9");
    _page("api-9", (request) => Response.json(_envelope(request, 200, "{}")));
    await _ready();
    fireEvent.input(_panel().getByLabelText("URL"), { target: { value: `${BASE}profile?x=it's` } });
    const curl = _panel().getByTestId("api-curl");
    expect(curl.textContent).toBe(
      `curl '${BASE}profile?x=it'\\''s' -H "Authorization: Bearer $ACCESS_TOKEN" -H 'Accept: application/json'`,
    );
    fireEvent.click(_panel().getByRole("checkbox", { name: "Put the real access token in the copy" }));
    expect(_panel().getByText(/The copy holds this connection's live access token/)).toBeDefined();
    // Masked on screen until "Show values", like every other token.
    expect(curl.textContent).not.toContain(ACCESS);
    fireEvent.click(screen.getByRole("switch", { name: "Show values" }));
    expect(curl.textContent).toContain(`-H 'Authorization: Bearer ${ACCESS}'`);
  });

  it("fills a sample's input from an earlier sample's answer (FreshBooks' account id)", async () => {
    await _connection("api-10", { provider: "freshbooks" });
    const fb = "https://api.freshbooks.com/";
    const { api } = _page(
      "api-10",
      (request) =>
        Response.json(
          _envelope(
            request,
            200,
            JSON.stringify({ response: { business_memberships: [{ business: { account_id: "xZNQ1X" } }] } }),
          ),
        ),
      { id: "freshbooks", provider: "freshbooks", api_base_urls: [fb] },
    );
    await screen.findByRole("region", { name: /^Try the API/ });
    await _panel().findByRole("button", { name: "GET Clients of the first business" });
    expect(
      _panel().getByText(
        /needs the first business's account id: send "Who am I, and which businesses" first/,
      ),
    ).toBeDefined();
    fireEvent.click(_panel().getByRole("button", { name: "GET Clients of the first business" }));
    expect(_panel().getByTestId("api-check").textContent).toContain("Fill in {accountId} first");
    fireEvent.click(_panel().getByRole("button", { name: "GET Who am I, and which businesses" }));
    expect((_panel().getByLabelText("URL") as HTMLInputElement).value).toBe(`${fb}auth/api/v1/users/me`);
    fireEvent.click(_panel().getByRole("button", { name: "Send" }));
    await _panel().findByTestId("api-answer");
    fireEvent.click(_panel().getByRole("button", { name: "GET Clients of the first business" }));
    expect((_panel().getByLabelText("URL") as HTMLInputElement).value).toBe(
      `${fb}accounting/account/xZNQ1X/users/clients`,
    );
    expect(api.map((r) => r.url)).toEqual([`${fb}auth/api/v1/users/me`]);
  });

  it("says when the relay knows no API for the client", async () => {
    await _connection("api-11");
    _page("api-11", (request) => Response.json(_envelope(request, 200, "{}")), { api_base_urls: [] });
    expect((await screen.findByTestId("api-note")).textContent).toContain(
      'The relay knows no API for client "demo"',
    );
  });
});
