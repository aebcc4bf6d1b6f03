/**
 * Steps that need the network say so before trying, and mark nothing as sent: offline (the browser
 * says so), or with a relay that did not answer its client list and still does not.
 */
import { cleanup, fireEvent, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "../../src/store/db.ts";
import { newConnection } from "../../src/store/lifecycle/shared.ts";
import { getConnection, putConnection } from "../../src/store/repo.ts";
import { ConnectionPage } from "../../src/ui/pages/connection/connection-page.tsx";
import { DiscoverPage } from "../../src/ui/pages/discover-page.tsx";
import { _client, _fetch, _renderAt, ORIGIN } from "./_render.tsx";

afterEach(() => {
  cleanup();
  // Back to jsdom's own (online) navigator.onLine.
  delete (navigator as { onLine?: boolean }).onLine;
});

/** A connection holding a code that was never sent. */
async function _withCode(id: string): Promise<void> {
  const now = Date.now();
  const db = await openDb();
  await db.tx("readwrite", (store) => {
    putConnection(
      store,
      {
        ...newConnection(id, now, { clientId: "demo", provider: "demo" }),
        authorization: {
          code: "c0de-never-sent-123456",
          codeVerifier: "v3rifier-never-sent-abcdefghijklmnop",
          redirectUri: `${ORIGIN}/callback/`,
          receivedAt: now,
          expiresAt: null,
          iss: null,
          extra: {},
          exchangeStartedAt: null,
        },
      },
      [],
    );
  });
}

async function _exchangeStartedAt(id: string): Promise<number | null | undefined> {
  return (await getConnection(await openDb(), id))?.authorization?.exchangeStartedAt;
}

describe("steps that need the network", () => {
  it("offline, says so instead of exchanging, and leaves the code unsent", async () => {
    await _withCode("offline-1");
    Object.defineProperty(navigator, "onLine", { configurable: true, get: () => false });
    const { impl, calls } = _fetch({ clients: [_client()] });
    _renderAt("/connections/offline-1", "/connections/:id", ConnectionPage, impl);
    fireEvent.click(await screen.findByRole("button", { name: "Exchange" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "You are offline, so the code exchange was not sent. Nothing was spent or marked as sent: try again once you are back online.",
    );
    expect(calls.filter((url) => url.includes("/relay/"))).toEqual([]);
    expect(await _exchangeStartedAt("offline-1")).toBeNull();
    expect(screen.getByRole("button", { name: "Exchange" })).toBeTruthy();
  });

  it("with the relay unreachable, asks it once more, then says so instead of exchanging", async () => {
    await _withCode("offline-2");
    const { impl, calls } = _fetch({ relayDown: true });
    _renderAt("/connections/offline-2", "/connections/:id", ConnectionPage, impl);
    fireEvent.click(await screen.findByRole("button", { name: "Exchange" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("cannot be reached");
    expect(alert.textContent).toContain(
      "So the code exchange was not sent; nothing was spent or marked as sent.",
    );
    // Its client list, asked at start and again before the exchange; never the token endpoint.
    expect(calls.filter((url) => url.includes("/relay/"))).toEqual([
      `${ORIGIN}/relay/clients`,
      `${ORIGIN}/relay/clients`,
    ]);
    expect(await _exchangeStartedAt("offline-2")).toBeNull();
  });

  it("offline, says so instead of reading an issuer's metadata, and asks nobody", async () => {
    Object.defineProperty(navigator, "onLine", { configurable: true, get: () => false });
    const { impl, calls } = _fetch({ clients: [_client()] });
    _renderAt("/discover", "/discover", DiscoverPage, impl);
    fireEvent.input(await screen.findByLabelText("Issuer"), { target: { value: "https://as.example" } });
    fireEvent.click(screen.getByRole("button", { name: "Discover" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "You are offline, so the discovery request was not sent.",
    );
    expect(calls.filter((url) => !url.endsWith("/config.json"))).toEqual([]);
  });
});
