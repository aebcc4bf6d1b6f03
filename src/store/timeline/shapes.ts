/**
 * The marks' shapes as SVG path data: pure strings, so the picture in the page and the saved file are
 * drawn from the same geometry. Every kind has its own shape and fill, so colour is never the only
 * thing that tells a 429 from a refresh.
 */
import type { MarkShape } from "./marks.ts";

/** Whether the shape is drawn filled (else as an outline). */
export const FILLED: Readonly<Record<MarkShape, boolean>> = {
  code: true,
  dot: true,
  ring: false,
  diamond: true,
  "arrow-down": true,
  flag: true,
  slash: false,
  "hollow-square": false,
  square: true,
  plus: false,
  triangle: true,
  cross: false,
  question: false,
  octagon: true,
  "hollow-triangle": false,
  "hollow-diamond": false,
  hexagon: false,
};

/** A glyph written inside the shape. */
export const GLYPH: Readonly<Partial<Record<MarkShape, string>>> = { question: "?", triangle: "!" };

const n = (v: number) => Math.round(v * 10) / 10;

function polygon(points: ReadonlyArray<readonly [number, number]>): string {
  return `${points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${n(x)} ${n(y)}`).join(" ")} Z`;
}

function circle(cx: number, cy: number, r: number): string {
  return `M${n(cx - r)} ${n(cy)} a${n(r)} ${n(r)} 0 1 0 ${n(2 * r)} 0 a${n(r)} ${n(r)} 0 1 0 ${n(-2 * r)} 0 Z`;
}

/** An upright rectangle centred on (cx, cy), `halfW` and `halfH` from the centre to its sides. */
function rect(cx: number, cy: number, halfW: number, halfH: number): string {
  return polygon([
    [cx - halfW, cy - halfH],
    [cx + halfW, cy - halfH],
    [cx + halfW, cy + halfH],
    [cx - halfW, cy + halfH],
  ]);
}

/** Path data for a mark centred on (cx, cy), about 2r across. */
export function shapePath(shape: MarkShape, cx: number, cy: number, r: number): string {
  switch (shape) {
    case "code":
      return rect(cx, cy, r * 0.35, r * 1.2);
    case "dot":
    case "ring":
    case "question":
      return circle(cx, cy, r);
    case "diamond":
    case "hollow-diamond":
      return polygon([
        [cx, cy - r * 1.2],
        [cx + r, cy],
        [cx, cy + r * 1.2],
        [cx - r, cy],
      ]);
    case "arrow-down":
      return polygon([
        [cx - r, cy - r * 0.8],
        [cx + r, cy - r * 0.8],
        [cx, cy + r],
      ]);
    case "flag":
      return `${polygon([
        [cx - r * 0.7, cy - r * 1.1],
        [cx + r, cy - r * 0.6],
        [cx - r * 0.7, cy - r * 0.1],
      ])} M${n(cx - r * 0.7)} ${n(cy - r * 1.1)} L${n(cx - r * 0.7)} ${n(cy + r * 1.2)}`;
    case "slash":
      return `${circle(cx, cy, r)} M${n(cx - r * 0.7)} ${n(cy + r * 0.7)} L${n(cx + r * 0.7)} ${n(cy - r * 0.7)}`;
    case "square":
    case "hollow-square":
      return rect(cx, cy, r * 0.85, r * 0.85);
    case "plus":
      return `M${n(cx - r)} ${n(cy)} L${n(cx + r)} ${n(cy)} M${n(cx)} ${n(cy - r)} L${n(cx)} ${n(cy + r)}`;
    case "triangle":
    case "hollow-triangle":
      return polygon([
        [cx, cy - r * 1.15],
        [cx + r * 1.1, cy + r * 0.85],
        [cx - r * 1.1, cy + r * 0.85],
      ]);
    case "cross":
      return `M${n(cx - r)} ${n(cy - r)} L${n(cx + r)} ${n(cy + r)} M${n(cx - r)} ${n(cy + r)} L${n(cx + r)} ${n(cy - r)}`;
    case "hexagon":
      return polygon([
        [cx - r, cy],
        [cx - r * 0.5, cy - r * 0.9],
        [cx + r * 0.5, cy - r * 0.9],
        [cx + r, cy],
        [cx + r * 0.5, cy + r * 0.9],
        [cx - r * 0.5, cy + r * 0.9],
      ]);
    case "octagon": {
      const k = r * 0.41;
      return polygon([
        [cx - k, cy - r],
        [cx + k, cy - r],
        [cx + r, cy - k],
        [cx + r, cy + k],
        [cx + k, cy + r],
        [cx - k, cy + r],
        [cx - r, cy + k],
        [cx - r, cy - k],
      ]);
    }
  }
}
