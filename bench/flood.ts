/**
 * bench/flood: callers that would exhaust the webhook's memory (issue: 100 unauthenticated
 * connections each streaming a 7 MiB body took it to 840 MiB). The webhook runs as shipped
 * (default workers, heaps and --max-buffered-bytes, no caller authentication); 100 connections
 * each send a 7 MiB AdmissionReview at once, the worst kind: an UPDATE of two 3.4 MiB lists of
 * `{}` (two million schema errors each). Reports the webhook's peak RSS against the 768Mi
 * limit of deploy/, /healthz latency during the flood (probed from this thread while a worker
 * thread sends the flood, so the sender's own TLS work does not delay the probe), and what the
 * callers got (200, 503). Run: `npm run bench:flood` (BENCH_CONNECTIONS, BENCH_BODY_MIB vary it;
 * extra arguments go to `kuscia-iac webhook`).
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { admissionBody } from "./bodies";
import { healthzProbe, memoryOf, pct, send, startBenchWebhook, type BenchWebhook } from "./process";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const BODY_MIB = Number(process.env.BENCH_BODY_MIB ?? 7);
const LIMIT_MIB = 768;

async function flood(): Promise<void> {
  const { url, ca } = workerData as { url: string; ca: string };
  const body = admissionBody(BODY_MIB * 1024 * 1024 - 1024);
  const wh = { url, ca } as BenchWebhook;
  const answers = await Promise.all(Array.from({ length: CONNECTIONS }, () => send(wh, "/validate", body)));
  const statuses: Record<string, number> = {};
  for (const a of answers) {
    const k = a.status === 0 ? `error ${a.text}` : String(a.status);
    statuses[k] = (statuses[k] ?? 0) + 1;
  }
  parentPort!.postMessage({ statuses, slowestMs: Math.round(Math.max(...answers.map((a) => a.ms))) });
}

async function main(): Promise<void> {
  const wh = await startBenchWebhook(process.argv.slice(2));
  const idle = memoryOf(wh.pid);
  let peak = idle.rssMiB;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(wh.pid).rssMiB)), 50);
  const probe = healthzProbe(wh);
  const t0 = Date.now();
  const result = await new Promise<{ statuses: Record<string, number>; slowestMs: number }>((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { url: wh.url, ca: wh.ca } });
    w.once("message", resolve);
    w.once("error", reject);
  });
  const seconds = (Date.now() - t0) / 1000;
  const healthz = await probe.stop();
  clearInterval(sampler);
  const hwm = memoryOf(wh.pid).peakMiB;
  await wh.stop();
  const peakMiB = Math.max(peak, hwm);
  const out = {
    connections: CONNECTIONS,
    bodyMiB: BODY_MIB,
    idleRssMiB: Math.round(idle.rssMiB),
    peakRssMiB: Math.round(peakMiB),
    limitMiB: LIMIT_MIB,
    peakToLimit: Math.round((peakMiB / LIMIT_MIB) * 100) / 100,
    statuses: result.statuses,
    slowestAnswerMs: result.slowestMs,
    seconds: Math.round(seconds * 10) / 10,
    healthzMs: { n: healthz.length, p50: Math.round(pct(healthz, 50)), p99: Math.round(pct(healthz, 99)), max: Math.round(Math.max(...healthz)) },
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (out.peakRssMiB >= LIMIT_MIB) process.exitCode = 1;
}

if (isMainThread) void main();
else void flood();
