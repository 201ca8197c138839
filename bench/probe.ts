/**
 * A /healthz prober on a thread of its own (node:worker_threads), so the bench's own work
 * (writing files, sending a flood or reviews) never delays a probe and counts against the
 * server. Each round asks every target once, in turn, on a new connection (as the kubelet's
 * HTTP probes do: no keep-alive), then waits `gapMs`. Samples carry the phase the main
 * thread last named (`phase(name)`), so one prober covers a whole run.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { request } from "node:https";
import { pct } from "./stats";

export interface ProbeTarget {
  name: string;
  url: string;
  ca: string;
}

interface Sample {
  target: string;
  phase: string;
  ms: number;
  ok: boolean;
}

/** Latencies of successful probes, and failures, per target, in one phase. */
export interface ProbeSummary {
  n: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

export interface Prober {
  /** Samples from now on belong to `name`. */
  phase(name: string): void;
  /** Stops probing (after the round in progress); per phase, per target. */
  stop(): Promise<Record<string, Record<string, ProbeSummary>>>;
}

export function startProber(targets: ProbeTarget[], gapMs = 50): Prober {
  const w = new Worker(__filename, { workerData: { targets, gapMs } });
  const done = new Promise<Sample[]>((resolve, reject) => {
    w.on("message", (m: { samples: Sample[] }) => resolve(m.samples));
    w.once("error", reject);
  });
  return {
    phase: (name) => w.postMessage({ phase: name }),
    async stop() {
      w.postMessage({ stop: true });
      const samples = await done;
      await w.terminate();
      const out: Record<string, Record<string, ProbeSummary>> = {};
      for (const s of samples) ((out[s.phase] ??= {})[s.target] ??= { n: 0, failed: 0, p50: 0, p99: 0, max: 0 });
      for (const [phase, byTarget] of Object.entries(out)) {
        for (const target of Object.keys(byTarget)) {
          const ms = samples.filter((s) => s.phase === phase && s.target === target && s.ok).map((s) => s.ms);
          const failed = samples.filter((s) => s.phase === phase && s.target === target && !s.ok).length;
          byTarget[target] = { n: ms.length, failed, p50: Math.round(pct(ms, 50)), p99: Math.round(pct(ms, 99)), max: Math.round(Math.max(0, ...ms)) };
        }
      }
      return out;
    },
  };
}

function probeOnce(t: ProbeTarget): Promise<{ ms: number; ok: boolean }> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const ms = (): number => Number(process.hrtime.bigint() - t0) / 1e6;
    const req = request(new URL("/healthz", t.url), { ca: t.ca, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ms: ms(), ok: res.statusCode === 200 }));
      res.on("error", () => resolve({ ms: ms(), ok: false }));
    });
    req.on("error", () => resolve({ ms: ms(), ok: false }));
    req.end();
  });
}

async function run(): Promise<void> {
  const { targets, gapMs } = workerData as { targets: ProbeTarget[]; gapMs: number };
  const samples: Sample[] = [];
  let phase = "start";
  let stop = false;
  parentPort!.on("message", (m: { phase?: string; stop?: boolean }) => {
    if (m.phase) phase = m.phase;
    if (m.stop) stop = true;
  });
  while (!stop) {
    for (const t of targets) {
      const at = phase;
      const r = await probeOnce(t);
      samples.push({ target: t.name, phase: at, ...r });
    }
    await new Promise((r) => setTimeout(r, gapMs));
  }
  parentPort!.postMessage({ samples });
}

if (!isMainThread && (workerData as { targets?: unknown } | undefined)?.targets) void run();
