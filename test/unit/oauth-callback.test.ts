import { describe, expect, it } from "vitest";
import { isCallback, parseCallback } from "../../src/oauth/callback.ts";
import { checkCallback } from "../../src/oauth/callback-check.ts";

const expected = { state: "s1", issuer: "http://127.0.0.1:9000" };

describe("callback", () => {
  it("accepts a code whose state and iss match, keeping extra parameters", () => {
    const params = parseCallback("?code=c1&state=s1&iss=http%3A%2F%2F127.0.0.1%3A9000&realmId=42");
    expect(params.extra).toEqual({ realmId: "42" });
    expect(checkCallback(params, expected)).toEqual({ ok: true, code: "c1" });
  });

  it("accepts a code without iss (most providers send none)", () => {
    expect(checkCallback(parseCallback("?code=c1&state=s1"), expected)).toEqual({ ok: true, code: "c1" });
  });

  it("refuses a callback without state", () => {
    expect(checkCallback(parseCallback("?code=c1"), expected)).toMatchObject({
      ok: false,
      problem: "missing_state",
    });
  });

  it("refuses a mismatched state", () => {
    expect(checkCallback(parseCallback("?code=c1&state=s2"), expected)).toMatchObject({
      ok: false,
      problem: "state_mismatch",
    });
  });

  it("refuses an answer from another issuer", () => {
    const check = checkCallback(parseCallback("?code=c1&state=s1&iss=https%3A%2F%2Fevil.example"), expected);
    expect(check).toMatchObject({ ok: false, problem: "issuer_mismatch" });
  });

  it("reports the provider's error with its description", () => {
    const check = checkCallback(
      parseCallback("?error=access_denied&error_description=User+said+no&state=s1"),
      expected,
    );
    expect(check).toEqual({
      ok: false,
      problem: "authorization_error",
      message: 'The provider answered "access_denied": User said no',
    });
  });

  it("refuses a matching state without code", () => {
    expect(checkCallback(parseCallback("?state=s1"), expected)).toMatchObject({
      ok: false,
      problem: "missing_code",
    });
  });

  it("tells a callback query from an ordinary one", () => {
    expect(isCallback("?code=1&state=2")).toBe(true);
    expect(isCallback("?error=x")).toBe(true);
    expect(isCallback("")).toBe(false);
    expect(isCallback("?utm_source=x")).toBe(false);
  });
});
