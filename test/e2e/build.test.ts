/**
 * The built bundle is what a static host serves to everyone: no configured secret may be in it,
 * whatever the build's environment held.
 */

import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHELL_HTML } from "../../src/ui/shell.ts";
import { type BuiltApp, buildApp } from "../support/build.ts";

const SECRET = "s3cr3t-build-probe-Zq8xV";
const CLIENT_ID = "build-probe-client";
let built: BuiltApp;
let outDir: string;

async function _files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  // Everything an operator might have in the environment while building.
  const clients = JSON.stringify([
    {
      id: "probe",
      provider: "custom",
      client_id: CLIENT_ID,
      client_secret: SECRET,
      redirect_uris: ["https://app.example/callback/"],
      token_endpoint: "https://as.example/token",
      token_endpoint_auth_method: "client_secret_basic",
      body_encoding: "form",
    },
  ]);
  built = await buildApp({ TOKENDESK_CLIENTS: clients, CLIENT_SECRET: SECRET });
  outDir = built.outDir;
}, 120_000);

afterAll(async () => {
  await built?.remove();
});

describe("npm run build", () => {
  it("writes the app and its callback page", async () => {
    const files = (await _files(outDir)).map((f) => f.slice(outDir.length + 1)).sort();
    expect(files).toContain("index.html");
    expect(files).toContain("callback/index.html");
    expect(files).toContain("config.json");
    // Installable and offline: the web app manifest, its icons and the service worker.
    expect(files).toContain("manifest.webmanifest");
    expect(files).toContain("icons/icon-192.png");
    expect(files).toContain("sw.js");
    expect(files.some((f) => /^assets\/.*\.js$/.test(f))).toBe(true);
  });

  it("puts the page's frame in index.html, painted before any script runs", async () => {
    const html = await readFile(join(outDir, "index.html"), "utf8");
    expect(html).toContain(`<div id="root">${SHELL_HTML}</div>`);
  });

  it("contains no configured secret, in plain, Basic or URL-encoded form", async () => {
    const basic = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString("base64");
    for (const file of await _files(outDir)) {
      const text = await readFile(file, "latin1");
      // Booleans, so a failure names the file without printing a whole bundle.
      expect(text.includes(SECRET), file).toBe(false);
      expect(text.includes(basic), file).toBe(false);
      expect(text.includes(encodeURIComponent(SECRET)), file).toBe(false);
      expect(text.includes(CLIENT_ID), file).toBe(false);
    }
  });

  it("serves pages with a strict CSP, no inline script and relative asset paths", async () => {
    for (const page of ["index.html", "callback/index.html"]) {
      const html = (await readFile(join(outDir, page), "utf8")).replaceAll("&#39;", "'");
      expect(html).toMatch(
        /<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self';/,
      );
      expect(html).toContain('<meta name="referrer" content="no-referrer"');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/(src|href)="\/assets\//);
    }
  });

  it("carries its stylesheet inline, allowed by its hash alone, so the first frame waits for no request", async () => {
    for (const page of ["index.html", "callback/index.html"]) {
      const html = await readFile(join(outDir, page), "utf8");
      expect(html, page).not.toMatch(/<link\b[^>]*rel="stylesheet"/);
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? "");
      expect(styles, page).toHaveLength(1);
      const hash = createHash("sha256")
        .update(styles[0] ?? "")
        .digest("base64");
      const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? "";
      expect(policy, page).toContain(`style-src 'self' 'sha256-${hash}';`);
      expect(policy, page).not.toMatch(/unsafe-inline|unsafe-hashes/);
    }
  });

  it("ships public/_headers beside index.html, its CSP naming the inline stylesheet's hash", async () => {
    const html = await readFile(join(outDir, "index.html"), "utf8");
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    const hash = createHash("sha256").update(style).digest("base64");
    const template = await readFile("public/_headers", "utf8");
    expect(await readFile(join(outDir, "_headers"), "utf8")).toBe(
      template.replace("style-src 'self';", `style-src 'self' 'sha256-${hash}';`),
    );
  });

  it("ships no dev-only code: no demo server, no relay handler, no npm run client", async () => {
    for (const file of await _files(outDir)) {
      if (!file.endsWith(".js")) continue;
      const text = await readFile(file, "utf8");
      expect(text.includes("oidc-provider"), file).toBe(false);
      expect(text.includes("upstream_unreachable"), file).toBe(false);
      // src/cli's prompts and its .env writer, and the dev server's HMR wiring (import.meta.hot).
      expect(text.includes("typing is not shown"), file).toBe(false);
      expect(text.includes("tokendesk-tmp"), file).toBe(false);
      expect(text.includes("import.meta.hot"), file).toBe(false);
      expect(text.includes("solid-dev-component"), `${file} is a development build`).toBe(false);
    }
  });
});
