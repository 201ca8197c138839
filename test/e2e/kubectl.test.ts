/**
 * `kubectl apply` gated by the webhook, through a real kube-apiserver: the request the
 * API server really sends, its TLS and caBundle checks, its handling of our patches,
 * status codes and warnings, --dry-run=server, and a webhook that is down.
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { startGatedCluster, type Gated } from "./harness/gated";
import { waitFor } from "./harness/procs";
import { kubeLine } from "./harness/tools";
import { describeDoc, loadExamples, EXAMPLES_DIR } from "../helpers/examples";
import { review } from "../../policy";

const NAMESPACES = ["cross-domain", "autonomy-alice", "alice", "bob", "lite-alice", "kuscia-master"];

describe(`kubectl apply, gated by the webhook behind a real kube-apiserver (Kubernetes ${kubeLine()})`, function () {
  this.timeout(600_000);
  let g: Gated;

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes tens of minutes; later runs hit the cache
    g = await startGatedCluster(NAMESPACES);
  });

  after(async () => {
    await g?.stop();
  });

  const applyDoc = (obj: unknown, extra: string[] = []) => g.apply(obj, extra);
  const partnerCert = (): string =>
    (loadExamples("accepted").map((d) => d.object as { kind?: string; spec?: { role?: string; cert?: string } }).find((o) => o.kind === "Domain" && o.spec?.role === "partner" && o.spec.cert)!.spec!.cert!);
  const refusedInterop = () => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "probe" }, spec: { host: "bob", members: ["bob"] } });
  describe("accepted examples", () => {
    for (const f of readdirSync(path.join(EXAMPLES_DIR, "accepted")).sort()) {
      it(`are created by kubectl apply -f ${f}`, async () => {
        const r = await g.cluster.kubectl(["apply", "-f", path.join(EXAMPLES_DIR, "accepted", f)]);
        assert.equal(r.code, 0, r.stderr);
      });
    }

    it("come back with the defaults the mutating webhook added", async () => {
      const get = async (args: string[]) => JSON.parse(await g.cluster.kubectlOk(["get", ...args, "-o", "json"]));
      assert.deepEqual((await get(["domain", "dave"])).spec.interConnProtocols, ["kuscia"]);
      assert.equal((await get(["appimage", "psi-image"])).spec.deployTemplates[0].replicas, 1);
      const kd = await get(["kd", "psi-serving", "-n", "cross-domain"]);
      assert.deepEqual(kd.spec.parties[1].template.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
      assert.deepEqual(kd.spec.parties[0].template.strategy, { type: "Recreate" }, "an explicit strategy is kept");
      // Fields our patch does not know survive untouched.
      const probe = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "patch-probe" }, spec: { authCenter: { authenticationType: "Token", tokenGenMethod: "RSA-GEN" } } };
      assert.equal((await applyDoc(probe)).code, 0);
      const got = await get(["domain", "patch-probe"]);
      assert.deepEqual([got.spec.interConnProtocols, got.spec.authCenter.tokenGenMethod], [["kuscia"], "RSA-GEN"]);
    });

    it("carry the rule book's warnings to kubectl", async () => {
      const r = await applyDoc({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "warned" }, spec: { interConnProtocols: ["kuscia", "bfia"] } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Warning: spec\.interConnProtocols: lists 2 protocols; Kuscia uses only the first/);
    });
  });

  describe("refused examples", () => {
    for (const d of loadExamples("refused")) {
      if (d.repaired) {
        it(`create ${describeDoc(d)} (${d.expectRule}) repaired by the mutating webhook`, async () => {
          const r = await applyDoc(d.object);
          assert.equal(r.code, 0, r.stderr);
          // The webhook's patch is exactly the rule book's defaults for the object.
          const o = d.object as { kind: string; metadata: { name: string; namespace?: string } };
          const got = JSON.parse(await g.cluster.kubectlOk(["get", o.kind, o.metadata.name, ...(o.metadata.namespace ? ["-n", o.metadata.namespace] : []), "-o", "json"]));
          for (const op of review(d.object).patch) {
            const value = op.path.split("/").slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], got);
            assert.deepEqual(value, op.value, `${op.path} after the webhook`);
          }
        });
        continue;
      }
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
    const got = await g.cluster.kubectl(["get", "interop", "dry-run-probe"]);
    assert.match(got.stderr, /NotFound/);
  });

  it("--dry-run=server of an accepted object succeeds and creates nothing", async () => {
    const r = await applyDoc({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "dry-ok" }, spec: { host: "bob", members: ["carol"] } }, ["--dry-run=server"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match((await g.cluster.kubectl(["get", "interop", "dry-ok"])).stderr, /NotFound/);
  });

  it("denies an UPDATE that changes an immutable field, allows what upstream changes, and allows a DELETE", async () => {
    const ic = (host: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "immutable-probe" }, spec: { host, members: ["carol"] } });
    assert.equal((await applyDoc(ic("alice"))).code, 0);
    const upd = await applyDoc(ic("bob"));
    assert.notEqual(upd.code, 0);
    assert.match(upd.stderr, /spec\.host: is immutable: it was "alice", the update sets "bob"/);
    const del = await g.cluster.kubectl(["delete", "interop", "immutable-probe"]);
    assert.equal(del.code, 0, del.stderr);
    // KusciaAPI's UpdateDomain changes a Domain's role and the controller relabels the namespace: not immutable.
    const d = (role: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "role-probe" }, spec: { role, ...(role === "partner" ? { cert: partnerCert() } : {}) } });
    assert.equal((await applyDoc(d(""))).code, 0);
    const toPartner = await applyDoc(d("partner"));
    assert.equal(toPartner.code, 0, toPartner.stderr);
  });

  it("sends ConfigMaps to the webhook only when they carry the config label", async () => {
    const count = () => g.requests({ kind: "v1/ConfigMap" });
    const before = await count();
    await g.cluster.kubectlOk(["create", "configmap", "plain", "-n", "alice", "--from-literal=kuscia.yaml=not: [yaml"]);
    assert.equal(await count(), before, "an unlabelled ConfigMap never reaches the webhook");
    const labelled = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "node", namespace: "alice", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": "mode: autonomy\ndomainID: alice\n" } };
    const r = await applyDoc(labelled);
    assert.notEqual(r.code, 0, "a labelled ConfigMap without a domain key is refused");
    assert.match(r.stderr, /domainKeyData: is required/);
    assert.ok((await count()) > before, "the labelled ConfigMap reached the webhook");
  });

  it("refuses callers without credentials while the API server gets through", async () => {
    const res = await postAnonymously(`${g.webhook.url}/validate`, JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "x" } }));
    assert.equal(res, 401);
    // ...and the API server, presenting the client certificate from its admission kubeconfig, was reviewed above.
    assert.notEqual((await applyDoc({ ...refusedInterop(), metadata: { name: "auth-probe" } })).code, 0);
  });

  it("fails closed while the webhook is down and recovers when it is back", async () => {
    const domain = (name: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name }, spec: {} });
    await g.stopWebhook();
    const down = await applyDoc(domain("while-down"));
    assert.notEqual(down.code, 0, "failurePolicy Fail: nothing is admitted unreviewed");
    assert.match(down.stderr, /failed calling webhook/);
    await g.startWebhook();
    await waitFor("the webhook to admit again", async () => (await applyDoc(domain("after-restart"))).code === 0);
    assert.match((await g.cluster.kubectl(["get", "domain", "while-down"])).stderr, /NotFound/);
  });
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
