/**
 * bench/config: /healthz latency while the webhook follows a 1 MiB policy configuration
 * (about 11,000 exceptions): at start, and while the file is rewritten and reloaded
 * (RELOADS times, alternating two versions so every write is a real change), against the
 * same measurement with a one-line configuration in the same run. Before the configuration
 * moved off the event loop, /healthz answered after 13 to 18 s with such a file. Target: the
 * worst /healthz under 1 s. Run: `npm run bench:config` (BENCH_RELOADS, default 4).
 */
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { healthzProbe, pct, send, startBenchWebhook } from "./process";

const RELOADS = Number(process.env.BENCH_RELOADS ?? 4);
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

interface Run {
  exceptions: number;
  startMs: number;
  reloads: number;
  /** /healthz as a client sees it: includes waiting for a CPU on a shared machine. */
  healthzMs: { n: number; p50: number; p99: number; max: number };
  /** The webhook's own measure of how long its event loop was held, over the run (perf_hooks monitorEventLoopDelay). */
  eventLoopDelayMaxMs: number;
}

async function run(bytes: number): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-bench-config-"));
  const file = path.join(dir, "policy.yaml");
  const first = configuration(bytes, 0);
  writeFileSync(file, first.text);
  const t0 = Date.now();
  const wh = await startBenchWebhook(["--config", file]);
  const startMs = Date.now() - t0;
  const probe = healthzProbe(wh);
  const reloaded = () => wh.lines.filter((l) => l.msg === "policy configuration reloaded").length;
  for (let r = 1; r <= RELOADS; r++) {
    // Written beside and renamed, as the docs say to update a plain file.
    writeFileSync(`${file}.tmp`, configuration(bytes, r).text);
    renameSync(`${file}.tmp`, file);
    while (reloaded() < r) await new Promise((res) => setTimeout(res, 50));
  }
  const times = await probe.stop();
  const metrics = (await send(wh, "/metrics")).text;
  const lag = Number(/^kuscia_iac_webhook_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(metrics)?.[1] ?? NaN);
  await wh.stop();
  return {
    exceptions: first.exceptions,
    startMs,
    reloads: reloaded(),
    healthzMs: { n: times.length, p50: Math.round(pct(times, 50)), p99: Math.round(pct(times, 99)), max: Math.round(Math.max(...times)) },
    eventLoopDelayMaxMs: Math.round(lag * 1000),
  };
}

async function main(): Promise<void> {
  const small = await run(200);
  const large = await run(1024 * 1024);
  const out = { small, large, maxRatio: Math.round((large.healthzMs.max / Math.max(1, small.healthzMs.max)) * 10) / 10 };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (large.healthzMs.max >= 1000) process.exitCode = 1;
}

void main();
