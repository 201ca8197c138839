/**
 * --probe-port: /healthz and /readyz over real HTTPS from the probe listener's own thread
 * (webhook/probes.ts), from the state the main thread publishes.
 */
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { issueCert, type CertifiedKey } from "../../../pki";
import { startProbeListener, type ProbeListener } from "../../../webhook/probes";
import { webhookFixture } from "../../helpers/webhook";
import { call, testPki } from "./helpers";

describe("webhook --probe-port: probes answered by a thread of their own", function () {
  const fx = webhookFixture();
  const listeners: ProbeListener[] = [];
  after(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.close()));
  });
  const url = (l: ProbeListener) => `https://127.0.0.1:${l.port}`;
  const serialOf = (c: CertifiedKey) => c.cert.serialNumber.toUpperCase().replace(/^0+/, "");
  const norm = (s: string | undefined) => (s ?? "").toUpperCase().replace(/^0+/, "");
  const start = async (o: Partial<Parameters<typeof startProbeListener>[0]> = {}) => {
    const p = await testPki();
    const l = await startProbeListener({ host: "127.0.0.1", port: 0, material: { certPem: p.server.certPem, keyPem: p.server.keyPem }, ready: () => true, draining: () => false, manualHeartbeat: true, ...o });
    listeners.push(l);
    return l;
  };

  it("the webhook serves /healthz and /readyz on the probe port too, and closes it when it stops", async () => {
    const wh = await fx.start({ probePort: 0, reviewWorkers: 0 });
    assert.ok(wh.probeUrl, "probeUrl");
    const ca = fx.pki.ca.certPem;
    const health = await call(wh.probeUrl, "/healthz", { ca });
    assert.equal(health.status, 200);
    assert.equal(health.text, "ok");
    const ready = await call(wh.probeUrl, "/readyz", { ca });
    assert.equal(ready.status, 200);
    assert.equal(ready.json.ready, true);
    // Only the probes: reviews and metrics stay on the webhook port.
    assert.equal((await call(wh.probeUrl, "/validate", { ca, method: "POST", body: "{}" })).status, 405);
    assert.equal((await call(wh.probeUrl, "/metrics", { ca })).status, 404);
    await wh.close();
    await assert.rejects(call(wh.probeUrl, "/healthz", { ca }), /ECONNREFUSED/);
  });

  it("/healthz fails, naming how long, once the main thread's heartbeat is older than the limit", async () => {
    const l = await start({ staleMs: 1 });
    l.publish();
    const published = Date.now();
    // The event: a millisecond has passed since the heartbeat.
    while (Date.now() <= published + 1) await new Promise((r) => setImmediate(r));
    const ca = fx.pki.ca.certPem;
    const health = await call(url(l), "/healthz", { ca });
    assert.equal(health.status, 503);
    assert.match(health.text, /event loop has not run for \d+ ms \(limit 1 ms\)/);
    const ready = await call(url(l), "/readyz", { ca });
    assert.equal(ready.status, 503);
    assert.equal(ready.json.ready, false);
  });

  it("/readyz follows the published readiness and draining; /healthz stays ok meanwhile", async () => {
    let isReady = false;
    let draining = false;
    const l = await start({ staleMs: 3_600_000, ready: () => isReady, draining: () => draining });
    const ca = fx.pki.ca.certPem;
    l.publish();
    assert.equal((await call(url(l), "/readyz", { ca })).status, 503);
    isReady = true;
    l.publish();
    const ok = await call(url(l), "/readyz", { ca });
    assert.equal(ok.status, 200);
    assert.deepEqual({ ready: ok.json.ready, draining: ok.json.draining }, { ready: true, draining: false });
    draining = true;
    l.publish();
    const drained = await call(url(l), "/readyz", { ca });
    assert.equal(drained.status, 503);
    assert.equal(drained.json.draining, true);
    assert.equal((await call(url(l), "/healthz", { ca })).status, 200);
  });

  it("serves a new certificate after setTls (the webhook's reload)", async () => {
    const l = await start({ staleMs: 3_600_000 });
    l.publish();
    const p = fx.pki;
    const before = await call(url(l), "/healthz", { ca: p.ca.certPem, agent: false });
    assert.equal(norm(before.serverSerial), serialOf(p.server));
    const next = await issueCert({ ca: p.ca, cn: "localhost", sans: ["localhost", "127.0.0.1"], days: 1 });
    l.setTls({ certPem: next.certPem, keyPem: next.keyPem });
    // The event: the thread took the message; each new connection shows which certificate it serves.
    let serial = norm(before.serverSerial);
    while (serial !== serialOf(next)) serial = norm((await call(url(l), "/healthz", { ca: p.ca.certPem, agent: false })).serverSerial);
    assert.equal(serial, serialOf(next));
  });

  it("a probe port already in use stops the start with the listen error", async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    try {
      await assert.rejects(start({ port: (taken.address() as AddressInfo).port }), (e: Error & { code?: string }) => e.code === "EADDRINUSE" && /--probe-port/.test(e.message));
      await assert.rejects(fx.start({ probePort: (taken.address() as AddressInfo).port, reviewWorkers: 0 }), /--probe-port/);
    } finally {
      taken.close();
    }
  });
});
