/**
 * `npm run bench:relay`: the relay under load inside workerd, on loopback only, bounded in count and
 * time. An upstream on 127.0.0.1 answers every token request after 50 ms; the Worker
 * (src/relay/worker.ts, bundled as for Cloudflare) runs in workerd through Miniflare. Each round
 * sends REQUESTS requests at once, first straight to the upstream, then through the relay, and the
 * report compares the two: p50 and p99 of the latency the relay adds. Exits non-zero if any request
 * went unanswered, any answer was an unexpected 5xx, or the relay sent other than one upstream
 * request per call.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { bundleWorker, startWorkerd } from "../test/support/workerd.ts";

const REQUESTS = boundedInteger(process.env.BENCH_REQUESTS, 500, 500, 2_000);
const ROUNDS = boundedInteger(process.env.BENCH_ROUNDS, 3, 1, 10);
const UPSTREAM_DELAY_MS = 50;
/** No single request may take longer than this; the whole run is bounded by DEADLINE_MS. */
const REQUEST_TIMEOUT_MS = 20_000;
const DEADLINE_MS = 120_000;

function boundedInteger(value: string | undefined, fallback: number, min: number, max: number): number {
  const parsed = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`expected an integer from ${min} to ${max}, not ${value}`);
  }
  return parsed;
}

interface Outcome {
  readonly ms: number;
  /** HTTP status, or 0 when no answer came. */
  readonly status: number;
  /** The upstream status inside the relay's envelope, when there is one. */
  readonly upstreamStatus?: number;
}

/** Sends `count` requests at once and waits for every one of them. */
async function burst(count: number, send: () => Promise<Outcome>): Promise<Outcome[]> {
  return Promise.all(Array.from({ length: count }, send));
}

async function timed(url: string, init: RequestInit, readEnvelope: boolean): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    const ms = performance.now() - started;
    if (!readEnvelope) return { ms, status: response.status };
    let upstreamStatus: number | undefined;
    try {
      upstreamStatus = (JSON.parse(text) as { upstream?: { status?: number } }).upstream?.status;
    } catch {
      upstreamStatus = undefined;
    }
    return { ms, status: response.status, ...(upstreamStatus === undefined ? {} : { upstreamStatus }) };
  } catch {
    return { ms: performance.now() - started, status: 0 };
  }
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function summary(outcomes: readonly Outcome[]): { p50: number; p99: number; max: number } {
  const sorted = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;

/**
 * The upstream runs in a process of its own, so the load generator's event loop does not also
 * serve it; `GET /hits` says how many token requests it has received.
 */
const UPSTREAM_SOURCE = `
const { createServer } = require("node:http");
let hits = 0;
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/hits") { res.end(String(hits)); return; }
  req.resume();
  req.on("end", () => {
    hits += 1;
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"access_token":"bench-at","token_type":"Bearer","expires_in":3600}');
    }, ${UPSTREAM_DELAY_MS});
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.on("disconnect", () => process.exit(0));
`;

async function startUpstream(): Promise<{ url: string; hits(): Promise<number>; stop(): void }> {
  const child = spawn(process.execPath, ["-e", UPSTREAM_SOURCE], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  if (child.stdout === null) throw new Error("the upstream process has no stdout");
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const origin = `http://127.0.0.1:${line.toString().trim()}`;
  return {
    url: `${origin}/token`,
    hits: async () => Number(await (await fetch(`${origin}/hits`)).text()),
    stop: () => child.kill(),
  };
}

async function main(): Promise<number> {
  const upstream = await startUpstream();
  const upstreamUrl = upstream.url;

  const bundle = await bundleWorker();
  const workerd = await startWorkerd(bundle, [
    {
      name: "relay",
      bindings: {
        TOKENDESK_CLIENTS: JSON.stringify([
          {
            id: "bench",
            provider: "custom",
            client_id: "bench-client",
            client_secret: "bench-secret",
            redirect_uris: ["http://127.0.0.1:5173/callback/"],
            token_endpoint: upstreamUrl,
            token_endpoint_auth_method: "client_secret_basic",
            body_encoding: "form",
          },
        ]),
        // The load comes from one address and one client: the limits would answer 429, by design.
        TOKENDESK_RATE_LIMIT_PER_IP: "off",
        TOKENDESK_RATE_LIMIT_PER_CLIENT: "off",
      },
    },
  ]);
  const relayUrl = new URL("/relay/token", workerd.url).href;
  const body = JSON.stringify({ client: "bench", grant_type: "refresh_token", refresh_token: "bench-rt" });
  const direct = () =>
    timed(
      upstreamUrl,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=refresh_token&refresh_token=bench-rt",
      },
      false,
    );
  const relayed = () =>
    timed(relayUrl, { method: "POST", headers: { "content-type": "application/json" }, body }, true);

  console.log(
    `tokendesk relay bench: ${ROUNDS} rounds of ${REQUESTS} concurrent requests, upstream answers after ${UPSTREAM_DELAY_MS} ms (loopback only)`,
  );
  const problems: string[] = [];
  const directAll: Outcome[] = [];
  const relayAll: Outcome[] = [];
  try {
    // Warm both paths (connections, the isolate's first compile) before measuring.
    await burst(50, direct);
    await burst(50, relayed);
    // One at a time first: what the relay costs a single request when nothing waits in line.
    const alone = { direct: [] as Outcome[], relayed: [] as Outcome[] };
    for (let i = 0; i < 20; i++) {
      alone.direct.push(await direct());
      alone.relayed.push(await relayed());
    }
    const ad = summary(alone.direct);
    const ar = summary(alone.relayed);
    console.log(
      `one at a time (20 each): direct p50 ${ms(ad.p50)} | relay p50 ${ms(ar.p50)} | added p50 ${ms(ar.p50 - ad.p50)}`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      const directOutcomes = await burst(REQUESTS, direct);
      const hitsBefore = await upstream.hits();
      const relayOutcomes = await burst(REQUESTS, relayed);
      const sentUpstream = (await upstream.hits()) - hitsBefore;
      directAll.push(...directOutcomes);
      relayAll.push(...relayOutcomes);
      const unanswered = relayOutcomes.filter((o) => o.status === 0).length;
      const serverErrors = relayOutcomes.filter((o) => o.status >= 500).length;
      const notRelayed = relayOutcomes.filter((o) => o.status === 200 && o.upstreamStatus !== 200).length;
      const other = relayOutcomes.filter((o) => o.status !== 0 && o.status < 500 && o.status !== 200).length;
      const d = summary(directOutcomes);
      const r = summary(relayOutcomes);
      console.log(
        `round ${round}: direct p50 ${ms(d.p50)} p99 ${ms(d.p99)} | relay p50 ${ms(r.p50)} p99 ${ms(r.p99)} max ${ms(r.max)} | answered ${REQUESTS - unanswered}/${REQUESTS}, 5xx ${serverErrors}, upstream requests ${sentUpstream}`,
      );
      if (unanswered > 0) problems.push(`round ${round}: ${unanswered} requests got no answer`);
      if (serverErrors > 0) problems.push(`round ${round}: ${serverErrors} answers were 5xx`);
      if (other > 0) problems.push(`round ${round}: ${other} answers were neither 200 nor 5xx`);
      if (notRelayed > 0)
        problems.push(`round ${round}: ${notRelayed} envelopes did not carry the upstream's 200`);
      if (sentUpstream !== REQUESTS) {
        problems.push(
          `round ${round}: the relay sent ${sentUpstream} upstream requests for ${REQUESTS} calls`,
        );
      }
      if (directOutcomes.some((o) => o.status !== 200))
        problems.push(`round ${round}: the direct baseline failed`);
    }
  } finally {
    await workerd.close();
    await bundle.remove();
    upstream.stop();
  }
  const d = summary(directAll);
  const r = summary(relayAll);
  console.log(
    `all ${relayAll.length} relayed requests: added latency p50 ${ms(r.p50 - d.p50)}, p99 ${ms(r.p99 - d.p99)} (relay p50 ${ms(r.p50)}, p99 ${ms(r.p99)}; direct p50 ${ms(d.p50)}, p99 ${ms(d.p99)})`,
  );
  for (const problem of problems) console.error(`FAIL ${problem}`);
  console.log(
    problems.length === 0 ? "ok: every request answered, no 5xx, one upstream request per call" : "failed",
  );
  return problems.length === 0 ? 0 : 1;
}

// The run stops by itself: whatever happens, the process ends within the deadline.
const deadline = setTimeout(() => {
  console.error(`FAIL the bench did not finish within ${DEADLINE_MS / 1000} s`);
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`FAIL ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
