/** Child processes and ports for the end-to-end harness: everything started is stopped, even on failure. */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

const running = new Set<ChildProcess>();

// A crashed or interrupted test run must not leave etcd or an API server behind.
for (const sig of ["exit", "SIGINT", "SIGTERM"] as const) {
  process.once(sig as NodeJS.Signals, () => {
    for (const p of running) p.kill("SIGKILL");
    if (sig !== "exit") process.exit(130);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts a long-running binary with its output in a log file (read it when a test fails). */
export function startProcess(bin: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Proc {
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => {
    running.delete(child);
    resolve(code);
  }));
  return {
    child,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How long the harness lets one wait or one command run before calling it stuck: a backstop, not
 * a wait. A test waits for its event (a probe that answers, a command that ends); on a loaded CI
 * machine a kubectl of a 16-way burst has taken over 60 s, and CRD discovery as long. The
 * suites' mocha timeouts (600 s) stay above it, so a stuck wait fails with its own message.
 */
export const BACKSTOP_MS = 300_000;

/** Runs a command to completion, with optional standard input; killed after `timeoutMs`, saying so in its stderr. */
export function run(bin: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let killed = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          killed = true;
          child.kill("SIGKILL");
        }, opts.timeoutMs)
      : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      if (killed) stderr += `\n${path.basename(bin)} ${args.join(" ")}: killed after ${opts.timeoutMs} ms (the harness's backstop)`;
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Polls `check` until it returns true; throws after `timeoutMs`, a backstop (the last error it threw in the message). */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = BACKSTOP_MS, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ""}`);
}
