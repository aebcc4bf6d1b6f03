/**
 * Renders the app's PNG icons (public/icons/) from public/icons/icon.svg in headless Chromium:
 * `npx tsx test/support/icons.ts`. Browsers want PNGs of 192 and 512 px to offer installing the app;
 * the maskable one fills its square (no rounded corners), its drawing inside the safe circle.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { launchBrowser, removeProfile } from "./chromium.ts";

const DIR = fileURLToPath(new URL("../../public/icons/", import.meta.url));

const svg = await readFile(`${DIR}icon.svg`, "utf8");
const maskable = svg.replace(' rx="96"', "");
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  for (const [name, source, size] of [
    ["icon-192.png", svg, 192],
    ["icon-512.png", svg, 512],
    ["icon-maskable-512.png", maskable, 512],
  ] as const) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${source}`,
    );
    await writeFile(`${DIR}${name}`, await page.screenshot({ omitBackground: true }));
  }
} finally {
  await browser.close();
  await removeProfile(browser.profile);
}
