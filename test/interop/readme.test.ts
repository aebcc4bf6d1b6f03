/** The README's interop matrix is the one the walk asserts: test/interop/matrix.ts, rendered. */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { renderMatrix } from "./matrix.ts";

describe("the README's interop matrix", () => {
  it("is test/interop/matrix.ts as `npx tsx test/interop/matrix.ts` prints it", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const found = /<!-- interop-matrix:start -->\n([\s\S]*?)\n<!-- interop-matrix:end -->/.exec(readme);
    expect(
      found,
      "README.md has no <!-- interop-matrix:start --> … <!-- interop-matrix:end --> block",
    ).not.toBeNull();
    expect(found?.[1]).toBe(renderMatrix());
  });
});
