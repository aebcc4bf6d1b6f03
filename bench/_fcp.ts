// Experiment: FCP of page variants served from one static server, taking turns. Not committed.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../test/support/chromium.ts";
import { median } from "./stats.ts";

const dist = process.argv[2] ?? "dist";
const visits = Number(process.argv[3] ?? 21);
const only = process.argv[4]?.split(",");
const index = readFileSync(join(dist, "index.html"), "utf8");
const EMPTY =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>tokendesk</title></head><body><p>tokendesk</p></body></html>';
const noScript = index.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, "");
const fontRe = /font-family:-apple-system[^;}]*/g;
const variants: Record<string, string> = {
  empty: EMPTY,
  app: index,
  noscript: noScript,
  noscriptNoFont: noScript.replace(fontRe, "font-family:sans-serif"),
  noscriptNoLinks: noScript.replace(/<link\b[^>]*>/g, '<link rel="icon" href="data:,">'),
  noscriptNoCsp: noScript.replace(/<meta http-equiv[^>]*>/, ""),
  noStyle: noScript.replace(/<style>[\s\S]*?<\/style>/, ""),
  noscriptArial: noScript.replace(fontRe, "font-family:Arial,sans-serif"),
  noscriptShort: noScript.replace(fontRe, "font-family:-apple-system,\"Segoe UI\",Arial,sans-serif"),
  nsNoHead: noScript.replace(/<style>[\s\S]*?<\/style>/, "").replace(/<head>[\s\S]*<\/head>/, '<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>tokendesk</title></head>'),
  nsNoButton: noScript.replace(/<style>[\s\S]*?<\/style>/, "").replace(/<button[\s\S]*?<\/button>/, ""),
  nsNoMarkup: noScript.replace(/<style>[\s\S]*?<\/style>/, "").replace(/<div id="root">[\s\S]*<\/body>/, "<p>tokendesk</p></body>"),
  eH1: EMPTY.replace("<p>tokendesk</p>", "<h1>tokendesk</h1>"),
  eBold: EMPTY.replace("<p>tokendesk</p>", "<p>tokendesk</p><p><b>bold</b></p>"),
  eSizes: EMPTY.replace("<p>tokendesk</p>", '<p>tokendesk</p><p style="font-size:12px">small</p><p style="font-size:20px">big</p>'),
  eArial: EMPTY.replace("<p>", '<p style="font-family:Arial">'),
  eStack: EMPTY.replace("<p>", '<p style="font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Noto Sans,Helvetica,Arial,sans-serif">'),
  eStackBold: EMPTY.replace("<p>tokendesk</p>", '<div style="font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Noto Sans,Helvetica,Arial,sans-serif"><p>tokendesk</p><p><b>bold</b></p><p style="font-size:12px">small</p></div>'),
  nsCritical: noScript.replace(/<style>[\s\S]*?<\/style>/, () => `<style>${readFileSync("/tmp/critical.css", "utf8")}</style>`),
  nsNoCss: noScript.replace(/<style>[\s\S]*?<\/style>/, "<style>body{margin:0}</style>"),
  q0: noScript.replace(/<style>[\s\S]*?<\/style>/, () => `<style>${readFileSync("/tmp/crit-q0.css", "utf8")}</style>`),
  q1: noScript.replace(/<style>[\s\S]*?<\/style>/, () => `<style>${readFileSync("/tmp/crit-q1.css", "utf8")}</style>`),
  q2: noScript.replace(/<style>[\s\S]*?<\/style>/, () => `<style>${readFileSync("/tmp/crit-q2.css", "utf8")}</style>`),
  q3: noScript.replace(/<style>[\s\S]*?<\/style>/, () => `<style>${readFileSync("/tmp/crit-q3.css", "utf8")}</style>`),
  old: readFileSync("/tmp/dist-old/index.html", "utf8"),
  appA: readFileSync("/tmp/dist-a/index.html", "utf8"),
  bootPre: index.replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/, '<link rel="modulepreload" crossorigin href="$1"><script type="module" src="./boot-raf.js"></script>'),
  boot: index.replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/, '<script type="module" src="./boot-raf.js"></script>'),
  boot2: index.replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/, '<script type="module" src="./boot-raf2.js"></script>'),
  eBg: EMPTY.replace("<body>", '<body style="background:#f7f7f5">'),
  eHeader: EMPTY.replace("<p>tokendesk</p>", '<header style="background:#fff;border-bottom:1px solid #ddd;display:flex;gap:1rem;padding:.75rem 1.25rem"><b>tokendesk</b><span>tagline</span><button>Theme</button></header>'),
  nsWhite: noScript.replace("--bg:var(--lightningcss-light,#f7f7f5)", "--bg:var(--lightningcss-light,#fff)"),
  nsNoButton2: noScript.replace(/<button[\s\S]*?<\/button>/, ""),
  nsSans: noScript.replace(fontRe, "font-family:sans-serif"),
  nsCombo: noScript.replace(fontRe, "font-family:sans-serif").replace(/<button[\s\S]*?<\/button>/, "").replace("--bg:var(--lightningcss-light,#f7f7f5)", "--bg:var(--lightningcss-light,#fff)"),
  appSans: index.replace(fontRe, "font-family:sans-serif"),
  oldSans: readFileSync("/tmp/dist-old/index.html", "utf8").replace(fontRe, "font-family:sans-serif"),
  bootPre2: index.replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/, '<link rel="modulepreload" crossorigin href="$1"><script type="module" src="./boot-raf2.js"></script>'),
  bootFcp: index.replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/, '<link rel="modulepreload" crossorigin href="$1"><script type="module" src="./boot-fcp.js"></script>'),
  bootFcpNoPre: index.replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/, '<script type="module" src="./boot-fcp.js"></script>'),
  appNoFont: index.replace(fontRe, "font-family:sans-serif"),
  appNoLinks: index.replace(/<link\b[^>]*>/g, '<link rel="icon" href="data:,">'),
  emptyWithFont: EMPTY.replace("<p>", '<p style="font-family:-apple-system, BlinkMacSystemFont, &quot;Segoe UI&quot;, &quot;Noto Sans&quot;, Helvetica, Arial, sans-serif">'),
  emptySans: EMPTY.replace("<p>", '<p style="font-family:sans-serif">'),
};
const types: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".html": "text/html; charset=utf-8",
};
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  const v = url.pathname.match(/^\/v\/(\w+)\/$/);
  if (v?.[1] && variants[v[1]] !== undefined) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(variants[v[1]]);
    return;
  }
  const path = url.pathname.replace(/^\/v\/\w+\//, "/");
  try {
    const body = readFileSync(join(dist, path));
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as { port: number }).port;
if (visits === 0) { console.log(`port ${port}`); await new Promise(() => {}); }
const browser = await chromium.launch({ executablePath: findChromium() ?? "", args: [...CHROMIUM_ARGS, ...(process.env.XARGS ? process.env.XARGS.split(" ") : [])], headless: true });
const names = only ?? Object.keys(variants);
const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let i = 0; i < visits; i++) {
  for (const name of names) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    if (process.env.SETTLE) await new Promise((r) => setTimeout(r, Number(process.env.SETTLE)));
    if (process.env.CDP) {
      const cdp = await context.newCDPSession(page);
      await cdp.send("Page.enable");
      await cdp.send("Page.setLifecycleEventsEnabled", { enabled: true });
      const painted = new Promise<void>((done) =>
        cdp.on("Page.lifecycleEvent", (e) => {
          if (e.name === "firstContentfulPaint") done();
        }),
      );
      await page.goto(`http://127.0.0.1:${port}/v/${name}/`, { waitUntil: "commit" });
      await painted;
      await page.waitForLoadState("load");
    } else {
      await page.goto(`http://127.0.0.1:${port}/v/${name}/`, { waitUntil: "load" });
      await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0);
    }
    samples[name]?.push(
      await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN),
    );
    await context.close();
    if (process.env.PAUSE) await new Promise((r) => setTimeout(r, Number(process.env.PAUSE)));
  }
}
const floor = median(samples.empty ?? []);
for (const name of names) {
  const m = median(samples[name] ?? []);
  console.log(`${name.padEnd(16)} ${m.toFixed(0).padStart(4)} ms  ×${(m / floor).toFixed(2)}  ${[...(samples[name] ?? [])].sort((a, b) => a - b).map((v) => v.toFixed(0)).join(' ')}`);
}
await browser.close();
server.close();
