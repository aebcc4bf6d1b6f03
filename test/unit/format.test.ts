import { describe, expect, it } from "vitest";
import { countdownBand, formatDuration, formatInstant, formatTime } from "../../src/ui/components/format.ts";

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

describe("countdownBand", () => {
  it("is soon in the last fifth of a lifetime, bounded to between 30 s and 5 min", () => {
    expect(countdownBand(120_000, 3_600_000)).toBe("soon"); // 20 % of 1 h is 12 min, capped at 5 min
    expect(countdownBand(301_000, 3_600_000)).toBe("ok");
    expect(countdownBand(23_000, 120_000)).toBe("soon"); // 20 % of 2 min is 24 s, raised to 30 s
    expect(countdownBand(31_000, 120_000)).toBe("ok");
    expect(countdownBand(59_000, 43_200_000)).toBe("soon");
  });
  it("uses the last minute when the lifetime is not known", () => {
    expect(countdownBand(59_999, null)).toBe("soon");
    expect(countdownBand(60_000, null)).toBe("ok");
  });
  it("is expired at zero and after", () => {
    expect(countdownBand(0, 1000)).toBe("expired");
    expect(countdownBand(-5, null)).toBe("expired");
  });
});

describe("formatTime and formatInstant", () => {
  // One formatter is kept for every call: it must write what toLocaleString writes.
  const instants = [
    0,
    Date.UTC(2026, 0, 31, 23, 59, 59),
    Date.UTC(2026, 6, 1, 12, 0, 0, 999),
    4_102_444_800_000,
  ];

  it("write local time as toLocaleString does", () => {
    for (const at of instants) expect(formatTime(at)).toBe(new Date(at).toLocaleString());
  });

  it("add the UTC time to the local one", () => {
    expect(formatInstant(Date.UTC(2026, 0, 31, 23, 59, 59, 500))).toBe(
      `${new Date(Date.UTC(2026, 0, 31, 23, 59, 59, 500)).toLocaleString()} (2026-01-31 23:59:59 UTC)`,
    );
  });

  it("say an invalid date is one instead of throwing", () => {
    expect(formatTime(Number.NaN)).toBe("Invalid Date");
  });
});
