import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { precacheManifest } from "../../src/dev/service-worker-build.ts";
import { cachedUrlFor, cachePrefix, precacheEntry } from "../../src/offline/routes.ts";

const SCOPE = "https://you.github.io/tokendesk/";
const PRECACHED = new Set(
  ["./", "callback/", "assets/main-abc.js", "manifest.webmanifest"].map((p) => new URL(p, SCOPE).href),
);

function _get(url: string, mode = "cors") {
  return cachedUrlFor({ method: "GET", url, mode }, SCOPE, PRECACHED);
}

describe("what the service worker precaches", () => {
  it("caches pages by the directory URL a browser navigates to", () => {
    expect(precacheEntry("index.html")).toBe("./");
    expect(precacheEntry("callback/index.html")).toBe("callback/");
    expect(precacheEntry("assets/main-abc.js")).toBe("assets/main-abc.js");
    expect(precacheEntry("icons/icon-192.png")).toBe("icons/icon-192.png");
  });

  it("never precaches config.json, itself, host configuration, hidden files or source maps", () => {
    for (const file of [
      "config.json",
      "sw.js",
      "_headers",
      "_redirects",
      ".vite/manifest.json",
      "a.js.map",
    ]) {
      expect(precacheEntry(file), file).toBeNull();
    }
  });

  it("versions a build by every precached file's name and bytes, and ignores config.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tokendesk-sw-"));
    try {
      await mkdir(join(dir, "callback"));
      await writeFile(join(dir, "index.html"), "<p>one</p>");
      await writeFile(join(dir, "callback", "index.html"), "<p>callback</p>");
      await writeFile(join(dir, "config.json"), '{"relay":"/relay"}');
      const first = await precacheManifest(dir);
      expect(first.entries).toEqual(["callback/", "./"]);
      await writeFile(join(dir, "config.json"), '{"relay":"https://relay.example/relay"}');
      expect((await precacheManifest(dir)).version).toBe(first.version);
      await writeFile(join(dir, "index.html"), "<p>two</p>");
      expect((await precacheManifest(dir)).version).not.toBe(first.version);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("what the service worker answers from its cache", () => {
  it("answers the app's own files and pages", () => {
    expect(_get(`${SCOPE}assets/main-abc.js`)).toBe(`${SCOPE}assets/main-abc.js`);
    expect(_get(SCOPE, "navigate")).toBe(SCOPE);
    expect(_get(`${SCOPE}index.html`, "navigate")).toBe(SCOPE);
    expect(_get(`${SCOPE}callback/index.html`, "navigate")).toBe(`${SCOPE}callback/`);
  });

  it("answers a callback carrying a code with the cached page, keyed without the query", () => {
    expect(_get(`${SCOPE}callback/?code=abc123&state=xyz&iss=https%3A%2F%2Fas.example`, "navigate")).toBe(
      `${SCOPE}callback/`,
    );
  });

  it("leaves the relay, config.json, other origins, other paths and non-GET requests to the network", () => {
    expect(_get(`${SCOPE}config.json`)).toBeNull();
    expect(_get("https://you.github.io/relay/token")).toBeNull();
    expect(_get(`${SCOPE}relay/clients`)).toBeNull();
    expect(_get("https://relay.example/relay/token")).toBeNull();
    expect(_get("https://you.github.io/other-app/", "navigate")).toBeNull();
    expect(_get(`${SCOPE}nowhere/`, "navigate")).toBeNull();
    expect(_get(`${SCOPE}assets/main-abc.js?v=2`)).toBeNull();
    expect(
      cachedUrlFor({ method: "POST", url: `${SCOPE}assets/main-abc.js`, mode: "cors" }, SCOPE, PRECACHED),
    ).toBe(null);
  });

  it("never answers /relay/ at the root of an origin, even were it listed", () => {
    const root = "https://tokendesk.example/";
    const listed = new Set([`${root}relay/clients`, `${root}config.json`]);
    expect(
      cachedUrlFor({ method: "GET", url: `${root}relay/clients`, mode: "cors" }, root, listed),
    ).toBeNull();
    expect(cachedUrlFor({ method: "GET", url: `${root}config.json`, mode: "cors" }, root, listed)).toBeNull();
  });

  it("names caches by scope, so two copies of the app on one origin never delete each other's", () => {
    expect(cachePrefix("https://you.github.io/a/")).not.toBe(cachePrefix("https://you.github.io/b/"));
    expect(
      `${cachePrefix("https://you.github.io/a/")}v2`.startsWith(cachePrefix("https://you.github.io/b/")),
    ).toBe(false);
  });
});
