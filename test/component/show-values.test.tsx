import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { fingerprint } from "../../src/oauth/fingerprint.ts";
import { HttpExchange } from "../../src/ui/components/http-exchange.tsx";
import { ShowValuesScope, ShowValuesSwitch } from "../../src/ui/components/secret-values.tsx";
import { TokenField } from "../../src/ui/components/token-field.tsx";

afterEach(cleanup);

const CODE = "c0de-Sk3Lx0b2";
const VERIFIER = "v3rifier-Zr9qTq7pYk1";
const ACCESS = "at-9f8e7d6c5b4a";
const REFRESH = "rt-1a2b3c4d5e6f/+=";
const ID_TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJkYW5hIn0.";
const KNOWN = "known-only-9Zx";

/** Everything the page says, to a reader or in an attribute: what a screen share or a scraper would get. */
function _pageText(): string {
  const attributes = [...document.body.querySelectorAll("*")].flatMap((el) =>
    [...el.attributes].map((a) => a.value),
  );
  return [document.body.textContent ?? "", ...attributes].join("\n");
}

function _page() {
  return render(() => (
    <ShowValuesScope>
      <ShowValuesSwitch />
      <TokenField label="Access token" value={ACCESS} testId="access-token" />
      <HttpExchange
        sent={{
          method: "POST",
          url: "https://as.example/token",
          headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic [redacted]" },
          body: `grant_type=authorization_code&code=${CODE}&code_verifier=${VERIFIER}&redirect_uri=x`,
        }}
        upstream={{
          status: 200,
          headers: { "content-type": "application/json", "x-echo": KNOWN },
          body: JSON.stringify({
            access_token: ACCESS,
            refresh_token: REFRESH,
            id_token: ID_TOKEN,
            expires_in: 60,
          }),
        }}
        secrets={[KNOWN]}
      />
    </ShowValuesScope>
  ));
}

describe("Show values", () => {
  it("masks tokens, codes and verifiers in token fields and raw panels until the page's switch is on", async () => {
    _page();
    const text = _pageText();
    for (const value of [CODE, VERIFIER, ACCESS, REFRESH, encodeURIComponent(REFRESH), ID_TOKEN, KNOWN]) {
      expect(text.includes(value), value).toBe(false);
    }
    // The rest of the exchange stays readable, and each hidden value says what it is.
    expect(screen.getByTestId("sent-request").textContent).toContain("grant_type=authorization_code&code=");
    expect(screen.getByTestId("upstream-response").textContent).toContain('"expires_in": 60');
    expect(screen.getAllByText("hidden value", { exact: false }).length).toBeGreaterThanOrEqual(7);
    const print = await fingerprint(ACCESS);
    await waitFor(() => expect(screen.getByTestId("access-token").textContent).toContain(`••••${print}`));

    const toggle = screen.getByRole("switch", { name: "Show values" });
    expect((toggle as HTMLInputElement).checked).toBe(false);
    fireEvent.click(toggle);
    expect(screen.getByTestId("access-token").textContent).toBe(ACCESS);
    expect(screen.getByTestId("sent-request").textContent).toContain(
      `code=${CODE}&code_verifier=${VERIFIER}`,
    );
    expect(screen.getByTestId("upstream-response").textContent).toContain(`"refresh_token": "${REFRESH}"`);
    expect(screen.getByTestId("upstream-response").textContent).toContain(`x-echo: ${KNOWN}`);

    fireEvent.click(toggle);
    expect(_pageText().includes(ACCESS)).toBe(false);
  });

  it("copies the real value while it is masked", async () => {
    let copied = "";
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: {
        async writeText(value: string) {
          copied = value;
        },
      },
    });
    _page();
    fireEvent.click(screen.getByRole("button", { name: "Copy Access token" }));
    await waitFor(() => expect(copied).toBe(ACCESS));
    expect(_pageText().includes(ACCESS)).toBe(false);
  });

  it("stays off in a new page: the switch is kept nowhere", () => {
    const first = _page();
    fireEvent.click(screen.getByRole("switch", { name: "Show values" }));
    expect(_pageText().includes(ACCESS)).toBe(true);
    first.unmount();
    _page();
    expect(_pageText().includes(ACCESS)).toBe(false);
  });
});
