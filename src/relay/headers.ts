/**
 * The page's security headers (DESIGN.md, "Static hosting"; SECURITY.md, "The page") in one place
 * for everything that serves the page: the built index.html's meta tag (src/dev/vite-config.ts),
 * `public/_headers` for hosts that honour it (a test keeps it equal), and the Worker's static
 * responses (src/relay/worker.ts). Plain data, so the Worker can import it without pulling in Vite.
 */

/**
 * The page's Content-Security-Policy as a meta tag can carry it: no inline or eval script, nothing
 * from a third party. `connect-src` allows https and loopback origins because the relay may live on
 * another origin (config.json); tokens only ever go there. `styleHashes` are the `sha256-…` sources
 * of the stylesheets the built HTML carries inline (src/dev/inline-styles.ts): those exact texts and
 * no other inline style.
 */
export function contentSecurityPolicy(styleHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    ["style-src 'self'", ...styleHashes.map((hash) => `'${hash}'`)].join(" "),
    "img-src 'self' data:",
    "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** The policy for a page with no inline stylesheet. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * Headers for every static response. `frame-ancestors` works only as a header (CSP Level 3 §6.4.2:
 * a meta tag's is ignored, with a console error), so it is added here and not in the meta tag;
 * `X-Frame-Options` says the same to browsers older than CSP 2.
 */
export function securityHeaders(styleHashes: readonly string[] = []): Readonly<Record<string, string>> {
  return {
    "Content-Security-Policy": `${contentSecurityPolicy(styleHashes)}; frame-ancestors 'none'`,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
  };
}

/** The headers for a response that carries no inline stylesheet. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = securityHeaders();

/**
 * The `sha256-…` CSP sources of every `<style>` element's text in `html`, as a browser hashes them
 * (CSP Level 3 §8.4: the element's text, UTF-8, base64). Web Crypto, so the Worker can use it.
 */
export async function inlineStyleHashes(html: string): Promise<string[]> {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(match[1] ?? ""));
    hashes.push(`sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`);
  }
  return hashes;
}
