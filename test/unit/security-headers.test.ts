/**
 * The page's security headers come from one module (src/relay/headers.ts); `public/_headers` states
 * them again for static hosts that read it (Netlify, Cloudflare Pages), and must say the same.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "../../src/relay/headers.ts";

/** The headers `_headers` sets for `/*`, in the syntax Netlify and Cloudflare Pages read. */
function _headersFileRules(text: string): Record<string, Record<string, string>> {
  const rules: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      current = {};
      rules[line.trim()] = current;
      continue;
    }
    const colon = line.indexOf(":");
    if (current === undefined || colon < 0) throw new Error(`not a header line: ${line}`);
    current[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return rules;
}

describe("the page's security headers", () => {
  it("public/_headers sets exactly SECURITY_HEADERS on every path", () => {
    const rules = _headersFileRules(readFileSync("public/_headers", "utf8"));
    expect(rules).toEqual({ "/*": SECURITY_HEADERS });
  });

  it("allow no inline or eval script, no framing and no referrer", () => {
    const csp = SECURITY_HEADERS["Content-Security-Policy"] ?? "";
    const directives = csp.split(";").map((directive) => directive.trim());
    expect(directives).toContain("script-src 'self'");
    expect(directives).toContain("default-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(SECURITY_HEADERS["Referrer-Policy"]).toBe("no-referrer");
    expect(SECURITY_HEADERS["X-Content-Type-Options"]).toBe("nosniff");
  });

  it("keep frame-ancestors out of the meta tag's policy, where browsers ignore it with an error", () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain("frame-ancestors");
    expect(SECURITY_HEADERS["Content-Security-Policy"]).toBe(
      `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
    );
  });

  it("let the page reach a relay on another origin over https or loopback, and nothing else", () => {
    expect(CONTENT_SECURITY_POLICY).toContain(
      "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
    );
  });
});
