/**
 * The webhook as a process of its own, started as users start it (`kuscia-iac webhook`),
 * for the benches that measure it from outside: its memory (RSS from /proc), /healthz
 * latency, and answers to HTTPS requests. Linux only (/proc).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request, type RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { issueCert, selfSignedCert } from "../pki";

export interface BenchWebhook {
  url: string;
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
  const proc = spawn(process.execPath, [MAIN, "webhook", "--port", "0", "--tls-cert", path.join(dir, "tls.crt"), "--tls-key", path.join(dir, "tls.key"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let buf = "";
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      buf += d;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      for (const p of parts) {
        if (!p.trim()) continue;
        const l = JSON.parse(p) as Record<string, unknown>;
        lines.push(l);
        if (l.msg === "kuscia-iac webhook listening") resolve(String(l.url));
      }
    });
    proc.on("exit", (code) => reject(new Error(`webhook exited (${code}): ${err}`)));
  });
  return {
    url,
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

export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
