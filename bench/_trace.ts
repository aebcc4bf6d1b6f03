// Experiment: trace a first visit of a page variant and list the renderer main thread's work before FCP.
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../test/support/chromium.ts";

const url = process.argv[2] ?? "";
const out = process.argv[3] ?? "/tmp/trace.json";
const browser = await chromium.launch({ executablePath: findChromium() ?? "", args: [...CHROMIUM_ARGS, ...(process.env.XARGS ? process.env.XARGS.split(" ") : [])], headless: true });
// warm the browser
{
  const c = await browser.newContext();
  const p = await c.newPage();
  await p.goto(url, { waitUntil: "load" });
  await c.close();
}
const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
const page = await context.newPage();
await browser.startTracing(page, {
  categories: [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink",
    "loading",
    "navigation",
    "toplevel",
    "v8",
    "blink.user_timing",
    "disabled-by-default-v8.compile",
    "fonts",
    "disabled-by-default-fonts",
    "cc",
    "viz",
    "benchmark",
    "renderer.scheduler",
  ],
});
await page.goto(url, { waitUntil: "load" });
await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0);
const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime);
const buf = await browser.stopTracing();
writeFileSync(out, buf);
console.log("fcp", fcp);
await browser.close();
