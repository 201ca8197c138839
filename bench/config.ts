/**
 * bench/config: /healthz while the webhook holds a 1 MiB policy configuration (about 12,600
 * exceptions), against a one-line configuration and against a bare Node.js HTTPS server, all
 * in the same run. Three phases per configuration:
 *   idle     nothing but the probes;
 *   reviews  reviews sent back to back (4 at a time, keep-alive, an InteropConfig whose review
 *            tries every exception);
 *   reload   reviews still running, the file rewritten and reloaded BENCH_RELOADS times
 *            (alternating versions, written beside and renamed, as the docs say).
 * Per phase: /healthz as a client sees it (a new TLS connection per probe, as the kubelet's
 * probes; p50/p99/max), for the webhook and for the bare server probed in turn by the same
 * thread; each process's event-loop delay (perf_hooks, 10 ms resolution) and the CPU its
 * main thread used (from /proc). The machine's load average is printed: on a shared machine
 * the bare server's figures are the floor. Target: the webhook's worst /healthz under 1 s
 * (exit 1 otherwise). Run: `npm run bench:config` (BENCH_RELOADS, default 4;
 * BENCH_PHASE_SECONDS, default 10). Linux only (/proc).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { interopCreate } from "./bodies";
import { startProber, type ProbeSummary } from "./probe";
import { cpuOf, machine, startBareServer, startBenchWebhook, webhookEventLoop, type BareServer, type BenchWebhook } from "./process";
import { startReviewLoad } from "./reviewload";

const RELOADS = Number(process.env.BENCH_RELOADS ?? 4);
const PHASE_MS = Number(process.env.BENCH_PHASE_SECONDS ?? 10) * 1000;
const HEAD = "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyConfiguration\n";

/** A valid configuration of just under `bytes` bytes; `variant` changes every exception's reason. */
function configuration(bytes: number, variant: number): { text: string; exceptions: number } {
  let text = `${HEAD}exceptions:\n`;
  let i = 0;
  for (;;) {
    const line = `  - {name: e${i}, reason: r${variant}, match: {names: [t-${i}-*]}, rules: [interop.members]}\n`;
    if (text.length + line.length > bytes) break;
    text += line;
    i++;
  }
  return { text, exceptions: i };
}

interface Side {
  healthzMs?: ProbeSummary;
  eventLoopMaxMs: number;
  eventLoopP99Ms: number;
  mainThreadCpuMs: number;
}

interface Phase {
  seconds: number;
  webhook: Side & { processCpuMs: number };
  bare: Side;
  reviews?: Record<string, number>;
}

interface Run {
  configBytes: number;
  exceptions: number;
  startMs: number;
  reloads: number;
  loadavg: number[];
  phases: Record<string, Phase>;
}

const round = (x: number): number => Math.round(x * 10) / 10;

async function run(bytes: number, bare: BareServer): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-bench-config-"));
  const file = path.join(dir, "policy.yaml");
  const first = configuration(bytes, 0);
  writeFileSync(file, first.text);
  const t0 = Date.now();
  const wh: BenchWebhook = await startBenchWebhook(["--config", file]);
  const startMs = Date.now() - t0;
  const prober = startProber([
    { name: "webhook", url: wh.url, ca: wh.ca },
    { name: "bare", url: bare.url, ca: bare.ca },
  ]);
  const phases: Record<string, Phase> = {};
  // Each phase starts with a reset of both event-loop histograms and a CPU reading.
  let mark = { at: Date.now(), wh: cpuOf(wh.pid), bare: cpuOf(bare.pid) };
  const begin = async (name: string): Promise<void> => {
    await Promise.all([webhookEventLoop(wh), bare.eventLoop()]);
    mark = { at: Date.now(), wh: cpuOf(wh.pid), bare: cpuOf(bare.pid) };
    prober.phase(name);
  };
  const end = async (name: string, reviews?: Record<string, number>): Promise<void> => {
    const [wl, bl] = await Promise.all([webhookEventLoop(wh), bare.eventLoop()]);
    const [wc, bc] = [cpuOf(wh.pid), cpuOf(bare.pid)];
    phases[name] = {
      seconds: round((Date.now() - mark.at) / 1000),
      webhook: { eventLoopMaxMs: round(wl.maxMs), eventLoopP99Ms: round(wl.p99Ms), mainThreadCpuMs: wc.mainMs - mark.wh.mainMs, processCpuMs: wc.processMs - mark.wh.processMs },
      bare: { eventLoopMaxMs: round(bl.maxMs), eventLoopP99Ms: round(bl.p99Ms), mainThreadCpuMs: bc.mainMs - mark.bare.mainMs },
      ...(reviews ? { reviews } : {}),
    };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  await begin("idle");
  await sleep(PHASE_MS);
  await end("idle");

  const load = startReviewLoad({ url: wh.url, ca: wh.ca }, interopCreate());
  await begin("reviews");
  await sleep(PHASE_MS);
  await end("reviews", await load.counts());

  const reloaded = () => wh.lines.filter((l) => l.msg === "policy configuration reloaded").length;
  const before = await load.counts();
  await begin("reload");
  for (let r = 1; r <= RELOADS; r++) {
    writeFileSync(`${file}.tmp`, configuration(bytes, r).text);
    renameSync(`${file}.tmp`, file);
    while (reloaded() < r) await sleep(50);
  }
  const after = await load.stop();
  await end("reload", Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)])));

  const probes = await prober.stop();
  for (const [name, p] of Object.entries(phases)) {
    p.webhook.healthzMs = probes[name]?.webhook;
    p.bare.healthzMs = probes[name]?.bare;
  }
  await wh.stop();
  rmSync(dir, { recursive: true, force: true });
  return { configBytes: first.text.length, exceptions: first.exceptions, startMs, reloads: reloaded(), loadavg: machine().loadavg, phases };
}

/** The worst /healthz and event-loop delay of a run, over its phases. */
function worst(r: Run): { webhookHealthzMaxMs: number; bareHealthzMaxMs: number; webhookEventLoopMaxMs: number; bareEventLoopMaxMs: number } {
  const ps = Object.values(r.phases);
  return {
    webhookHealthzMaxMs: Math.max(...ps.map((p) => p.webhook.healthzMs?.max ?? 0)),
    bareHealthzMaxMs: Math.max(...ps.map((p) => p.bare.healthzMs?.max ?? 0)),
    webhookEventLoopMaxMs: Math.max(...ps.map((p) => p.webhook.eventLoopMaxMs)),
    bareEventLoopMaxMs: Math.max(...ps.map((p) => p.bare.eventLoopMaxMs)),
  };
}

async function main(): Promise<void> {
  const start = machine();
  const bare = await startBareServer();
  const small = await run(200, bare);
  const large = await run(1024 * 1024, bare);
  await bare.stop();
  const w = worst(large);
  const out = {
    machine: { cpus: start.cpus, loadavgAtStart: start.loadavg, loadavgAtEnd: machine().loadavg },
    small,
    large,
    worst: { large: w, small: worst(small), largeToBareHealthzMax: round(w.webhookHealthzMaxMs / Math.max(1, w.bareHealthzMaxMs)) },
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (w.webhookHealthzMaxMs >= 1000) process.exitCode = 1;
}

void main();
