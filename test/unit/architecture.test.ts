/**
 * DESIGN.md's one-way dependencies: protocol, recipes, storage and relay never touch the DOM or
 * Solid, and the relay never reaches into the page's code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function _sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => join(dir, f));
}

function _imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^"']*?from\s*["']([^"']+)["']/gm)].map((m) => m[1] ?? "");
}

describe("module boundaries", () => {
  for (const dir of ["src/oauth", "src/providers", "src/store", "src/relay", "src/offline"]) {
    it(`${dir} imports neither Solid nor the UI, and uses no DOM`, () => {
      for (const file of _sources(dir)) {
        for (const spec of _imports(file)) {
          expect(spec, file).not.toMatch(/^solid-js|^@solidjs|\/ui\//);
        }
        const text = readFileSync(file, "utf8");
        expect(/\b(document|window)\.[a-zA-Z]/.test(text), `${file} uses document or window`).toBe(false);
      }
    });
  }

  it("src/relay imports nothing from store, ui or dev", () => {
    for (const file of _sources("src/relay")) {
      for (const spec of _imports(file)) expect(spec, file).not.toMatch(/\/(store|ui|dev)\//);
    }
  });

  it("src/cli (npm run client) is imported by nothing else, and reaches neither the UI nor the store", () => {
    for (const dir of ["src/oauth", "src/providers", "src/store", "src/relay", "src/ui", "src/dev"]) {
      for (const file of _sources(dir)) {
        for (const spec of _imports(file)) expect(spec, file).not.toMatch(/\/cli\//);
      }
    }
    for (const file of _sources("src/cli")) {
      for (const spec of _imports(file)) expect(spec, file).not.toMatch(/\/(store|ui)\/|^solid-js|^vite/);
    }
  });

  it("src/oauth and src/providers import nothing from store", () => {
    for (const file of [..._sources("src/oauth"), ..._sources("src/providers")]) {
      for (const spec of _imports(file)) expect(spec, file).not.toMatch(/\/store\//);
    }
  });
});

describe("the callback page", () => {
  it("is the app's index.html but for its title, so the redirect URI serves the same app", () => {
    const index = readFileSync("index.html", "utf8");
    const callback = readFileSync("callback/index.html", "utf8");
    expect(callback.replace("<title>tokendesk · callback</title>", "<title>tokendesk</title>")).toBe(index);
  });
});
