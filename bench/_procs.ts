import { execSync } from "node:child_process";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../test/support/chromium.ts";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
const webuiCpu = () => {
  const out = execSync("ps -eo pid,time,args | grep -- '--top-chrome-webui' | grep -v grep || true").toString().trim();
  return out.split("\n").filter(Boolean).map((l) => { const [pid] = l.trim().split(/\s+/); const f = execSync(`cat /proc/${pid}/stat`).toString().split(") ")[1]!.split(" "); return `${pid}:${(Number(f[11]) + Number(f[12])) * 10}ms`; }).join(" ");
};
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const c = await b.newContext();
  console.log("ctx", (performance.now() - t).toFixed(0), webuiCpu());
  const p = await c.newPage();
  console.log("page", (performance.now() - t).toFixed(0), webuiCpu());
  for (const w of [100, 200, 300, 500, 1000]) { await p.waitForTimeout(w); console.log((performance.now() - t).toFixed(0), webuiCpu()); }
  await p.goto("data:text/html,<p>x");
  await p.waitForTimeout(500);
  console.log("after goto", (performance.now() - t).toFixed(0), webuiCpu());
  await c.close();
  await p.waitForTimeout?.(0).catch(() => {});
  console.log("closed", webuiCpu());
}
await b.close();
