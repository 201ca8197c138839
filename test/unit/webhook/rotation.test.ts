import { strict as assert } from "node:assert";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { join } from "node:path";
import { issueCert, type CertifiedKey } from "../../../pki";
import { startWebhook, type RunningWebhook } from "../../../webhook/server";
import { tempDir, admissionReview, call, captureLogger, testPki, waitFor, type Pki } from "./helpers";

const domain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "alice" }, spec: {} };
const serialOf = (c: CertifiedKey) => c.cert.serialNumber.toUpperCase().replace(/^0+/, "");
/** The server's own deadlines pushed past the test: on a busy machine a request must wait, not fail a deadline the test did not set. */
const DAY_MS = 86_400_000;
const UNHURRIED = { handshakeTimeoutMs: DAY_MS, headersTimeoutMs: DAY_MS, requestTimeoutMs: DAY_MS, reviewTimeoutMs: DAY_MS };
const norm = (s?: string) => (s ?? "").toUpperCase().replace(/^0+/, "");

/** Requests without pause from several clients, new TLS connections and kept-alive ones, until stopped. */
function load(wh: RunningWebhook, ca: string) {
  let running = true;
  const failures: string[] = [];
  const serials = new Set<string>();
  let ok = 0;
  const keepAlive = new Agent({ keepAlive: true, ca, maxSockets: 2 });
  const loop = async (agent: Agent | false) => {
    while (running) {
      try {
        const r = await call(wh.url, "/validate", { ca, agent, body: JSON.stringify(admissionReview(domain)) });
        if (r.status !== 200 || r.json?.response?.allowed !== true) failures.push(`status ${r.status}`);
        else ok++;
        if (r.serverSerial) serials.add(norm(r.serverSerial));
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
  };
  const loops = [loop(false), loop(false), loop(keepAlive), loop(keepAlive)];
  return {
    serials,
    failures,
    ok: () => ok,
    async stop() {
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
    },
  };
}

describe("webhook certificate rotation under continuous requests", () => {
  let pki: Pki;
  let next: CertifiedKey;
  let third: CertifiedKey;
  before(async function () {
    // Certificates: CPU work a busy machine slows down, with no time limit of mocha's.
    this.timeout(0);
    pki = await testPki();
    next = await issueCert({ ca: pki.ca, cn: "localhost", sans: ["localhost", "127.0.0.1"], days: 1 });
    third = await issueCert({ ca: pki.ca, cn: "localhost", sans: ["localhost", "127.0.0.1"], days: 1 });
  });

  it("swaps in rewritten files, refuses broken pairs, and fails no request", async () => {
    const dir = tempDir("kuscia-iac-rotate-");
    const certFile = join(dir, "tls.crt");
    const keyFile = join(dir, "tls.key");
    writeFileSync(certFile, pki.server.certPem);
    writeFileSync(keyFile, pki.server.keyPem);
    const logs = captureLogger();
    const wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: certFile, tlsKey: keyFile, logger: logs.logger, defaultMetrics: false, watch: { pollMs: 100, debounceMs: 50 } });
    const traffic = load(wh, pki.ca.certPem);
    try {
      await waitFor(() => traffic.ok() > 20, undefined, "traffic");
      assert.ok(traffic.serials.has(serialOf(pki.server)));

      // A broken certificate file: refused, logged, the current pair stays in use.
      writeFileSync(certFile, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
      await waitFor(() => logs.lines().some((l) => l.level === 50 && l.msg === "kept the current certificate: the new pair is not usable"), undefined, "error log");
      // A certificate with somebody else's key: refused too.
      writeFileSync(certFile, next.certPem);
      await waitFor(() => logs.lines().filter((l) => /does not match/.test(String(l.reason))).length > 0, undefined, "mismatch log");
      const before = traffic.ok();
      await waitFor(() => traffic.ok() > before + 20, undefined, "traffic on the old pair");
      assert.equal(norm(wh.certificate().serialNumber), serialOf(pki.server));

      // The matching key lands: the new pair is served to new connections.
      writeFileSync(keyFile, next.keyPem);
      await waitFor(() => traffic.serials.has(serialOf(next)), undefined, "new certificate served");
      const after = traffic.ok();
      await waitFor(() => traffic.ok() > after + 20, undefined, "traffic on the new pair");
    } finally {
      await traffic.stop();
      await wh.close();
    }
    assert.deepEqual(traffic.failures, []);
    assert.ok(logs.lines().some((l) => l.msg === "serving a new certificate" && norm(String(l.serialNumber)) === serialOf(next)));
    assert.ok(!logs.text().includes("PRIVATE KEY"));
  });

  it("follows a Kubernetes Secret volume update (atomic ..data symlink swap)", async () => {
    // The kubelet's layout: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/, swapped with one rename.
    const dir = tempDir("kuscia-iac-secret-");
    const version = (name: string, c: CertifiedKey) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "tls.crt"), c.certPem);
      writeFileSync(join(dir, name, "tls.key"), c.keyPem);
    };
    version("..v1", pki.server);
    symlinkSync("..v1", join(dir, "..data"));
    symlinkSync(join("..data", "tls.crt"), join(dir, "tls.crt"));
    symlinkSync(join("..data", "tls.key"), join(dir, "tls.key"));
    const wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: join(dir, "tls.crt"), tlsKey: join(dir, "tls.key"), logger: captureLogger().logger, defaultMetrics: false, watch: { pollMs: 100, debounceMs: 50 } });
    const traffic = load(wh, pki.ca.certPem);
    try {
      await waitFor(() => traffic.ok() > 10, undefined, "traffic");
      version("..v2", third);
      symlinkSync("..v2", join(dir, "..data_tmp"));
      renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
      await waitFor(() => traffic.serials.has(serialOf(third)), undefined, "new certificate served");
    } finally {
      await traffic.stop();
      await wh.close();
    }
    assert.deepEqual(traffic.failures, []);
  });

  it("refuses an expired certificate, at start and as a replacement", async () => {
    const hour = 3_600_000;
    const expired = await issueCert({ ca: pki.ca, cn: "localhost", sans: ["127.0.0.1"], notBefore: new Date(Date.now() - 2 * hour), notAfter: new Date(Date.now() - hour) });
    const dir = tempDir("kuscia-iac-expired-");
    writeFileSync(join(dir, "old.crt"), expired.certPem);
    writeFileSync(join(dir, "old.key"), expired.keyPem);
    await assert.rejects(startWebhook({ ...UNHURRIED, port: 0, tlsCert: join(dir, "old.crt"), tlsKey: join(dir, "old.key"), logger: captureLogger().logger, defaultMetrics: false }), /expired at/);

    writeFileSync(join(dir, "tls.crt"), pki.server.certPem);
    writeFileSync(join(dir, "tls.key"), pki.server.keyPem);
    const logs = captureLogger();
    const wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: join(dir, "tls.crt"), tlsKey: join(dir, "tls.key"), logger: logs.logger, defaultMetrics: false, watch: { pollMs: 100, debounceMs: 50 } });
    try {
      writeFileSync(join(dir, "tls.key"), expired.keyPem);
      writeFileSync(join(dir, "tls.crt"), expired.certPem);
      await waitFor(() => logs.lines().some((l) => /expired at/.test(String(l.reason))), undefined, "expired refused");
      assert.equal(norm(wh.certificate().serialNumber), serialOf(pki.server));
      const r = await call(wh.url, "/readyz", { ca: pki.ca.certPem });
      assert.equal(r.json.ready, true);
      assert.equal(norm(r.serverSerial), serialOf(pki.server));
    } finally {
      await wh.close();
    }
    // close() drains: the server reports itself not ready from then on.
    assert.equal(wh.ready(), false);
  });
});
