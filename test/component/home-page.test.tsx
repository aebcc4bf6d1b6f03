import { cleanup, fireEvent, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import type { ClientsResponse } from "../../src/relay/contract.ts";
import { HomePage } from "../../src/ui/pages/home-page.tsx";
import { _client, _fetch, _renderAt, ORIGIN } from "./_render.tsx";

afterEach(cleanup);

describe("home page", () => {
  it("lists the relay's clients with the redirect URI to register and an Authorize link", async () => {
    const { impl, calls } = _fetch({ clients: [_client()] });
    _renderAt("/", "/", HomePage, impl);
    expect(await screen.findByRole("heading", { name: "demo · Demo authorization server" })).toBeTruthy();
    expect(screen.getByTestId("redirect-uri").textContent).toBe(`${ORIGIN}/callback/`);
    expect(screen.getByRole("button", { name: "Copy redirect URI" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Authorize" }).getAttribute("href")).toBe("/authorize/demo");
    expect(screen.queryByRole("note")).toBeNull();
    expect(calls).toEqual([`${ORIGIN}/config.json`, `${ORIGIN}/relay/clients`]);
  });

  it("warns when this page's redirect URI is not one the client allows", async () => {
    const { impl } = _fetch({
      clients: [_client({ redirect_uris: ["https://tokendesk.example/callback/"] })],
    });
    _renderAt("/", "/", HomePage, impl);
    const note = await screen.findByRole("note");
    expect(note.textContent).toContain("https://tokendesk.example/callback/");
    expect(note.textContent).toContain("the relay would refuse the exchange");
  });

  it("says what to do when the relay cannot be reached", async () => {
    const { impl } = _fetch({ relayDown: true });
    _renderAt("/", "/", HomePage, impl);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(
      `The relay at ${ORIGIN}/relay cannot be reached. Start it (npm start, or npm run relay)`,
    );
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });

  it("shows a client id from the relay as text, never as markup", async () => {
    const { impl } = _fetch({ clients: [_client({ id: "<img src=x onerror=alert(1)>" })] });
    const { container } = _renderAt("/", "/", HomePage, impl);
    expect((await screen.findAllByText(/<img src=x onerror=alert\(1\)>/)).length).toBeGreaterThan(0);
    expect(container.querySelector("img")).toBeNull();
  });

  it("says so when there are no connections yet", async () => {
    const { impl } = _fetch({ clients: [] });
    _renderAt("/", "/", HomePage, impl);
    expect(await screen.findByText("No connections yet. Authorize a client to make one.")).toBeTruthy();
    expect(screen.getByText(/The relay knows no clients/)).toBeTruthy();
  });
});

describe("the relay's clients changing while the page is open", () => {
  const books = _client({
    id: "books",
    provider: "freeagent",
    environment: "sandbox",
    client_id: "fa-client",
    issuer: null,
    authorization_endpoint: "https://api.sandbox.freeagent.com/v2/approve_app",
    token_endpoint: "https://api.sandbox.freeagent.com/v2/token_endpoint",
  });

  it("follows them when the window regains focus, and says so when the relay refused a new configuration", async () => {
    let answer: ClientsResponse = { clients: [_client()] };
    const { impl } = _fetch({ list: () => answer });
    _renderAt("/", "/", HomePage, impl);
    await screen.findByRole("heading", { name: "demo · Demo authorization server" });

    answer = { clients: [_client(), books] };
    fireEvent.focus(window);
    expect(await screen.findByRole("heading", { name: "books · FreeAgent · sandbox" })).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();

    const problem = 'TOKENDESK_CLIENTS[2].redirect_uris[0] "nope" must be an absolute http or https URL.';
    answer = { clients: [_client(), books], configuration_error: problem };
    fireEvent.focus(window);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(
      `The relay refused its new configuration and still serves the clients it had. What is wrong: ${problem}`,
    );
    expect(screen.getByRole("heading", { name: "books · FreeAgent · sandbox" })).toBeTruthy();

    answer = { clients: [_client()] };
    fireEvent.focus(window);
    await waitFor(() => expect(screen.queryByRole("heading", { name: /^books/ })).toBeNull());
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("asks again when the dev server says the clients changed", async () => {
    let answer: ClientsResponse = { clients: [] };
    const { impl, calls } = _fetch({ list: () => answer });
    _renderAt("/", "/", HomePage, impl);
    await screen.findByText(/The relay knows no clients/);
    answer = { clients: [books] };
    window.dispatchEvent(new Event("tokendesk:clients"));
    expect(await screen.findByRole("heading", { name: "books · FreeAgent · sandbox" })).toBeTruthy();
    expect(calls.filter((url) => url.endsWith("/relay/clients"))).toHaveLength(2);
  });
});

describe("importing tokens", () => {
  it("names what is wrong with a paste it cannot use, and creates nothing", async () => {
    const { impl } = _fetch({ clients: [_client()] });
    _renderAt("/", "/", HomePage, impl);
    await screen.findByText("Import a token response or a refresh token");
    const box = screen.getByLabelText("Token response JSON, or a refresh token alone");
    fireEvent.input(box, { target: { value: "not a token" } });
    fireEvent.click(screen.getByRole("button", { name: "Import" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "A refresh token is one word without spaces. Paste it alone, or paste the whole token response JSON.",
    );
    expect(await screen.findByText("No connections yet. Authorize a client to make one.")).toBeTruthy();
  });
});
