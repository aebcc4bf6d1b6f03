import { cleanup, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, describe, expect, it } from "vitest";
import { Countdown } from "../../src/ui/components/countdown.tsx";
import { HttpExchange } from "../../src/ui/components/http-exchange.tsx";

afterEach(cleanup);

describe("Countdown", () => {
  it("counts down from the shared clock and says when it expired", () => {
    const start = Date.UTC(2026, 10, 23, 12, 0, 0);
    const [now, setNow] = createSignal(start);
    render(() => (
      <Countdown label="Access token expires" expiresAt={start + 120_000} issuedAt={start} now={now()} />
    ));
    const text = screen.getByText("expires in 2:00");
    const timer = text.closest("time");
    const announced = screen.getByText("Access token valid");
    expect(timer?.getAttribute("datetime")).toBe("2026-11-23T12:02:00.000Z");
    expect(timer?.getAttribute("title")).toContain("2026-11-23 12:02:00 UTC");
    expect(timer?.textContent).toContain(", at ");
    setNow(start + 95_000);
    expect(text.textContent).toBe("expires in 0:25");
    expect(timer?.classList.contains("soon")).toBe(true);
    expect(announced.textContent).toBe("Access token expires soon");
    // Screen readers hear the band, not every second: the live text stays put within a band.
    setNow(start + 96_000);
    expect(announced.textContent).toBe("Access token expires soon");
    // A tab that slept for an hour shows the truth at its first tick.
    setNow(start + 3_600_000);
    expect(text.textContent).toBe("expired 58:00 ago");
    expect(timer?.classList.contains("expired")).toBe(true);
    expect(announced.textContent).toBe("Access token has expired");
    expect(announced.getAttribute("aria-live")).toBe("polite");
  });

  it("says when no expiry was stated", () => {
    render(() => <Countdown label="Refresh token expires" expiresAt={null} now={0} />);
    expect(screen.getByText("no expiry stated")).toBeTruthy();
  });
});

describe("HttpExchange", () => {
  it("shows the request and the raw answer, pretty-printing JSON and keeping HTML as text", () => {
    const { container } = render(() => (
      <HttpExchange
        sent={{
          method: "POST",
          url: "https://as.example/token",
          headers: { authorization: "Basic [redacted]" },
          body: "grant_type=refresh_token",
        }}
        upstream={{
          status: 401,
          headers: { "content-type": "text/html" },
          body: "<b>HTTP Basic: Access denied.</b>\n",
        }}
        ms={12}
      />
    ));
    expect(screen.getByTestId("sent-request").textContent).toContain("POST https://as.example/token");
    expect(screen.getByTestId("sent-request").textContent).toContain("authorization: Basic [redacted]");
    expect(screen.getByText("Response · 401 · 12 ms")).toBeTruthy();
    expect(screen.getByTestId("upstream-response").textContent).toContain(
      "<b>HTTP Basic: Access denied.</b>",
    );
    expect(container.querySelector("b")).toBeNull();
  });
});
