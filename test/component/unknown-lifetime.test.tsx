/**
 * A code or token whose lifetime the provider does not state shows how old it is, counting up from
 * the shared clock; a code also shows RFC 6749 §4.1.2's ten-minute advice against its age.
 */
import { cleanup, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Connection } from "../../src/store/records.ts";
import { Countdown } from "../../src/ui/components/countdown.tsx";
import { CodeStep } from "../../src/ui/pages/connection/code-step.tsx";

const START = Date.UTC(2026, 10, 23, 12, 0, 0);

afterEach(cleanup);

describe("Countdown without a stated expiry", () => {
  it("counts the age up from when it was received", () => {
    const [now, setNow] = createSignal(START + 42_000);
    render(() => <Countdown label="Access token expires" expiresAt={null} receivedAt={START} now={now()} />);
    const shown = screen.getByText(/no expiry stated/);
    expect(shown.textContent).toBe("no expiry stated · received 0:42 ago");
    setNow(START + 3_723_000);
    expect(shown.textContent).toBe("no expiry stated · received 1:02:03 ago");
    setNow(START + 3 * 86_400_000 + 5_000);
    expect(shown.textContent).toBe("no expiry stated · received 3 d 00:00:05 ago");
  });

  it("says only that no expiry was stated when it does not know when it was received", () => {
    render(() => <Countdown label="Refresh token expires" expiresAt={null} receivedAt={null} now={START} />);
    expect(screen.getByText(/no expiry stated/).textContent).toBe("no expiry stated");
  });
});

function _awaitingExchange(expiresAt: number | null): Connection {
  return {
    id: "c1",
    name: "custom · 2026-11-23 12:00",
    clientId: "my-app",
    provider: "custom",
    scopeRequested: "",
    createdAt: START,
    updatedAt: START,
    revision: 1,
    authorization: {
      code: "the-code",
      codeVerifier: "v",
      redirectUri: "http://127.0.0.1:5173/callback/",
      receivedAt: START,
      expiresAt,
      iss: null,
      extra: {},
      exchangeStartedAt: null,
    },
    tokenSet: null,
    refreshTokenStatus: "active",
    lastExchange: null,
    problem: null,
    settings: { autoRefresh: false, autoRefreshLeadSeconds: 30 },
    handedOffAt: null,
    inFlight: null,
    recentRefreshes: [],
    retryAfterUntil: null,
  };
}

describe("a code whose provider states no lifetime", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows its age from the shared clock, and RFC 6749's ten minutes until they have passed", async () => {
    render(() => <CodeStep connection={_awaitingExchange(null)} busy={false} onExchange={() => {}} />);
    const age = screen.getByText(/lifetime not known/);
    const advice = screen.getByTestId("code-lifetime-advice");
    // The clock ticks just after each whole second.
    await vi.advanceTimersByTimeAsync(42_010);
    expect(age.textContent).toBe("lifetime not known · received 0:42 ago");
    expect(advice.textContent).toBe(
      "The provider states no lifetime for its codes. RFC 6749 §4.1.2 advises that codes live at most 10 minutes: exchange this one within 9:17.",
    );
    await vi.advanceTimersByTimeAsync(9 * 60_000 + 30_000);
    expect(age.textContent).toBe("lifetime not known · received 10:12 ago");
    expect(advice.textContent).toBe(
      "The provider states no lifetime for its codes. RFC 6749 §4.1.2 advises that codes live at most 10 minutes; this one is older than that, so it has most likely expired. If the exchange fails with invalid_grant, authorize again.",
    );
  });

  it("says nothing of the RFC when the provider states the lifetime", () => {
    render(() => (
      <CodeStep connection={_awaitingExchange(START + 300_000)} busy={false} onExchange={() => {}} />
    ));
    expect(document.querySelector("time.countdown")?.getAttribute("datetime")).toBe(
      "2026-11-23T12:05:00.000Z",
    );
    expect(screen.queryByText(/lifetime not known/)).toBeNull();
    expect(screen.queryByTestId("code-lifetime-advice")).toBeNull();
  });
});
