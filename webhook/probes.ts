/**
 * The probe listener (--probe-port): GET /healthz and GET /readyz over TLS, served by a thread
 * of its own (webhook/probeworker.ts) so that the kubelet's probes are answered within their
 * timeout while the webhook port is flooded. The main thread publishes a heartbeat and its
 * readiness in shared memory; the thread answers from them:
 * - /healthz: 200 while the main thread's event loop ran within `staleMs`, else 503 (a stuck
 *   loop is what a liveness probe exists to catch);
 * - /readyz: 200 while that holds and the webhook is ready (certificate valid, not draining).
 * The webhook port keeps its own /healthz and /readyz.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import { DRAINING, HEARTBEAT, READY, STATE_SLOTS, type FromProbeWorker, type ProbeWorkerData, type ToProbeWorker } from "./probeworker";
import type { TlsMaterial } from "./tls";

const WORKER_FILE = path.join(__dirname, "probeworker.js");
/** A heartbeat every this many ms. */
const HEARTBEAT_MS = 250;
/** Default `staleMs`: far above any event-loop delay a flood causes (about 0.25 s, bench/flood.ts). */
export const PROBE_STALE_MS = 5_000;

export interface ProbeListenerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  material: TlsMaterial;
  /** The main thread's readiness, read at every heartbeat. */
  ready: () => boolean;
  draining: () => boolean;
  staleMs?: number;
  handshakeTimeoutMs?: number;
  /** Test-only: no automatic heartbeat; the test calls publish(). */
  manualHeartbeat?: boolean;
  /** The thread failed after it started listening (its probes then fail, and the kubelet restarts the pod). */
  onError?: (e: Error) => void;
}

export interface ProbeListener {
  port: number;
  /** Writes the heartbeat and the readiness now (also done every 250 ms). */
  publish(): void;
  /** Serves a new certificate and key (the webhook's reload). */
  setTls(m: TlsMaterial): void;
  close(): Promise<void>;
}

/** Starts the probe thread and resolves once it listens; rejects with its listen error (EADDRINUSE, ...). */
export async function startProbeListener(o: ProbeListenerOptions): Promise<ProbeListener> {
  const shared = new SharedArrayBuffer(STATE_SLOTS * BigInt64Array.BYTES_PER_ELEMENT);
  const state = new BigInt64Array(shared);
  const publish = (): void => {
    Atomics.store(state, HEARTBEAT, BigInt(Date.now()));
    Atomics.store(state, READY, o.ready() ? 1n : 0n);
    Atomics.store(state, DRAINING, o.draining() ? 1n : 0n);
  };
  publish();
  const data: ProbeWorkerData = {
    state: shared,
    host: o.host,
    port: o.port,
    certPem: o.material.certPem,
    keyPem: o.material.keyPem,
    staleMs: o.staleMs ?? PROBE_STALE_MS,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? 10_000,
  };
  // A small heap: it holds a server and a few connections, never a request body.
  const worker = new Worker(WORKER_FILE, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 32 } });
  const post = (m: ToProbeWorker): void => worker.postMessage(m);
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (m: FromProbeWorker): void => {
      if (m.type === "listening") resolve(m.port);
      else if (m.type === "error") reject(Object.assign(new Error(`--probe-port: ${m.message}`), { code: m.code }));
    };
    worker.on("message", onMessage);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the probe listener's thread exited (${code}) before listening`)));
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  worker.removeAllListeners("exit");
  worker.removeAllListeners("error");
  worker.on("error", (e) => o.onError?.(e));
  const timer = o.manualHeartbeat ? undefined : setInterval(publish, HEARTBEAT_MS);
  timer?.unref();
  let closing: Promise<void> | undefined;
  return {
    port,
    publish,
    setTls: (m) => post({ type: "tls", certPem: m.certPem, keyPem: m.keyPem }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        // A thread that already ended (it failed: onError) sends nothing more: nothing to wait for.
        if (worker.threadId === -1) return resolve();
        worker.on("message", (m: FromProbeWorker) => {
          if (m.type === "closed") void worker.terminate().then(() => resolve());
        });
        worker.once("exit", () => resolve());
        post({ type: "close" });
      });
      return closing;
    },
  };
}
