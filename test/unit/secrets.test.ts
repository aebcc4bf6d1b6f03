import { describe, expect, it } from "vitest";
import { credentialInAuthorization, secretValuesIn, splitSecrets } from "../../src/oauth/secrets.ts";

describe("credentials in an exchange", () => {
  it("finds codes, verifiers and tokens in form and JSON bodies, and Bearer and Basic credentials", () => {
    const values = secretValuesIn([
      {
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          Authorization: "Basic Y2xpZW50OnNlY3JldA==",
        },
        body: "grant_type=authorization_code&code=c0de-1&code_verifier=v3rifier-1&redirect_uri=x",
      },
      {
        headers: { "content-type": "application/json" },
        body: '{"access_token":"at-1","refresh_token":"rt-1","id_token":"eyJ.x.y","token_type":"Bearer","expires_in":60}',
      },
      { headers: { authorization: "Bearer probe-token" }, body: "" },
    ]);
    expect(values.sort()).toEqual(
      ["Y2xpZW50OnNlY3JldA==", "at-1", "c0de-1", "eyJ.x.y", "probe-token", "rt-1", "v3rifier-1"].sort(),
    );
  });

  it("ignores what was already removed: [redacted] and history's fingerprints", () => {
    expect(
      secretValuesIn([
        {
          headers: { authorization: "Basic [redacted]" },
          body: "refresh_token=%5Brefresh_token%201a2b3c4d%5D",
        },
      ]),
    ).toEqual([]);
    expect(credentialInAuthorization("Bearer [redacted]")).toBeNull();
    expect(credentialInAuthorization("Bearer abc.def")).toBe("abc.def");
  });
});

describe("splitting text around credentials", () => {
  it("marks each occurrence, as written and percent-encoded, keeping the text between", () => {
    const parts = splitSecrets("refresh_token=a%2Fb%3D%3D&x=1 then a/b== again", ["a/b=="]);
    expect(parts).toEqual([
      { kind: "text", text: "refresh_token=" },
      { kind: "secret", shown: "a%2Fb%3D%3D", value: "a/b==" },
      { kind: "text", text: "&x=1 then " },
      { kind: "secret", shown: "a/b==", value: "a/b==" },
      { kind: "text", text: " again" },
    ]);
  });

  it("keeps a token whole when a shorter one is inside it", () => {
    expect(splitSecrets("[tok-123456]", ["tok-123456", "123456"])).toEqual([
      { kind: "text", text: "[" },
      { kind: "secret", shown: "tok-123456", value: "tok-123456" },
      { kind: "text", text: "]" },
    ]);
  });

  it("leaves text with no credential as one run, and ignores values too short to hide", () => {
    expect(splitSecrets("grant_type=refresh_token", ["abc", ""])).toEqual([
      { kind: "text", text: "grant_type=refresh_token" },
    ]);
  });
});
