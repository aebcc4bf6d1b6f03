/**
 * The page's security headers (DESIGN.md, "Static hosting"; SECURITY.md, "The page") in one place
 * for everything that serves the page: the built index.html's meta tag (src/dev/vite-config.ts),
 * `public/_headers` for hosts that honour it (a test keeps it equal), and the Worker's static
 * responses (src/relay/worker.ts). Plain data, so the Worker can import it without pulling in Vite.
 */

/**
 * The page's Content-Security-Policy as a meta tag can carry it: no inline or eval script, nothing
 * from a third party. `connect-src` allows https and loopback origins because the relay may live on
 * another origin (config.json); tokens only ever go there.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join("; ");

/**
 * Headers for every static response. `frame-ancestors` works only as a header (CSP Level 3 §6.4.2:
 * a meta tag's is ignored, with a console error), so it is added here and not in the meta tag;
 * `X-Frame-Options` says the same to browsers older than CSP 2.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
};
