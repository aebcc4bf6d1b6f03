/**
 * The support desk's Inspect panel: what a pasted token, token response or export says, read in the
 * page without a network call; JWTs decoded (valid, malformed, hostile), everything shown as text.
 */
import { cleanup, fireEvent, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { _client } from "./_render.tsx";
import { _supportDesk } from "./_support.tsx";

afterEach(cleanup);

const HOSTILE = `<img src=x onerror="alert(1)">`;

function _b64url(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return Buffer.from(text, "utf8").toString("base64url");
}

function _jwt(header: unknown, claims: unknown, signature = "c2lnbmF0dXJl"): string {
  return `${_b64url(header)}.${_b64url(claims)}.${signature}`;
}

async function _paste(text: string) {
  const desk = await _supportDesk([_client()]);
  fireEvent.input(desk.box, { target: { value: text } });
  return desk;
}

describe("decoding a pasted JWT", () => {
  it("shows a valid JWT's issuer, audience, scopes and times, without sending anything", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = _jwt(
      { alg: "RS256", typ: "at+jwt", kid: "k1" },
      {
        iss: "https://identity.xero.com",
        aud: ["https://identity.xero.com/resources", "api"],
        sub: "user-42",
        client_id: "xero-app",
        scope: "openid accounting.read offline_access",
        iat: now - 600,
        nbf: now - 600,
        exp: now + 1200,
      },
    );
    const { sentSince } = await _paste(token);
    expect(screen.getByTestId("inspect-summary").textContent).toBe(
      "One token, a JWT: its header and claims are readable below (not verified).",
    );
    const facts = screen.getByTestId("jwt-facts");
    expect(within(facts).getByText("https://identity.xero.com")).toBeTruthy();
    expect(within(facts).getByText("https://identity.xero.com/resources api")).toBeTruthy();
    expect(within(facts).getByText("user-42")).toBeTruthy();
    expect(within(facts).getByText("xero-app")).toBeTruthy();
    expect(screen.getByTestId("jwt-scopes").textContent).toBe("openid accounting.read offline_access");
    expect(within(facts).getByText(/^expires in 19:\d\d$|^expires in 20:00$/)).toBeTruthy();
    expect(within(facts).getAllByText(/^\((10:00|10:0\d) ago\)$/)).toHaveLength(2);
    expect(screen.getByTestId("jwt-claims").textContent).toContain('"sub": "user-42"');
    expect(screen.getByTestId("jwt-header").textContent).toContain('"kid": "k1"');
    // The issuer's host is Xero's: the paste most likely belongs to the Xero recipe.
    expect(screen.getByTestId("origin-guesses").textContent).toContain("Xero");
    expect(sentSince()).toEqual([]);
  });

  it("says an expired JWT expired, and an unsigned one could have been written by anyone", async () => {
    const now = Math.floor(Date.now() / 1000);
    await _paste(_jwt({ alg: "none" }, { sub: "x", exp: now - 90 }, ""));
    const facts = screen.getByTestId("jwt-facts");
    expect(within(facts).getByText(/^expired 1:3\d ago$/)).toBeTruthy();
    expect(within(facts).getByText("(unsigned: anyone could have written it)")).toBeTruthy();
  });

  const malformed: Array<[string, string, string]> = [
    [
      "four parts",
      "eyJhbGciOiJIUzI1NiJ9.eyJ9.x.y",
      "A JWT has three parts separated by dots (or five when encrypted); this has 4.",
    ],
    [
      "a header that is not base64url",
      "eyJ!!!.eyJzdWIiOiJ4In0.sig",
      "The header is not base64url-encoded UTF-8.",
    ],
    [
      "a header that is not JSON",
      `${_b64url('{"alg": ')}.${_b64url({ sub: "x" })}.sig`,
      "The header is not a JSON object.",
    ],
    [
      "a header without alg",
      `${_b64url({ typ: "JWT" })}.${_b64url({ sub: "x" })}.sig`,
      'The header has no "alg" (RFC 7515 §4.1.1).',
    ],
    [
      "claims that are not JSON",
      `${_b64url({ alg: "HS256" })}.${_b64url("[1,2")}.sig`,
      "The claims are not a JSON object.",
    ],
    [
      "claims that are an array",
      `${_b64url({ alg: "HS256" })}.${_b64url([1, 2])}.sig`,
      "The claims are not a JSON object.",
    ],
    [
      "a signature with foreign characters",
      `${_b64url({ alg: "HS256" })}.${_b64url({ sub: "x" })}.a+b/c=`,
      "The signature is not base64url.",
    ],
  ];
  for (const [what, token, problem] of malformed) {
    it(`names what is wrong with a JWT with ${what}`, async () => {
      await _paste(token);
      expect(screen.getByTestId("jwt-kind").textContent).toBe(
        `Shaped like a JWT but not a valid one: ${problem}`,
      );
      expect(screen.queryByTestId("jwt-facts")).toBeNull();
    });
  }

  it("calls a token that is not a JWT opaque, and an encrypted one unreadable", async () => {
    await _paste("fb-at-0123456789abcdef0123456789abcdef");
    expect(screen.getByTestId("jwt-kind").textContent).toBe(
      "An opaque token: it carries no readable claims; only the provider knows what it means.",
    );
    cleanup();
    await _paste(`${_b64url({ alg: "RSA-OAEP", enc: "A256GCM" })}.a.b.c.d`);
    expect(screen.getByTestId("jwt-kind").textContent).toBe(
      "An encrypted JWT (JWE): only the provider can read its claims.",
    );
  });

  it("shows hostile claims and headers as text, never as markup", async () => {
    const token = _jwt(
      { alg: "HS256", kid: HOSTILE },
      {
        iss: HOSTILE,
        aud: HOSTILE,
        sub: `</pre><script>alert(2)</script>`,
        scope: `a ${HOSTILE}`,
        exp: "soon",
      },
    );
    const { container } = await _paste(token);
    const facts = screen.getByTestId("jwt-facts");
    expect(within(facts).getAllByText(HOSTILE)).toHaveLength(2);
    expect(within(facts).getByText("</pre><script>alert(2)</script>")).toBeTruthy();
    expect(screen.getByTestId("jwt-claims").textContent).toContain(
      `"iss": "<img src=x onerror=\\"alert(1)\\">"`,
    );
    // A non-numeric exp is no expiry at all, not a crash.
    expect(within(facts).getByText("no exp claim")).toBeTruthy();
    expect(container.querySelector("img, script")).toBeNull();
  });
});

describe("inspecting pasted JSON", () => {
  it("reads a FreshBooks token response: its created_at dates the expiry, its fields name the provider", async () => {
    const created = Math.floor(Date.now() / 1000) - 3600;
    await _paste(
      JSON.stringify({
        access_token: "fb-at-abcdefabcdefabcdef",
        token_type: "Bearer",
        expires_in: 43200,
        refresh_token: "fb-rt-abcdefabcdefabcdef",
        scope: "user:profile:read",
        created_at: created,
        direct_buy_tokens: {},
      }),
    );
    expect(screen.getByTestId("inspect-summary").textContent).toBe(
      "A token response with access token, refresh token.",
    );
    const facts = screen.getByTestId("inspect-facts");
    expect(within(facts).getByText(/^expires in 1[01]:\d\d:\d\d$/)).toBeTruthy();
    expect(screen.getByTestId("origin-guesses").textContent).toContain(
      'The response has "created_at" and "direct_buy_tokens", which FreshBooks sends.',
    );
    // Tokens stay masked until the page's "Show values" switch is on.
    expect(screen.getByTestId("pasted-refresh_token").textContent).not.toContain("fb-rt-abcdefabcdefabcdef");
    fireEvent.click(screen.getByRole("switch", { name: "Show values" }));
    expect(screen.getByTestId("pasted-refresh_token").textContent).toBe("fb-rt-abcdefabcdefabcdef");
  });

  it("recognises the relay's client in an exported connection and warns about a pasted secret", async () => {
    await _paste(
      JSON.stringify({
        format: "tokendesk.handoff",
        version: 1,
        provider: "demo",
        relay_client: "demo",
        token_endpoint: "http://127.0.0.1:9000/token",
        client_id: "tokendesk-demo",
        refresh_policy: "rotating",
        refresh_token: "rt-exported-123456",
        access_token: "at-exported-123456",
        client_secret: "the-real-secret",
      }),
    );
    expect(screen.getByTestId("inspect-summary").textContent).toBe(
      "An exported connection: what a server was given to keep refreshing (refresh policy rotating).",
    );
    expect(screen.getByRole("alert").textContent).toContain("This paste contains a client secret.");
    // Once the relay's client list has arrived, the export matches its client exactly.
    await waitFor(() => expect(screen.getByTestId("origin-guesses").textContent).toContain("certain"));
    const guesses = screen.getByTestId("origin-guesses").textContent ?? "";
    expect(guesses).toContain("Demo authorization server");
    expect(guesses).toContain(`Its client_id equals client "demo"'s.`);
  });

  it("shows a hostile error_description as text", async () => {
    const { container } = await _paste(
      JSON.stringify({ error: "invalid_grant", error_description: HOSTILE }),
    );
    expect(within(screen.getByTestId("inspect-error")).getByText(HOSTILE)).toBeTruthy();
    expect(container.querySelector("img")).toBeNull();
  });

  it("says what is wrong with a paste it cannot read", async () => {
    await _paste('{"access_token": ');
    expect(screen.getByTestId("inspect-summary").textContent).toBe(
      "This starts like JSON but is not valid JSON: paste the whole answer, from { to }.",
    );
  });
});
