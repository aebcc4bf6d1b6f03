/** Figures with budgets, printed as one table and written as JSON. */
import { round } from "./stats.ts";

export type Unit = "bytes" | "ms" | "%" | "req/s" | "ratio" | "count";

/** A limit a figure must stay within, and why that limit. */
export interface Budget {
  readonly max?: number;
  readonly min?: number;
  readonly why: string;
}

export interface Figure {
  readonly section: "bundle" | "page" | "relay" | "indexeddb" | "backup";
  readonly name: string;
  readonly value: number;
  readonly unit: Unit;
  /** How it was measured (sample count, conditions), shown beside the value. */
  readonly detail?: string;
  /** Absent only for rows that break a budgeted total down (one chunk of the initial JS). */
  readonly budget?: Budget;
}

export type Verdict = "pass" | "fail" | "part";

export function verdict(figure: Figure): Verdict {
  const b = figure.budget;
  if (b === undefined) return "part";
  if (!Number.isFinite(figure.value)) return "fail";
  if (b.max !== undefined && figure.value > b.max) return "fail";
  if (b.min !== undefined && figure.value < b.min) return "fail";
  return "pass";
}

/** A value as a person reads it: kB are 1,000 bytes, as Vite prints them. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return "n/a";
  switch (unit) {
    case "bytes":
      return value >= 1000 ? `${(value / 1000).toFixed(2)} kB` : `${value} B`;
    case "ms":
      return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(2)} ms`;
    case "%":
      return `${value.toFixed(2)} %`;
    case "req/s":
      return `${Math.round(value)} req/s`;
    case "ratio":
      return `×${value.toFixed(2)}`;
    case "count":
      return String(Math.round(value));
  }
}

export function formatBudget(figure: Figure): string {
  const b = figure.budget;
  if (b === undefined) return "";
  const parts: string[] = [];
  if (b.max !== undefined) parts.push(`≤ ${formatValue(b.max, figure.unit)}`);
  if (b.min !== undefined) parts.push(`≥ ${formatValue(b.min, figure.unit)}`);
  return parts.join(", ");
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - [...text].length));
}

/** One table: section, figure, value, budget, pass/fail. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.section,
    f.name,
    formatValue(f.value, f.unit),
    formatBudget(f),
    verdict(f) === "part" ? "" : verdict(f).toUpperCase(),
    f.detail ?? "",
  ]);
  const header = ["section", "figure", "value", "budget", "result", "how"];
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, i === cells.length - 1 ? 0 : (widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The pass/fail lines, one per budgeted figure. */
export function formatVerdicts(figures: readonly Figure[]): string {
  return figures
    .filter((f) => f.budget !== undefined)
    .map(
      (f) =>
        `${verdict(f) === "pass" ? "PASS" : "FAIL"}  ${f.section}: ${f.name} = ${formatValue(f.value, f.unit)} (budget ${formatBudget(f)}: ${f.budget?.why ?? ""})`,
    )
    .join("\n");
}

/** A figure as JSON: rounded, with its verdict. */
export function toJson(figure: Figure) {
  return {
    ...figure,
    value: Number.isFinite(figure.value) ? round(figure.value, 3) : null,
    verdict: verdict(figure),
  };
}
