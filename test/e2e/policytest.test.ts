/**
 * The defaults inside a real kube-apiserver (MutatingAdmissionPolicy from `kuscia-iac vap`):
 * every example's object after admission equals the webhook's patch applied to it. Then
 * `kuscia-iac test --frontend vap` replays the shipped suites (examples/policy-tests) through
 * the API server's CEL alone, and every case it can judge agrees with the rule book.
 * On a Kubernetes line without MutatingAdmissionPolicy v1 (KUSCIA_IAC_KUBE_VERSION=1.33), it
 * checks that `vap` says so and points to the webhook, and the suites are compared without objects.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { applyPatch, type Operation } from "fast-json-patch";
import { startCluster, type Cluster } from "./harness/cluster";
import { run, waitFor, type RunResult } from "./harness/procs";
import { REPO, toolsDir } from "./harness/tools";
import { describeDoc, loadExamples } from "../helpers/examples";
import { answer } from "../../webhook/admission";
import { deliverObject, review } from "../../policy";
import { jsonClone, jsonEqual } from "../../policy/walk";

const CLI = path.join(REPO, "dist", "cli", "main.js");
const NAMESPACES = ["cross-domain", "autonomy-alice", "alice", "bob", "lite-alice", "kuscia-master"];
type Obj = Record<string, any>;

/** The fields a default may touch: the API server adds metadata and status of its own. */
const payload = (o: Obj) => ({ ...(o.spec !== undefined ? { spec: o.spec } : {}), ...(o.data !== undefined ? { data: o.data } : {}) });

describe("e2e: the defaults as MutatingAdmissionPolicies, and kuscia-iac test --frontend vap", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let minor = 0;
  const cli = (args: string[]): Promise<RunResult> => run(process.execPath, [CLI, ...args], { timeoutMs: 550_000, cwd: REPO });

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes many minutes; later runs hit the cache
    cluster = await startCluster(toolsDir("kube"));
    minor = Number(/^v1\.(\d+)\./.exec(cluster.version)?.[1]);
  });

  after(async () => {
    await cluster?.stop();
  });

  const dryRun = (obj: unknown) => cluster.kubectl(["create", "--dry-run=server", "-o", "json", "-f", "-"], JSON.stringify(obj));

  it("every example's object after admission equals the webhook's patch applied to it (or, without MutatingAdmissionPolicy, vap says so)", async () => {
    const out = await cli(["vap", "--kube-version", `1.${minor}`]);
    assert.equal(out.code, 0, out.stderr);
    if (minor < 36) {
      assert.match(out.stderr, /note: no MutatingAdmissionPolicy for the defaults: Kubernetes 1\.\d+ has .*(mutating webhook|kuscia-iac webhook)/);
      assert.doesNotMatch(out.stdout, /MutatingAdmissionPolicy/);
      return;
    }
    assert.match(out.stdout, /kind: MutatingAdmissionPolicy\n/);
    for (const ns of NAMESPACES) await cluster.kubectlOk(["create", "namespace", ns]);
    await cluster.kubectlOk(["apply", "-f", "-"], out.stdout);
    try {
      await compareExamples();
    } finally {
      await cluster.kubectlOk(["delete", "validatingadmissionpolicies,validatingadmissionpolicybindings,mutatingadmissionpolicies,mutatingadmissionpolicybindings", "-l", "app.kubernetes.io/managed-by=kuscia-iac"]);
      // Out of force before the next test installs its own: the probe Domain keeps its spec, a bad InteropConfig passes.
      await waitFor("the policies to be removed", async () => {
        const r = await dryRun({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "map-probe" }, spec: {} });
        const ic = await dryRun({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "vap-probe" }, spec: { host: "bob", members: ["bob"] } });
        return r.code === 0 && JSON.parse(r.stdout).spec.interConnProtocols === undefined && ic.code === 0;
      });
    }
  });

  async function compareExamples(): Promise<void> {
    // In force once a local Domain comes back with its default.
    await waitFor("the MutatingAdmissionPolicies to take effect", async () => {
      const r = await dryRun({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "map-probe" }, spec: {} });
      return r.code === 0 && JSON.stringify(JSON.parse(r.stdout).spec.interConnProtocols) === '["kuscia"]';
    });
    const mismatches: string[] = [];
    let compared = 0;
    let defaulted = 0;
    for (const which of ["accepted", "refused"] as const) {
      for (const d of loadExamples(which)) {
        const r = await dryRun(d.object);
        if (r.code !== 0) continue; // refused (by a policy or the API server): nothing stored, nothing mutated
        const o = d.object as Obj;
        // Refused by a rule without a CEL form: the webhook refuses it on /mutate too, with no patch to compare.
        if (!review(o).allowed) continue;
        // The webhook's answer on /mutate for this object, as the API server would ask.
        const { body } = answer({ uid: "e2e", operation: "CREATE", object: o, oldObject: null, dryRun: true, namespace: o.metadata?.namespace }, "mutate", review);
        const patch = body.response.patch ? (JSON.parse(Buffer.from(body.response.patch, "base64").toString("utf8")) as Operation[]) : [];
        if (patch.length > 0) defaulted++;
        const want = payload(applyPatch(jsonClone(deliverObject(o)), patch, true, false).newDocument as Obj);
        const got = payload(JSON.parse(r.stdout) as Obj);
        compared++;
        if (!jsonEqual(want, got)) mismatches.push(`${which}/${describeDoc(d)}: the webhook makes ${JSON.stringify(want)}, the API server made ${JSON.stringify(got)}`);
      }
    }
    assert.deepEqual(mismatches, []);
    assert.ok(compared >= 60, `${compared} examples admitted and compared`);
    assert.ok(defaulted >= 5, `${defaulted} of them get defaults`);
  }

  it("kuscia-iac test --frontend vap: the shipped suites pass, and the API server agrees with the rule book on every case it can judge", async () => {
    const r = await cli(["test", "--frontend", "vap", "--kubeconfig", cluster.kubeconfig, "-f", "json", path.join("examples", "policy-tests")]);
    const { summary, suites } = JSON.parse(r.stdout);
    const failed = suites.flatMap((s: Obj) => s.cases.filter((c: Obj) => !c.passed).map((c: Obj) => `${c.name}: ${JSON.stringify([c.failures, c.frontends])}`));
    assert.equal(r.code, 0, `${failed.join("\n").slice(0, 6000)}\n${r.stderr}`);
    const vap = summary.frontends.vap;
    // The figure CI logs show (compared, agreed, not applicable), beside mocha's own run time.
    console.log(`      ${summary.cases} cases; --frontend vap on Kubernetes 1.${minor}: ${JSON.stringify(vap)}`);
    assert.equal(vap.disagreed, 0);
    assert.ok(vap.compared >= 150, JSON.stringify(vap));
    assert.equal(vap.compared + vap.notApplicable, summary.cases);
    // Not applicable only where the API server refuses by itself (CRD schema, names), a DELETE,
    // or a case for another Kubernetes version: each says why.
    const reasons = suites.flatMap((s: Obj) => s.cases.flatMap((c: Obj) => c.frontends.filter((f: Obj) => f.notApplicable).map((f: Obj) => f.notApplicable as string)));
    for (const why of reasons) assert.match(why, /refuses it by itself|match CREATE and UPDATE only|the case is for Kubernetes/, why);
    assert.match(r.stderr, minor >= 36 ? /the defaults as MutatingAdmissionPolicies are compared too/ : /no MutatingAdmissionPolicy there/);
    // Nothing left behind: the run's policies and namespaces are gone.
    const left = await cluster.kubectlOk(["get", minor >= 36 ? "validatingadmissionpolicies,mutatingadmissionpolicies" : "validatingadmissionpolicies", "-l", "kuscia-iac.secretflow/test-run", "-o", "name"]);
    assert.equal(left.trim(), "");
  });
});
