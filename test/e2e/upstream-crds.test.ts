/**
 * Upstream's CRDs as they are (crds/kuscia, byte for byte secretflow/kuscia's): whatever the
 * rule book accepts, a kube-apiserver with those CRDs and no webhook accepts too
 * (`kubectl apply --dry-run=server`), both as written and with the rule book's defaults
 * applied (what the mutating webhook and the components send). The one object of the
 * product docs that upstream's CRD refuses, a KusciaDeployment party-template container
 * without workingDir, is refused by the rule book under its own rule and repaired by its
 * defaults.
 */
import { strict as assert } from "node:assert";
import { applyPatch, deepClone, type Operation } from "fast-json-patch";
import { stringify } from "yaml";
import { review } from "../../policy";
import { startCluster, type Cluster } from "./harness/cluster";
import { toolsDir } from "./harness/tools";
import { describeDoc, loadExamples } from "../helpers/examples";

const NAMESPACES = ["cross-domain", "autonomy-alice", "alice", "bob", "lite-alice", "kuscia-master"];

describe("upstream's CRDs as they are: what the rule book accepts, the API server accepts (no webhook)", function () {
  this.timeout(600_000);
  let cluster: Cluster;

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes tens of minutes; later runs hit the cache
    cluster = await startCluster(toolsDir("kube"));
    for (const ns of NAMESPACES) await cluster.kubectlOk(["create", "namespace", ns]);
  });

  after(async () => {
    await cluster?.stop();
  });

  const dryRun = (obj: unknown) => cluster.kubectl(["apply", "--dry-run=server", "-f", "-"], stringify(obj));
  const withDefaults = (obj: unknown) => applyPatch(deepClone(obj), review(obj).patch as Operation[]).newDocument;

  it("accepts every accepted example as written and with the rule book's defaults", async () => {
    const docs = loadExamples("accepted");
    assert.ok(docs.length > 20, `${docs.length} accepted examples`);
    const failures: string[] = [];
    for (const d of docs) {
      assert.equal(review(d.object).allowed, true, `${describeDoc(d)} is an accepted example`);
      for (const [form, obj] of [["as written", d.object], ["with defaults", withDefaults(d.object)]] as const) {
        const r = await dryRun(obj);
        if (r.code !== 0) failures.push(`${describeDoc(d)} ${form}: ${r.stderr.trim()}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it("refuses the docs' KusciaDeployment without workingDir as the rule book does, and accepts it repaired", async () => {
    const docs = loadExamples("refused").filter((d) => d.expectRule === "kd.template.working-dir");
    assert.ok(docs.length > 0);
    for (const d of docs) {
      const r = await dryRun(d.object);
      assert.notEqual(r.code, 0, `${describeDoc(d)}: the API server created it`);
      assert.match(r.stderr, /workingDir: Required value/);
      const repaired = withDefaults(d.object);
      assert.equal(review(repaired).allowed, true, JSON.stringify(review(repaired).violations));
      const ok = await dryRun(repaired);
      assert.equal(ok.code, 0, ok.stderr);
    }
  });
});
