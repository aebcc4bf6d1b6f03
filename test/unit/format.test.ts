import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/ui/components/format.ts";

describe("formatDuration", () => {
  it("shows minutes and seconds under an hour", () => {
    expect(formatDuration(299_400)).toBe("4:59");
    expect(formatDuration(7_000)).toBe("0:07");
  });
  it("shows hours under a day", () => {
    expect(formatDuration(3_909_000)).toBe("1:05:09");
  });
  it("keeps seconds moving past a day", () => {
    expect(formatDuration((3 * 86_400 + 4 * 3600 + 5 * 60 + 9) * 1000)).toBe("3 d 04:05:09");
  });
  it("shows years for FreeAgent's twenty-year refresh tokens", () => {
    expect(formatDuration(631_151_957_000)).toBe("20.0 years");
  });
  it("formats negative durations by their size (the caller says 'ago')", () => {
    expect(formatDuration(-65_000)).toBe("1:05");
  });
});
