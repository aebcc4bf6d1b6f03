/**
 * Relay figures: what the relay adds to a token request over calling the same upstream directly
 * (p50, p99, as ratio and milliseconds), on Node and in workerd; requests per second at 100
 * concurrent; the workerd entry's cold start. Loopback only: an upstream token endpoint, the Node
 * relay and the load generator each in their own process, workerd in its own (Miniflare).
 * Part of `npm run bench`; alone: `npx tsx bench/relay-figures.ts`. (`npm run bench:relay`, in
 * bench/relay.ts, is another check: bursts of 500 through workerd against a 50 ms upstream.)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleWorker, startWorkerd, type WorkerBundle } from "../test/support/workerd.ts";
import { type Figure, formatTable, formatVerdicts } from "./report.ts";
import { median, percentile, since } from "./stats.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface RelayOptions {
  /** Sequential requests per target for the latency figures (after a warm-up). */
  readonly rounds: number;
  /** How long each target is loaded at 100 concurrent, in ms. */
  readonly loadMs: number;
  readonly concurrency: number;
  /** Cold starts of workerd; the median is reported. */
  readonly coldStarts: number;
  readonly log: (line: string) => void;
}

export const DEFAULT_RELAY_OPTIONS: Omit<RelayOptions, "log"> = {
  rounds: 2000,
  loadMs: 3000,
  concurrency: 100,
  coldStarts: 3,
};

const CLIENT_ID = "bench-client";
const CLIENT_SECRET = "bench-secret-Zq8xV";
const REFRESH_TOKEN = "r".repeat(43);

/** The relay's configuration: one client whose token endpoint is the loopback upstream, no rate limits. */
function relayEnv(tokenEndpoint: string): Record<string, string> {
  return {
    TOKENDESK_CLIENTS: JSON.stringify([
      {
        id: "bench",
        provider: "custom",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: ["http://127.0.0.1:4173/callback/"],
        token_endpoint: tokenEndpoint,
        token_endpoint_auth_method: "client_secret_basic",
        body_encoding: "form",
      },
    ]),
    // A load test from one address would meet the per-address limit at once; the limits are not
    // what is measured.
    TOKENDESK_RATE_LIMIT_PER_IP: "off",
    TOKENDESK_RATE_LIMIT_PER_CLIENT: "off",
  };
}

/** One way to get a token: a URL and the exact request that gets it. */
interface Target {
  readonly name: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function directTarget(tokenEndpoint: string): Target {
  // What the relay sends upstream for this client: Basic credentials and a form body.
  const basic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString(
    "base64",
  );
  return {
    name: "direct",
    url: new URL(tokenEndpoint),
    headers: {
      authorization: `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: REFRESH_TOKEN }).toString(),
  };
}

function relayTarget(name: string, relayBase: string): Target {
  return {
    name,
    url: new URL("token", relayBase.endsWith("/") ? relayBase : `${relayBase}/`),
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ client: "bench", grant_type: "refresh_token", refresh_token: REFRESH_TOKEN }),
  };
}

/**
 * The direct call sent to a forwarder (bench/servers.ts) that only passes it on to the upstream and
 * answers what the upstream answered: a second hop with nothing else, in the relay's runtime.
 */
function forwarderTarget(forwarderUrl: string): Target {
  return { ...directTarget(forwarderUrl), name: "forwarder" };
}

/** Keep-alive connections, as a browser keeps to the relay and the relay to a provider. */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** Sends one request; resolves with its status, body and milliseconds to the last byte. */
function send(target: Target): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const req = request(
      target.url,
      {
        method: "POST",
        agent,
        headers: { ...target.headers, "content-length": String(Buffer.byteLength(target.body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          done({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: since(started),
          }),
        );
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.setTimeout(10_000, () => req.destroy(new Error(`${target.name}: no answer in 10 s`)));
    req.end(target.body);
  });
}

/** Checks a target gives a token, through the relay's envelope where there is one. */
async function checkTarget(target: Target): Promise<void> {
  const { status, body } = await send(target);
  const tokenBody =
    target.name === "direct" || target.name === "forwarder"
      ? body
      : (JSON.parse(body) as { upstream?: { body?: string } }).upstream?.body;
  if (status !== 200 || tokenBody === undefined || !tokenBody.includes('"access_token"')) {
    throw new Error(`${target.name} answered ${status}: ${body.slice(0, 300)}`);
  }
}

/** A child process from bench/servers.ts, and the URL it printed. */
async function startChild(args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "bench/servers.ts"), ...args], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`servers.ts ${args[0]} did not start in 20 s`)), 20_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      done((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (code) => fail(new Error(`servers.ts ${args[0]} exited with ${code}`)));
  });
  return { url, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once("exit", () => done());
    child.stdin?.end();
    // Closing stdin ends it; a child that hangs anyway is stopped by its own id.
    setTimeout(() => child.kill("SIGKILL"), 2000).unref();
  });
}

/** Requests per second with `concurrency` requests always in flight, counted over `ms`. */
async function throughput(target: Target, concurrency: number, ms: number) {
  let done = 0;
  let failed = 0;
  let counting = false;
  const warmUntil = performance.now() + Math.min(500, ms / 4);
  let stopAt = Number.POSITIVE_INFINITY;
  let countStart = 0;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const now = performance.now();
      if (!counting && now >= warmUntil) {
        counting = true;
        countStart = now;
        stopAt = now + ms;
      }
      try {
        const { status } = await send(target);
        if (counting && performance.now() <= stopAt) {
          if (status === 200) done += 1;
          else failed += 1;
        }
      } catch {
        if (counting) failed += 1;
      }
    }
  };
  // Bounded: every worker stops at stopAt, which is set at most 500 ms after the start.
  setTimeout(() => {
    if (!counting) {
      counting = true;
      countStart = performance.now();
      stopAt = countStart + ms;
    }
  }, 600).unref();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: (done / (stopAt - countStart)) * 1000, failed };
}

export interface RelayReport {
  readonly figures: readonly Figure[];
  readonly samples: Readonly<Record<string, readonly number[]>>;
}

/** p50 and p99 of a list of milliseconds. */
function stat(samples: readonly number[]) {
  return { p50: median(samples), p99: percentile(samples, 99) };
}

/**
 * Sequential requests taking turns between `targets`, so the machine's noise falls on each alike;
 * after a warm-up, bounded in rounds and in time.
 */
async function takeTurns(targets: readonly Target[], rounds: number): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
  const warmUp = Math.min(200, rounds);
  const started = performance.now();
  for (let round = 0; round < warmUp + rounds; round += 1) {
    for (const target of targets) {
      const { status, ms } = await send(target);
      if (status !== 200) throw new Error(`${target.name} answered ${status} in round ${round}`);
      if (round >= warmUp) samples[target.name]?.push(ms);
    }
    // Bounded in time as well as in rounds, whatever the machine is doing.
    if (since(started) > 30_000) break;
  }
  return samples;
}

export async function measureRelay(options: RelayOptions): Promise<RelayReport> {
  const children: ChildProcess[] = [];
  let bundle: WorkerBundle | undefined;
  try {
    const up = await startChild(["upstream"]);
    children.push(up.child);
    const env = relayEnv(up.url);
    // Each server in a process of its own, the load generator (this process) in another: workerd's
    // host (Miniflare, which reads the Worker's log lines) too, so that no log line of a relay is
    // read by the process timing its answer.
    const started = await Promise.all([
      startChild(["relay", JSON.stringify(env)]),
      startChild(["workerd", JSON.stringify(env)]),
      startChild(["forwarder", up.url]),
      startChild(["workerd-forwarder", up.url]),
    ]);
    children.push(...started.map((s) => s.child));
    const [node, workerd, nodeForwarder, workerdForwarder] = started.map((s) => s.url) as [
      string,
      string,
      string,
      string,
    ];
    const direct = directTarget(up.url);
    const runtimes = {
      node: { relay: relayTarget("node", node), forwarder: forwarderTarget(nodeForwarder) },
      workerd: { relay: relayTarget("workerd", workerd), forwarder: forwarderTarget(workerdForwarder) },
    };
    for (const { relay, forwarder } of Object.values(runtimes)) {
      for (const target of [direct, relay, forwarder]) await checkTarget(target);
    }

    // Latency, one runtime at a time (a deployed relay runs alone, not beside the other runtime), each
    // taking turns with a direct call to the same upstream (the floor) and with a forwarder in the
    // same runtime that only passes the request on (what any second hop costs on this machine).
    const samples: Record<string, number[]> = {};
    const figures: Figure[] = [];
    for (const runtime of ["node", "workerd"] as const) {
      const { relay, forwarder } = runtimes[runtime];
      const block = await takeTurns([direct, relay, forwarder], options.rounds);
      const d = stat(block.direct ?? []);
      const r = stat(block[runtime] ?? []);
      const f = stat(block.forwarder ?? []);
      samples[`${runtime}_direct`] = block.direct ?? [];
      samples[runtime] = block[runtime] ?? [];
      samples[`${runtime}_forwarder`] = block.forwarder ?? [];
      options.log(
        `relay: ${runtime}: latency p50/p99 direct ${d.p50.toFixed(3)}/${d.p99.toFixed(3)} ms, relay ${r.p50.toFixed(3)}/${r.p99.toFixed(3)} ms, bare forwarder ${f.p50.toFixed(3)}/${f.p99.toFixed(3)} ms (${samples[runtime]?.length} rounds)`,
      );
      const how = `${samples[runtime]?.length} sequential requests each, taking turns with direct (p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms) and a bare forwarder in ${runtime} (adds ${(f.p50 - d.p50).toFixed(2)} ms at p50)`;
      figures.push(
        {
          section: "relay",
          name: `${runtime}: added latency p50`,
          value: r.p50 - d.p50,
          unit: "ms",
          detail: `relay p50 ${r.p50.toFixed(2)} ms; floor: a direct call to the same upstream; ${how}`,
          budget: {
            max: 1,
            why: "issue 14: one more loopback hop and the relay's checks, nothing heavier",
          },
        },
        {
          section: "relay",
          name: `${runtime}: added latency p99`,
          value: r.p99 - d.p99,
          unit: "ms",
          detail: `relay p99 ${r.p99.toFixed(2)} ms`,
          budget: { max: 20, why: "even the slowest 1 % stays imperceptible" },
        },
        {
          section: "relay",
          name: `${runtime}: latency ratio relay/direct p50`,
          value: r.p50 / d.p50,
          unit: "ratio",
          detail: "same run, same upstream: the ratio holds on a noisy machine",
          budget: {
            max: 8,
            why: "a second loopback hop plus the checks and the envelope, nothing heavier per request",
          },
        },
      );
    }

    // Throughput at 100 concurrent, each target alone.
    const rps: Record<string, number> = {};
    for (const target of [direct, runtimes.node.relay, runtimes.workerd.relay]) {
      const result = await throughput(target, options.concurrency, options.loadMs);
      rps[target.name] = result.rps;
      if (result.failed > 0)
        options.log(`relay: ${target.name}: ${result.failed} failed requests under load`);
    }
    options.log(
      `relay: ${options.concurrency} concurrent: direct ${Math.round(rps.direct ?? 0)}, node ${Math.round(rps.node ?? 0)}, workerd ${Math.round(rps.workerd ?? 0)} req/s`,
    );
    for (const runtime of ["node", "workerd"] as const) {
      figures.push({
        section: "relay",
        name: `${runtime}: requests per second, ${options.concurrency} concurrent`,
        value: rps[runtime] ?? Number.NaN,
        unit: "req/s",
        detail: `${options.loadMs / 1000} s; direct to the upstream ${Math.round(rps.direct ?? 0)} req/s; load generator, relay and upstream share 2 cores`,
        budget: {
          min: 200,
          why: "a team's refreshes are a few per minute; 200/s leaves room for a whole office",
        },
      });
    }
    // Cold start: a new workerd with the bundled entry, until its first answer.
    bundle = await bundleWorker();
    const cold: number[] = [];
    const firstRequest: number[] = [];
    for (let i = 0; i < options.coldStarts; i += 1) {
      const started = performance.now();
      const fresh = await startWorkerd(bundle, [{ name: "relay", bindings: env }]);
      try {
        const ready = performance.now();
        const answer = await fetch(new URL("relay/clients", fresh.url));
        await answer.arrayBuffer();
        if (answer.status !== 200)
          throw new Error(`workerd cold start: /relay/clients answered ${answer.status}`);
        cold.push(since(started));
        firstRequest.push(since(ready));
      } finally {
        await fresh.close();
      }
    }
    options.log(
      `relay: workerd cold start ${cold.map((v) => v.toFixed(0)).join(", ")} ms (first request ${firstRequest.map((v) => v.toFixed(1)).join(", ")} ms)`,
    );
    figures.push({
      section: "relay",
      name: "workerd: cold start to first answer",
      value: median(cold),
      unit: "ms",
      detail: `median of ${options.coldStarts}: workerd process launch, module load, first GET /relay/clients (first request alone ${median(firstRequest).toFixed(1)} ms)`,
      budget: {
        max: 1000,
        why: "Cloudflare allows a Worker 1 s to start; locally that includes launching workerd",
      },
    });
    return { figures, samples: { ...samples, cold, firstRequest } };
  } finally {
    await bundle?.remove();
    await Promise.all(children.map(stopChild));
    agent.destroy();
  }
}

// `npx tsx bench/relay-figures.ts`: the relay figures alone.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  const report = await measureRelay({ ...DEFAULT_RELAY_OPTIONS, log: (line) => console.log(line) });
  console.log(`\n${formatTable(report.figures)}\n\n${formatVerdicts(report.figures)}`);
}
