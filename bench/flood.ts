/**
 * bench/flood: callers that would exhaust the webhook's memory (the issue: 100
 * unauthenticated connections each streaming a 7 MiB body took it from 160 to 840 MiB). The
 * webhook runs as shipped (`kuscia-iac webhook`: default workers, heaps, --max-buffered-bytes,
 * no caller authentication). BENCH_CONNECTIONS (100) connections at once each stream a
 * BENCH_BODY_MIB (7) MiB AdmissionReview, the worst kind: an UPDATE of two lists of `{}`
 * (millions of schema findings). A connection answered 503 (past the byte budget, or the
 * queue) stops sending, as a client that got its answer does, and sends again at once
 * (ignoring Retry-After, as a flood would) until BENCH_SECONDS (30) have passed; any other
 * answer or a connection error ends it.
 *
 * Two ways of sending, each against a fresh webhook (BENCH_MODES, default both):
 *   declared  with Content-Length: past the budget the answer comes before the body is read;
 *   chunked   no length: the budget is taken chunk by chunk, and past it the rest is dropped.
 *
 * Reported per way: the webhook process's peak RSS (VmHWM, every thread) against the 768Mi
 * memory limit of deploy/ and the chart; the bytes the callers wrote (handed to TLS, counted
 * per write) and the bytes the webhook read (kuscia_iac_webhook_request_body_bytes_total:
 * buffered for a review, or discarded after a 503) and the most it held at once; the longest event-loop delay; the answers
 * by status; /healthz of the webhook's probe port (--probe-port, where deploy/ and the chart
 * send the kubelet's probes), of its webhook port and of a bare Node.js HTTPS server
 * (bench/bare.ts), probed in turn from a thread of their own, before, during and after the
 * flood; the machine's load average. Exit 1 when the peak RSS reaches the limit or the probe
 * port's /healthz took 1 s or more during the flood. Run: `npm run bench:flood` (extra arguments go to `kuscia-iac webhook`). Linux only.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { request } from "node:https";
import { admissionBody } from "./bodies";
import { startProber } from "./probe";
import { machine, memoryOf, metricValue, send, startBareServer, startBenchWebhook, type BareServer } from "./process";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const BODY_MIB = Number(process.env.BENCH_BODY_MIB ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const MODES = (process.env.BENCH_MODES ?? "declared,chunked").split(",") as Mode[];
/** resources.limits.memory of the webhook in deploy/webhook.yaml and the chart's values.yaml. */
const LIMIT_MIB = 768;
const CHUNK = 64 * 1024;

type Mode = "declared" | "chunked";

interface Attempt {
  /** HTTP status, or the connection error's code. */
  outcome: string;
  /** Body bytes handed to TLS (a write's callback ran). */
  written: number;
}

interface FloodResult {
  attempts: number;
  outcomes: Record<string, number>;
  bytesWritten: number;
  /** Connections whose last attempt was answered otherwise than 503, by that answer. */
  finalOutcomes: Record<string, number>;
  slowestAttemptMs: number;
}

/** One request: streams the body in CHUNK writes, honouring backpressure, until it is sent or answered. */
function attempt(url: string, ca: string, body: Buffer, mode: Mode): Promise<Attempt & { ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let written = 0;
    let outcome: string | undefined;
    let finished = false;
    const finish = (o: string): void => {
      if (finished) return;
      finished = true;
      // Answered before the whole body went out: this caller is done with the connection.
      req.destroy();
      resolve({ outcome: o, written, ms: Date.now() - t0 });
    };
    const headers: Record<string, string> = { "content-type": "application/json", ...(mode === "declared" ? { "content-length": String(body.length) } : { "transfer-encoding": "chunked" }) };
    const req = request(new URL("/validate", url), { method: "POST", ca, agent: false, headers }, (res) => {
      outcome = String(res.statusCode);
      res.resume();
      res.on("end", () => finish(outcome!));
      res.on("error", () => finish(outcome!));
    });
    req.on("error", (e: NodeJS.ErrnoException) => finish(outcome ?? `error ${e.code ?? e.message}`));
    req.on("close", () => finish(outcome ?? "error closed before an answer"));
    void (async () => {
      for (let off = 0; off < body.length && outcome === undefined && !finished; off += CHUNK) {
        const c = body.subarray(off, off + CHUNK);
        const ok = req.write(c, (err) => {
          if (!err) written += c.length;
        });
        if (!ok) await new Promise<void>((r) => {
          // Whichever comes first; the others are removed, or every wait would leave two behind.
          const done = (): void => {
            req.off("drain", done);
            req.off("response", done);
            req.off("close", done);
            r();
          };
          req.once("drain", done);
          req.once("response", done);
          req.once("close", done);
        });
      }
      if (outcome === undefined && !finished) req.end();
    })();
  });
}

async function flood(): Promise<void> {
  const { url, ca, mode } = workerData as { url: string; ca: string; mode: Mode };
  const body = Buffer.from(admissionBody(BODY_MIB * 1024 * 1024 - 1024));
  const deadline = Date.now() + SECONDS * 1000;
  const result: FloodResult = { attempts: 0, outcomes: {}, bytesWritten: 0, finalOutcomes: {}, slowestAttemptMs: 0 };
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      let last = "";
      do {
        const a = await attempt(url, ca, body, mode);
        result.attempts++;
        result.outcomes[a.outcome] = (result.outcomes[a.outcome] ?? 0) + 1;
        result.bytesWritten += a.written;
        result.slowestAttemptMs = Math.max(result.slowestAttemptMs, a.ms);
        last = a.outcome;
      } while (last === "503" && Date.now() < deadline);
      result.finalOutcomes[last] = (result.finalOutcomes[last] ?? 0) + 1;
    }),
  );
  parentPort!.postMessage(result);
}

const mib = (b: number): number => Math.round((b / 1024 / 1024) * 10) / 10;

async function runMode(mode: Mode, bare: BareServer): Promise<Record<string, unknown>> {
  // As shipped: deploy/ and the chart point the kubelet's probes at --probe-port.
  const wh = await startBenchWebhook(["--probe-port", "0", ...process.argv.slice(2)]);
  const prober = startProber([
    { name: "probes", url: wh.probeUrl!, ca: wh.ca },
    { name: "webhook", url: wh.url, ca: wh.ca },
    { name: "bare", url: bare.url, ca: bare.ca },
  ]);
  prober.phase("before");
  await new Promise((r) => setTimeout(r, 3000));
  const idle = memoryOf(wh.pid);
  let peak = idle.rssMiB;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(wh.pid).rssMiB)), 50);
  // The most body bytes held at once, as the webhook's own gauge says (scraped every second).
  let heldMax = 0;
  // The event loop's longest delay (prom-client's monitorEventLoopDelay, reset at each scrape):
  // tells a stalled event loop from a probe delayed elsewhere (accept, the TLS handshake's CPU).
  let loopMaxMs = 0;
  let scraping = true;
  const scraper = (async () => {
    while (scraping) {
      const m = await send(wh, "/metrics");
      if (m.status === 200) {
        heldMax = Math.max(heldMax, metricValue(m.text, "kuscia_iac_webhook_buffered_bytes"));
        loopMaxMs = Math.max(loopMaxMs, metricValue(m.text, "kuscia_iac_webhook_nodejs_eventloop_lag_max_seconds") * 1000);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  prober.phase("flood");
  const t0 = Date.now();
  const result = await new Promise<FloodResult>((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { url: wh.url, ca: wh.ca, mode } });
    w.once("message", resolve);
    w.once("error", reject);
  });
  const seconds = (Date.now() - t0) / 1000;
  prober.phase("after");
  await new Promise((r) => setTimeout(r, 3000));
  scraping = false;
  await scraper;
  clearInterval(sampler);
  const metrics = (await send(wh, "/metrics")).text;
  const peakMiB = Math.max(peak, memoryOf(wh.pid).peakMiB);
  const healthz = await prober.stop();
  await wh.stop();
  return {
    mode,
    loadavg: machine().loadavg,
    seconds: Math.round(seconds * 10) / 10,
    client: { attempts: result.attempts, outcomes: result.outcomes, finalOutcomes: result.finalOutcomes, bytesWrittenMiB: mib(result.bytesWritten), slowestAttemptMs: result.slowestAttemptMs },
    server: {
      bodyBytesBufferedMiB: mib(metricValue(metrics, "kuscia_iac_webhook_request_body_bytes_total", 'disposition="buffered"')),
      bodyBytesDiscardedMiB: mib(metricValue(metrics, "kuscia_iac_webhook_request_body_bytes_total", 'disposition="discarded"')),
      mostHeldAtOnceMiB: mib(heldMax),
      eventLoopDelayMaxMs: Math.round(loopMaxMs),
      reviewed: metricValue(metrics, "kuscia_iac_webhook_requests_total", 'verdict="denied"') + metricValue(metrics, "kuscia_iac_webhook_requests_total", 'verdict="allowed"'),
      overloaded503: metricValue(metrics, "kuscia_iac_webhook_reviews_rejected_total"),
      workerRestarts: metricValue(metrics, "kuscia_iac_webhook_review_worker_restarts_total"),
    },
    rss: { idleMiB: Math.round(idle.rssMiB), peakMiB: Math.round(peakMiB), limitMiB: LIMIT_MIB, peakToLimit: Math.round((peakMiB / LIMIT_MIB) * 100) / 100 },
    healthzMs: healthz,
  };
}

async function main(): Promise<void> {
  const start = machine();
  const bare = await startBareServer();
  const runs = [];
  for (const mode of MODES) runs.push(await runMode(mode, bare));
  await bare.stop();
  const out = { machine: { cpus: start.cpus, loadavgAtStart: start.loadavg, loadavgAtEnd: machine().loadavg }, connections: CONNECTIONS, bodyMiB: BODY_MIB, seconds: SECONDS, runs };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  // The kubelet's probes go to the probe port (deploy/, the chart): that one must answer within 1 s.
  const bad = runs.some((r) => (r.rss as { peakMiB: number }).peakMiB >= LIMIT_MIB || ((r.healthzMs as Record<string, Record<string, { max: number }>>).flood?.probes?.max ?? Infinity) >= 1000);
  if (bad) process.exitCode = 1;
}

if (isMainThread) void main();
else void flood();
