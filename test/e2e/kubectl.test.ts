/**
 * `kubectl apply` gated by the webhook, through a real kube-apiserver: the request the
 * API server really sends, its TLS and caBundle checks, its handling of our patches,
 * status codes and warnings, --dry-run=server, and a webhook that is down.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { issueCert, selfSignedCert, caBundleOf } from "../../pki";
import { startWebhook, webhookConfigurations, type RunningWebhook } from "../../webhook";
import { startCluster, type Cluster } from "./harness/cluster";
import { waitFor } from "./harness/procs";
import { toolsDir } from "./harness/tools";
import { describeDoc, loadExamples, EXAMPLES_DIR } from "../helpers/examples";
import { review } from "../../policy";
import { readdirSync } from "node:fs";

const NAMESPACES = ["cross-domain", "autonomy-alice", "alice"];

describe("kubectl apply, gated by the webhook behind a real kube-apiserver", function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let webhook: RunningWebhook;
  let webhookOpts: Parameters<typeof startWebhook>[0];
  let dir: string;
  let clientCa: Awaited<ReturnType<typeof selfSignedCert>>;

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes tens of minutes; later runs hit the cache
    const binDir = toolsDir("kube");
    dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-webhook-"));
    // The API server authenticates to the webhook with a client certificate, as in production.
    clientCa = await selfSignedCert({ cn: "e2e-webhook-client-ca", isCA: true, days: 1 });
    const apiClient = await issueCert({ ca: clientCa, cn: "kube-apiserver", client: true, days: 1 });
    cluster = await startCluster(binDir, { webhookAuth: { clientCertPem: apiClient.certPem, clientKeyPem: apiClient.keyPem } });

    const servingCa = await selfSignedCert({ cn: "e2e-webhook-ca", isCA: true, days: 1 });
    const serving = await issueCert({ ca: servingCa, cn: "127.0.0.1", sans: ["127.0.0.1", "localhost"], days: 1 });
    writeFileSync(path.join(dir, "tls.crt"), serving.certPem);
    writeFileSync(path.join(dir, "tls.key"), serving.keyPem, { mode: 0o600 });
    writeFileSync(path.join(dir, "client-ca.crt"), clientCa.certPem);
    webhookOpts = { host: "127.0.0.1", port: 0, tlsCert: path.join(dir, "tls.crt"), tlsKey: path.join(dir, "tls.key"), clientCa: path.join(dir, "client-ca.crt"), logLevel: "warn", drainTimeoutMs: 2000 };
    webhook = await startWebhook(webhookOpts);
    webhookOpts.port = webhook.port; // restarts reuse the registered URL

    // The same configurations as deploy/, pointed at a URL since there is no kube-proxy here.
    const conf = webhookConfigurations({ caBundle: caBundleOf(servingCa.certPem), url: webhook.url });
    await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [conf.validating, conf.mutating] }));
    for (const ns of NAMESPACES) await cluster.kubectlOk(["create", "namespace", ns]);
    // The API server picks up webhook configurations asynchronously: wait until a refusal is real.
    await waitFor("webhook registration", async () => (await applyDoc(refusedInterop())).code !== 0, 30_000);
  });

  after(async () => {
    await webhook?.close();
    await cluster?.stop();
  });

  const applyDoc = (obj: unknown, extra: string[] = []) => cluster.kubectl(["apply", ...extra, "-f", "-"], stringify(obj));
  const refusedInterop = () => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "probe" }, spec: { host: "bob", members: ["bob"] } });

  describe("accepted examples", () => {
    for (const f of readdirSync(path.join(EXAMPLES_DIR, "accepted")).sort()) {
      it(`are created by kubectl apply -f ${f}`, async () => {
        const r = await cluster.kubectl(["apply", "-f", path.join(EXAMPLES_DIR, "accepted", f)]);
        assert.equal(r.code, 0, r.stderr);
      });
    }

    it("come back with the defaults the mutating webhook added", async () => {
      const get = async (args: string[]) => JSON.parse(await cluster.kubectlOk(["get", ...args, "-o", "json"]));
      assert.deepEqual((await get(["domain", "dave"])).spec.interConnProtocols, ["kuscia"]);
      assert.equal((await get(["appimage", "psi-image"])).spec.deployTemplates[0].replicas, 1);
      const kd = await get(["kd", "psi-serving", "-n", "cross-domain"]);
      assert.deepEqual(kd.spec.parties[1].template.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
      assert.deepEqual(kd.spec.parties[0].template.strategy, { type: "Recreate" }, "an explicit strategy is kept");
      // Fields our patch does not know survive untouched.
      assert.equal((await get(["domain", "bob"])).spec.authCenter.tokenGenMethod, "RSA-GEN");
    });

    it("carry the rule book's warnings to kubectl", async () => {
      const r = await applyDoc({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "warned" }, spec: { interConnProtocols: ["kuscia", "bfia"] } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Warning: spec\.interConnProtocols: lists 2 protocols; Kuscia uses only the first/);
    });
  });

  describe("refused examples", () => {
    for (const d of loadExamples("refused")) {
      it(`deny ${describeDoc(d)} (${d.expectRule}) with the rule book's message`, async () => {
        const r = await applyDoc(d.object);
        assert.notEqual(r.code, 0, `created: ${r.stdout}`);
        const expected = review(d.object).violations.find((v) => v.rule === d.expectRule)!;
        assert.ok(r.stderr.includes(expected.message), `kubectl said:\n${r.stderr}\nexpected to contain:\n${expected.message}`);
        assert.ok(r.stderr.includes("denied the request"), r.stderr);
      });
    }
  });

  it("--dry-run=server of a refused example is denied and creates nothing", async () => {
    const obj = { ...refusedInterop(), metadata: { name: "dry-run-probe" } };
    const r = await applyDoc(obj, ["--dry-run=server"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is the host \(spec\.host\)/);
    const g = await cluster.kubectl(["get", "interop", "dry-run-probe"]);
    assert.match(g.stderr, /NotFound/);
  });

  it("--dry-run=server of an accepted object succeeds and creates nothing", async () => {
    const r = await applyDoc({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "dry-ok" }, spec: { host: "bob", members: ["carol"] } }, ["--dry-run=server"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match((await cluster.kubectl(["get", "interop", "dry-ok"])).stderr, /NotFound/);
  });

  it("denies an UPDATE that changes an immutable field and allows a DELETE", async () => {
    const kd = (initiator: string) => ({
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "KusciaDeployment",
      metadata: { name: "immutable-probe", namespace: "cross-domain" },
      spec: { initiator, inputConfig: "{}", parties: [{ appImageRef: "img", domainID: "alice" }, { appImageRef: "img", domainID: "bob" }] },
    });
    assert.equal((await applyDoc(kd("alice"))).code, 0);
    const upd = await applyDoc(kd("bob"));
    assert.notEqual(upd.code, 0);
    assert.match(upd.stderr, /spec\.initiator: is immutable: it was "alice", the update sets "bob"/);
    const del = await cluster.kubectl(["delete", "kd", "immutable-probe", "-n", "cross-domain"]);
    assert.equal(del.code, 0, del.stderr);
  });

  it("sends ConfigMaps to the webhook only when they carry the config label", async () => {
    const count = async () => [...(await metricsText()).matchAll(/kuscia_iac_webhook_requests_total\{[^}]*kind="v1\/ConfigMap"[^}]*\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    const before = await count();
    await cluster.kubectlOk(["create", "configmap", "plain", "-n", "alice", "--from-literal=kuscia.yaml=not: [yaml"]);
    assert.equal(await count(), before, "an unlabelled ConfigMap never reaches the webhook");
    const labelled = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "node", namespace: "alice", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": "mode: autonomy\ndomainID: alice\n" } };
    const r = await applyDoc(labelled);
    assert.notEqual(r.code, 0, "a labelled ConfigMap without a domain key is refused");
    assert.match(r.stderr, /domainKeyData: is required/);
    assert.ok((await count()) > before, "the labelled ConfigMap reached the webhook");
  });

  it("refuses callers without credentials while the API server gets through", async () => {
    const res = await postAnonymously(`${webhook.url}/validate`, JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "x" } }));
    assert.equal(res, 401);
    // ...and the API server, presenting the client certificate from its admission kubeconfig, was reviewed above.
    assert.notEqual((await applyDoc({ ...refusedInterop(), metadata: { name: "auth-probe" } })).code, 0);
  });

  it("fails closed while the webhook is down and recovers when it is back", async () => {
    const domain = (name: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name }, spec: {} });
    await webhook.close();
    const down = await applyDoc(domain("while-down"));
    assert.notEqual(down.code, 0, "failurePolicy Fail: nothing is admitted unreviewed");
    assert.match(down.stderr, /failed calling webhook/);
    webhook = await startWebhook(webhookOpts);
    await waitFor("the webhook to admit again", async () => (await applyDoc(domain("after-restart"))).code === 0, 30_000);
    assert.match((await cluster.kubectl(["get", "domain", "while-down"])).stderr, /NotFound/);
  });

  async function metricsText(): Promise<string> {
    // /metrics sits behind the same caller authentication: present the client certificate.
    const c = await issueCert({ ca: clientCa, cn: "e2e-metrics", client: true, days: 1 });
    return new Promise((resolve, reject) => {
      https
        .get(`${webhook.url}/metrics`, { rejectUnauthorized: false, cert: c.certPem, key: c.keyPem }, (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve(body));
        })
        .on("error", reject);
    });
  }
});

function postAnonymously(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: "POST", rejectUnauthorized: false, headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body);
  });
}
