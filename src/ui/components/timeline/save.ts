/**
 * "Save picture": the SVG on screen, made to stand alone. Each shape's computed style (the theme's
 * colours, the fonts) is written onto it as presentation attributes, so the file needs no stylesheet
 * and shows what the person saw; what is only for the page (focus order, roles, classes) is dropped.
 */

/** What a shape's look depends on; copied from the computed style. */
const STYLE_PROPERTIES = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-linecap",
  "stroke-opacity",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "visibility",
];

const PAGE_ONLY_ATTRIBUTES = [
  "class",
  "id",
  "tabindex",
  "role",
  "data-key",
  "data-testid",
  "aria-label",
  "aria-labelledby",
  "aria-describedby",
  "aria-hidden",
  "aria-roledescription",
];

const SVG_NS = "http://www.w3.org/2000/svg";

/** The picture as a standalone SVG document, on a background of `background`. */
export function standaloneSvg(svg: SVGSVGElement, background: string): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll("*")];
  const copies = [copy, ...copy.querySelectorAll("*")];
  const styles = new Map<Element, CSSStyleDeclaration>();
  originals.forEach((original, i) => {
    const target = copies[i];
    if (target === undefined) return;
    for (const name of PAGE_ONLY_ATTRIBUTES) target.removeAttribute(name);
    if (original.tagName === "title" || original.tagName === "desc") return;
    const computed = getComputedStyle(original);
    styles.set(original, computed);
    const parent = original === svg ? undefined : styles.get(original.parentElement as Element);
    for (const property of STYLE_PROPERTIES) {
      const value = computed.getPropertyValue(property);
      // What the parent passes down already applies: write only what differs, to keep the file small.
      if (value !== "" && value !== parent?.getPropertyValue(property)) target.setAttribute(property, value);
    }
  });
  const width = svg.getAttribute("width") ?? "720";
  const height = svg.getAttribute("height") ?? "200";
  const backdrop = document.createElementNS(SVG_NS, "rect");
  backdrop.setAttribute("width", width);
  backdrop.setAttribute("height", height);
  backdrop.setAttribute("fill", background);
  // After <title> and <desc>, which must come first to name and describe the file.
  const firstShape = [...copy.children].find((c) => c.tagName !== "title" && c.tagName !== "desc") ?? null;
  copy.insertBefore(backdrop, firstShape);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

/**
 * The SVG drawn onto a canvas at twice its size, as PNG. From a data: URL, not a blob: one: the
 * page's CSP allows images from 'self' and data: only.
 */
export async function svgToPng(svgText: string, width: number, height: number): Promise<Blob> {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await image.decode();
  const scale = 2;
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const context = canvas.getContext("2d");
  if (context === null) throw new Error("This browser cannot draw on a canvas; save the SVG instead.");
  context.scale(scale, scale);
  context.drawImage(image, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) =>
        blob === null ? reject(new Error("The browser made no PNG; save the SVG instead.")) : resolve(blob),
      "image/png",
    ),
  );
}
