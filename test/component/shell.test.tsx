import { cleanup, render } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { Layout } from "../../src/ui/components/layout.tsx";
import { Router } from "../../src/ui/router.tsx";
import { SHELL_HTML, withShell } from "../../src/ui/shell.ts";

afterEach(() => {
  cleanup();
  window.location.hash = "";
});

/** The frame the app draws at `hash`, with no page in it: what replaces the static shell. */
function frameAt(hash: string): string {
  window.location.hash = hash;
  const { container } = render(() => (
    <Router routes={[{ path: "*", component: () => null }]} root={Layout} />
  ));
  return container.innerHTML;
}

describe("static shell", () => {
  it("is the frame the app draws, so nothing moves when the app replaces it", () => {
    expect(frameAt("#/connections/abc")).toBe(SHELL_HTML);
  });

  it("differs on the pages its links name only by marking the current one", () => {
    const home = frameAt("#/");
    expect(home).toContain('aria-current="page"');
    expect(home.replace(' aria-current="page"', "")).toBe(SHELL_HTML);
    cleanup();
    const support = frameAt("#/support");
    expect(support.replace(' aria-current="page"', "")).toBe(SHELL_HTML);
  });

  it("goes into index.html's empty #root, and leaves a page without one as it is", () => {
    expect(withShell('<body><div id="root"></div><script></script></body>')).toBe(
      `<body><div id="root">${SHELL_HTML}</div><script></script></body>`,
    );
    expect(withShell("<body><main></main></body>")).toBe("<body><main></main></body>");
  });
});
