/**
 * Puts the built pages' stylesheets into their HTML, and their hashes into the page's CSP (the meta
 * tag and `_headers`), so the first frame waits for no request but the page itself (issue 14).
 *
 * Why: the frame is in the HTML (src/ui/shell.ts), but a linked stylesheet blocks rendering until it
 * arrives, and in a fresh browser context on a busy two-core machine that request alone took 40 to
 * 80 ms: first contentful paint stood at ×1.6 to ×1.9 of an empty page's (budget ×1.5); inlined, it
 * measured ×1.27 to ×1.43. The stylesheet is 2.2 kB gzip and shared by every page.
 *
 * The CSP stays strict: `style-src 'self'` plus the SHA-256 of exactly the inlined text, never
 * `'unsafe-inline'`; the Worker hashes the `<style>` of each HTML it serves the same way
 * (`inlineStyleHashes`, src/relay/headers.ts). A stylesheet that names a relative `url(…)` (which
 * would then resolve against the page) or holds `</style` is left linked.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import type { Plugin } from "vite";
import { contentSecurityPolicy, inlineStyleHashes, securityHeaders } from "../relay/headers.ts";

const STYLESHEET_LINK = /<link\b[^>]*\brel="stylesheet"[^>]*>/g;
const CSP_META = /<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*\/?>/;

/** Whether `css` keeps its meaning inside a `<style>` element of a page in another directory. */
function inlinable(css: string): boolean {
  return !/<\/style/i.test(css) && !/url\(\s*['"]?(?![a-z]+:|\/|#)/i.test(css);
}

export function inlineStyles(): Plugin {
  let outDir = "";
  const hashes = new Set<string>();
  return {
    name: "tokendesk-inline-styles",
    apply: "build",
    enforce: "post",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async generateBundle(_options, bundle) {
      for (const html of Object.values(bundle)) {
        if (html.type !== "asset" || !html.fileName.endsWith(".html")) continue;
        const source = typeof html.source === "string" ? html.source : new TextDecoder().decode(html.source);
        let inlined = 0;
        let text = source.replace(STYLESHEET_LINK, (link) => {
          const href = /\bhref="([^"]+)"/.exec(link)?.[1];
          if (href === undefined || /^[a-z]+:|^\/\//i.test(href)) return link;
          const file = posix.normalize(posix.join(posix.dirname(html.fileName), href));
          const asset = bundle[file];
          if (asset?.type !== "asset") return link;
          const css =
            typeof asset.source === "string" ? asset.source : new TextDecoder().decode(asset.source);
          if (!inlinable(css)) return link;
          inlined += 1;
          return `<style>${css}</style>`;
        });
        if (inlined === 0) continue;
        // Hashed as the Worker hashes the pages it serves (one definition of what a browser hashes).
        const pageHashes = await inlineStyleHashes(text);
        for (const hash of pageHashes) hashes.add(hash);
        if (!CSP_META.test(text)) {
          this.error(`${html.fileName} carries no CSP meta tag to add the inline stylesheet's hash to`);
        }
        text = text.replace(
          CSP_META,
          `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(pageHashes)}">`,
        );
        html.source = text;
      }
    },
    closeBundle() {
      // public/_headers is copied as it is; the built one names the hashes of what was inlined.
      const file = join(outDir, "_headers");
      if (hashes.size === 0 || !existsSync(file)) return;
      const policy = securityHeaders([...hashes])["Content-Security-Policy"] ?? "";
      const lines = readFileSync(file, "utf8").split("\n");
      let replaced = 0;
      const next = lines.map((line) => {
        const match = /^(\s+Content-Security-Policy:\s*).*$/.exec(line);
        if (match === null) return line;
        replaced += 1;
        return `${match[1]}${policy}`;
      });
      if (replaced === 0) this.error(`${file} sets no Content-Security-Policy to add the hashes to`);
      writeFileSync(file, next.join("\n"));
    },
  };
}
