/**
 * The webhook as a process of its own, started as users start it (`kuscia-iac webhook`),
 * for the benches that measure it from outside: its memory (RSS from /proc), /healthz
 * latency, and answers to HTTPS requests. Linux only (/proc). BENCH_NODE_ARGS holds options
 * for its node, e.g. `--cpu-prof --cpu-prof-dir DIR` (profiles of its main thread and workers).
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request, type RequestOptions } from "node:https";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { issueCert, selfSignedCert } from "../pki";

export interface BenchWebhook {
  url: string;
  /** With --probe-port among the arguments: where /healthz and /readyz are also served. */
  probeUrl?: string;
  pid: number;
  ca: string;
  proc: ChildProcess;
  /** Log lines so far (JSON). */
  lines: Record<string, unknown>[];
  stop(): Promise<void>;
}

const MAIN = path.join(__dirname, "..", "cli", "main.js");

export async function startBenchWebhook(args: string[] = []): Promise<BenchWebhook> {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-bench-"));
  const ca = await selfSignedCert({ cn: "bench CA", isCA: true, days: 1 });
  const leaf = await issueCert({ ca, cn: "127.0.0.1", sans: ["127.0.0.1", "localhost"], days: 1 });
  writeFileSync(path.join(dir, "tls.crt"), leaf.certPem);
  writeFileSync(path.join(dir, "tls.key"), leaf.keyPem, { mode: 0o600 });
  // BENCH_NODE_ARGS: options for the webhook's node (`--cpu-prof --cpu-prof-dir DIR` for its profiles; NODE_OPTIONS refuses that one).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, MAIN, "webhook", "--port", "0", "--tls-cert", path.join(dir, "tls.crt"), "--tls-key", path.join(dir, "tls.key"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let buf = "";
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d));
  let probeUrl: string | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      buf += d;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      for (const p of parts) {
        if (!p.trim()) continue;
        const l = JSON.parse(p) as Record<string, unknown>;
        lines.push(l);
        if (l.msg === "kuscia-iac webhook listening") {
          if (typeof l.probeUrl === "string") probeUrl = l.probeUrl;
          resolve(String(l.url));
        }
      }
    });
    proc.on("exit", (code) => reject(new Error(`webhook exited (${code}): ${err}`)));
  });
  return {
    url,
    ...(probeUrl ? { probeUrl } : {}),
    pid: proc.pid!,
    ca: ca.certPem,
    proc,
    lines,
    stop: () =>
      new Promise((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

/** Resident set size and its peak (VmHWM) of `pid`, in MiB. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rssMiB: kb("VmRSS") / 1024, peakMiB: kb("VmHWM") / 1024 };
}

export interface Answer {
  status: number;
  ms: number;
  text: string;
}

/** One HTTPS request; resolves with status and time, or status 0 when the connection failed. */
export function send(wh: BenchWebhook, p: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const done = (status: number, text: string) => resolve({ status, ms: Number(process.hrtime.bigint() - t0) / 1e6, text });
    const o: RequestOptions = { method: body === undefined ? "GET" : "POST", ca: wh.ca, agent: false, headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers } };
    const req = request(new URL(p, wh.url), o, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d));
      res.on("end", () => done(res.statusCode ?? 0, text));
      res.on("error", () => done(res.statusCode ?? 0, text));
    });
    req.on("error", (e: NodeJS.ErrnoException) => done(0, e.code ?? e.message));
    req.end(body);
  });
}

/** Polls /healthz back to back until `stop()`; returns the latencies (ms). */
export function healthzProbe(wh: BenchWebhook): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const a = await send(wh, "/healthz");
      if (a.status === 200) times.push(a.ms);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return times;
    },
  };
}

export { pct } from "./stats";

/** The bare baseline (bench/bare.ts) as a process of its own, on a certificate of its own. */
export interface BareServer {
  url: string;
  pid: number;
  ca: string;
  /** Its event-loop delay since the last call (ms). */
  eventLoop(): Promise<{ maxMs: number; p99Ms: number }>;
  stop(): Promise<void>;
}

export async function startBareServer(): Promise<BareServer> {
  const ca = await selfSignedCert({ cn: "bench CA", isCA: true, days: 1 });
  const leaf = await issueCert({ ca, cn: "127.0.0.1", sans: ["127.0.0.1", "localhost"], days: 1 });
  const proc = fork(path.join(__dirname, "bare.js"), [], { env: { ...process.env, BENCH_TLS_CERT: leaf.certPem, BENCH_TLS_KEY: leaf.keyPem }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once("message", (m: { url: string }) => resolve(m.url));
    proc.once("exit", (code) => reject(new Error(`bare server exited (${code})`)));
  });
  const target = { url, ca: ca.certPem } as BenchWebhook;
  return {
    url,
    pid: proc.pid!,
    ca: ca.certPem,
    eventLoop: async () => JSON.parse((await send(target, "/eventloop")).text) as { maxMs: number; p99Ms: number },
    stop: () =>
      new Promise((resolve) => {
        proc.once("exit", () => resolve());
        proc.disconnect();
      }),
  };
}

/**
 * CPU time (ms) used so far by a process's main thread and by the whole process (every
 * thread), from /proc: the main thread's is the work that can hold its event loop.
 */
export function cpuOf(pid: number): { mainMs: number; processMs: number } {
  const ticks = (file: string): number => {
    const s = readFileSync(file, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]); // utime, stime
  };
  const msPerTick = 1000 / 100; // USER_HZ
  return { mainMs: ticks(`/proc/${pid}/task/${pid}/stat`) * msPerTick, processMs: ticks(`/proc/${pid}/stat`) * msPerTick };
}

/** The webhook's event-loop delay since the last scrape of its /metrics (prom-client resets it), in ms. */
export async function webhookEventLoop(wh: BenchWebhook): Promise<{ maxMs: number; p99Ms: number }> {
  const text = (await send(wh, "/metrics")).text;
  const v = (name: string) => Number(new RegExp(`^kuscia_iac_webhook_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, "m").exec(text)?.[1] ?? NaN) * 1000;
  return { maxMs: v("max"), p99Ms: v("p99") };
}

/** A metric of the webhook's /metrics text: the sum over the series whose labels include `labels`. */
export function metricValue(text: string, name: string, labels = ""): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? "").includes(labels)) sum += Number(m[3]);
  }
  return sum;
}

/** The machine: CPUs and the 1, 5 and 15 minute load averages (`uptime`), for every bench report. */
export function machine(): { cpus: number; loadavg: number[] } {
  return { cpus: availableParallelism(), loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
}
