/**
 * The probe listener's thread (started by webhook/probes.ts): answers the kubelet's GET /healthz
 * and GET /readyz over TLS on a port and an event loop of its own, from the state the main
 * thread publishes in shared memory. Why a thread: under a flood of requests on the webhook
 * port, the main thread's event loop runs every TLS handshake and reads every body, and a
 * probe's handshake waits behind them (measured: up to 2.4 s, bench/flood.ts), past the
 * probes' 2 s timeout. Here a probe waits only for CPU.
 */
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { secureContextOptions } from "./tls";

/** Offsets in the shared BigInt64Array (webhook/probes.ts writes them). */
export const HEARTBEAT = 0;
export const READY = 1;
export const DRAINING = 2;
export const STATE_SLOTS = 3;

export interface ProbeWorkerData {
  state: SharedArrayBuffer;
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  /** /healthz fails once the main thread's last heartbeat is older than this (ms). */
  staleMs: number;
  handshakeTimeoutMs: number;
}

export type ToProbeWorker = { type: "tls"; certPem: string; keyPem: string } | { type: "close" };
export type FromProbeWorker = { type: "listening"; port: number } | { type: "error"; code: string; message: string } | { type: "closed" };

if (parentPort) {
  const port = parentPort;
  const d = workerData as ProbeWorkerData;
  const state = new BigInt64Array(d.state);
  const server = createServer({ ...secureContextOptions({ certPem: d.certPem, keyPem: d.keyPem }), handshakeTimeout: d.handshakeTimeoutMs, headersTimeout: 5_000, requestTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => {
    const ageMs = Date.now() - Number(Atomics.load(state, HEARTBEAT));
    const alive = ageMs < d.staleMs;
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : body);
    };
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") send(405, "text/plain", "GET /healthz, GET /readyz\n");
    else if (path === "/healthz") {
      if (alive) send(200, "text/plain", "ok");
      else send(503, "text/plain", `the webhook's event loop has not run for ${ageMs} ms (limit ${d.staleMs} ms)\n`);
    } else if (path === "/readyz") {
      const draining = Atomics.load(state, DRAINING) === 1n;
      const ready = alive && !draining && Atomics.load(state, READY) === 1n;
      send(ready ? 200 : 503, "application/json", JSON.stringify({ ready, draining, eventLoopAgeMs: ageMs }));
    } else send(404, "text/plain", "the probe port serves GET /healthz and GET /readyz\n");
  });
  server.on("tlsClientError", () => undefined);
  server.once("error", (e: NodeJS.ErrnoException) => port.postMessage({ type: "error", code: e.code ?? "", message: e.message } satisfies FromProbeWorker));
  server.listen(d.port, d.host, () => port.postMessage({ type: "listening", port: (server.address() as AddressInfo).port } satisfies FromProbeWorker));
  port.on("message", (m: ToProbeWorker) => {
    if (m.type === "tls") server.setSecureContext(secureContextOptions({ certPem: m.certPem, keyPem: m.keyPem }));
    else {
      server.close(() => port.postMessage({ type: "closed" } satisfies FromProbeWorker));
      server.closeAllConnections();
    }
  });
}
