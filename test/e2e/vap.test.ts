/**
 * `kuscia-iac vap` against a real kube-apiserver with NO webhook registered: the generated
 * ValidatingAdmissionPolicies alone refuse the CEL-expressible refused examples with the
 * rule book's message, admit every accepted example (the upstream-* corpus that Kuscia's own
 * scripts create included: a policy refusing Kuscia's objects would be an outage), agree with
 * review() on every example, guard immutable fields on UPDATE, and follow --config.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { startCluster, type Cluster } from "./harness/cluster";
import { run, startProcess, waitFor, type Proc, type RunResult } from "./harness/procs";
import { REPO, toolsDir } from "./harness/tools";
import { describeDoc, loadExamples, EXAMPLES_DIR } from "../helpers/examples";
import { review } from "../../policy";
import { CEL_RULES } from "../../policy/vap";

const CLI = path.join(REPO, "dist", "cli", "main.js");
const NAMESPACES = ["cross-domain", "autonomy-alice", "alice", "bob", "lite-alice", "kuscia-master"];
const K = "kuscia.secretflow/v1alpha1";
const VAP_RULES = new Set(CEL_RULES.map((c) => c.rule));
const DENIED_BY_POLICY = /ValidatingAdmissionPolicy '[^']+' with binding '[^']+' denied request/;

describe("e2e: kuscia-iac vap: the rule book inside the API server, no webhook", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let dir: string;
  let typeChecker: Proc | undefined;
  /** Refused examples the API server refuses on its own (CRD schema, object names) before any policy. */
  const refusedWithoutPolicies = new Set<string>();
  const vap = (args: string[]): Promise<RunResult> => run(process.execPath, [CLI, "vap", ...args], { timeoutMs: 60_000 });
  const dryRun = (obj: unknown) => cluster.kubectl(["create", "--dry-run=server", "-f", "-"], JSON.stringify(obj));
  const install = async (args: string[] = []) => {
    const r = await vap(args);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(dir, `vap-${Date.now()}.yaml`);
    writeFileSync(file, r.stdout);
    await cluster.kubectlOk(["delete", "validatingadmissionpolicybindings,validatingadmissionpolicies", "-l", "app.kubernetes.io/managed-by=kuscia-iac", "--ignore-not-found"]);
    await cluster.kubectlOk(["apply", "-f", file]);
    return r;
  };
  /** Policies take effect once the API server's informers have them: probe until one refuses. */
  const probe = { apiVersion: K, kind: "InteropConfig", metadata: { name: "vap-probe" }, spec: { host: "bob", members: ["bob"] } };

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes tens of minutes; later runs hit the cache
    cluster = await startCluster(toolsDir("kube"));
    dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-vap-"));
    // The controller that type-checks each policy's expressions against the CRD schemas and
    // writes status.typeChecking runs in kube-controller-manager; the harness starts only the
    // controllers every suite needs, so this suite runs it alone.
    typeChecker = startProcess(path.join(toolsDir("kube"), "kube-controller-manager"), [
      "--kubeconfig", cluster.kubeconfig,
      "--controllers", "validatingadmissionpolicy-status-controller",
      "--leader-elect=false",
      "--bind-address", "127.0.0.1",
      "--secure-port", "0",
    ], path.join(dir, "vap-status-controller.log"));
    for (const ns of NAMESPACES) await cluster.kubectlOk(["create", "namespace", ns]);
    // The control: with no policy and no webhook, which refused examples does the API server refuse by itself?
    for (const d of loadExamples("refused")) if ((await dryRun(d.object)).code !== 0) refusedWithoutPolicies.add(describeDoc(d));
    // An object that breaks a rule, stored before the policies exist (as on a cluster that adopts them later).
    await cluster.kubectlOk(["create", "-f", "-"], JSON.stringify({ apiVersion: K, kind: "InteropConfig", metadata: { name: "stored-before" }, spec: { host: "alice", members: ["alice", "bob"] } }));
    assert.equal((await dryRun(probe)).code, 0, "without policies the probe is admitted");
    await install();
    await waitFor("the policies to take effect", async () => DENIED_BY_POLICY.test((await dryRun(probe)).stderr));
  });

  after(async () => {
    await typeChecker?.stop();
    await cluster?.stop();
  });

  describe("installed", () => it("every policy, without type-checking warnings against the CRD schemas", async () => {
    const list = JSON.parse(await cluster.kubectlOk(["get", "validatingadmissionpolicies", "-o", "json"]));
    assert.equal(list.items.length, CEL_RULES.length);
    await waitFor("type checking of every policy", async () => {
      const l = JSON.parse(await cluster.kubectlOk(["get", "validatingadmissionpolicies", "-o", "json"]));
      return l.items.every((p: any) => p.status?.typeChecking !== undefined);
    });
    const l = JSON.parse(await cluster.kubectlOk(["get", "validatingadmissionpolicies", "-o", "json"]));
    const warnings = l.items.flatMap((p: any) => (p.status?.typeChecking?.expressionWarnings ?? []).map((w: any) => `${p.metadata.name} ${w.fieldRef}: ${w.warning}`));
    assert.deepEqual(warnings, []);
  }));

  describe("every example, and updates", () => {
    it("give the verdict review() gives on every example (for the rules the policies express)", async () => {
      const disagreements: string[] = [];
      let compared = 0;
      for (const which of ["accepted", "refused"] as const) {
        for (const d of loadExamples(which)) {
          if (which === "refused" && refusedWithoutPolicies.has(describeDoc(d))) continue;
          const byBook = review(d.object).violations.filter((v) => VAP_RULES.has(v.rule)).map((v) => v.rule);
          const r = await dryRun(d.object);
          const byPolicy = DENIED_BY_POLICY.test(r.stderr);
          compared++;
          if (byPolicy !== byBook.length > 0) disagreements.push(`${which}/${describeDoc(d)}: policies ${byPolicy ? "refused" : "admitted"} (${r.stderr.trim()}), review() ${byBook.length ? `refused (${byBook.join(", ")})` : "admitted"}`);
          if (byPolicy && !byBook.some((rule) => r.stderr.includes(`[${rule}]`))) disagreements.push(`${which}/${describeDoc(d)}: refused by a rule review() does not report: ${r.stderr.trim()}`);
        }
      }
      assert.deepEqual(disagreements, []);
      assert.ok(compared > 100, `compared ${compared} examples`);
    });

    it("refuses a change of an immutable field on UPDATE, with the rule book's message", async () => {
      const ic = (host: string) => ({ apiVersion: K, kind: "InteropConfig", metadata: { name: "vap-immutable" }, spec: { host, members: ["carol"] } });
      await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify(ic("alice")));
      const r = await cluster.kubectl(["apply", "-f", "-"], JSON.stringify(ic("bob")));
      assert.notEqual(r.code, 0);
      const expected = review(ic("bob"), { operation: "UPDATE", oldObject: ic("alice") }).violations.find((v) => v.rule === "interop.host.immutable")!;
      assert.ok(r.stderr.includes(`${expected.message} [interop.host.immutable]`), r.stderr);
      assert.equal((await cluster.kubectl(["delete", "interop", "vap-immutable"])).code, 0, "DELETE is never reviewed");
    });

    it("lets an object stored before the policies be updated while it keeps its existing violation (allowExistingViolations)", async () => {
      const r = await cluster.kubectl(["label", "interop", "stored-before", "relabelled=yes"]);
      assert.equal(r.code, 0, r.stderr);
    });

  });

  describe("accepted examples are admitted", () => {
    for (const f of readdirSync(path.join(EXAMPLES_DIR, "accepted")).sort()) {
      it(`kubectl apply -f ${f}`, async () => {
        const r = await cluster.kubectl(["apply", "-f", path.join(EXAMPLES_DIR, "accepted", f)]);
        assert.equal(r.code, 0, r.stderr);
      });
    }
  });

  describe("refused examples of the rules a policy expresses are refused by the API server with the rule book's message", () => {
    for (const d of loadExamples("refused").filter((x) => VAP_RULES.has(x.expectRule!))) {
      it(`${describeDoc(d)} (${d.expectRule})`, async function () {
        const r = await cluster.kubectl(["create", "-f", "-"], JSON.stringify(d.object));
        assert.notEqual(r.code, 0, `created: ${r.stdout}`);
        if (refusedWithoutPolicies.has(describeDoc(d))) {
          // The API server's own validation (an object name that is no DNS subdomain) answers first.
          assert.doesNotMatch(r.stderr, DENIED_BY_POLICY);
          return;
        }
        const expected = review(d.object).violations.find((v) => v.rule === d.expectRule)!;
        assert.match(r.stderr, DENIED_BY_POLICY);
        assert.ok(r.stderr.includes(`${expected.message} [${d.expectRule}]`), `kubectl said:\n${r.stderr}\nexpected to contain:\n${expected.message} [${d.expectRule}]`);
      });
    }
  });

  describe("policy configuration", () => it("follows --config: warn, off, exceptions and exempt requesters", async () => {
    const cfg = path.join(dir, "policy.yaml");
    writeFileSync(cfg, stringify({
      apiVersion: "kuscia-iac.secretflow/v1alpha1",
      kind: "PolicyConfiguration",
      rules: { "interop.members": "warn", "domain.name": "off" },
      exceptions: [{ name: "legacy", reason: "created by hand before the policies", match: { kinds: ["KusciaDeployment"], names: ["legacy-*"] }, rules: ["kd.*"] }],
      exemptRequesters: { usernames: ["someone-else"] },
    }));
    const out = await install(["--config", cfg]);
    assert.match(out.stderr, /domain\.name: off in the policy configuration/);
    const kd = (name: string) => ({ apiVersion: K, kind: "KusciaDeployment", metadata: { name, namespace: "cross-domain" }, spec: { initiator: "carol", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "img" }] } });
    // Wait until the new set is in force: the warn binding replaced the deny one.
    await waitFor("the new policies", async () => {
      const r = await dryRun(probe);
      return r.code === 0 && /Warning: .*\[interop\.members\]/.test(r.stderr) && (await dryRun(kd("serving"))).code !== 0 && (await dryRun(kd("legacy-serving"))).code === 0;
    });
    const warned = await dryRun(probe);
    assert.ok(warned.stderr.includes(`${review(probe).violations.find((v) => v.rule === "interop.members")!.message} [interop.members]`), warned.stderr);
    assert.equal((await dryRun({ apiVersion: K, kind: "Domain", metadata: { name: "cross-domain" }, spec: {} })).code, 0, "domain.name is off");
    assert.equal((await dryRun(kd("legacy-serving"))).code, 0, "the exception covers legacy-*");
    const refused = await dryRun(kd("serving"));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\[kd\.initiator\]/);
    // The requester exemption names another user: the admin is still reviewed (above); as an exempt user it is not.
    writeFileSync(cfg, stringify({ exemptRequesters: { usernames: ["e2e-admin"] } }));
    await install(["--config", cfg]);
    await waitFor("the exemption", async () => (await dryRun(kd("serving"))).code === 0);
  }));

  describe("regeneration", () => it("prunes the policies of a rule turned off with the README's kubectl apply --prune, and nothing it does not manage", async () => {
    await install();
    // Someone else's policy, without the label: pruning must leave it.
    await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify({
      apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "not-kuscia-iac" },
      spec: { failurePolicy: "Fail", matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }] }, validations: [{ expression: "true" }] },
    }));
    const cfg = path.join(dir, "prune.yaml");
    writeFileSync(cfg, stringify({ rules: { "interop.host": "off" } }));
    const out = await vap(["--config", cfg]);
    assert.equal(out.code, 0, out.stderr);
    // The command of README "Rules inside the API server", word for word.
    const applied = await cluster.kubectlOk(["apply", "--prune", "-l", "app.kubernetes.io/managed-by=kuscia-iac",
      "--prune-allowlist=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
      "--prune-allowlist=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding", "-f", "-"], out.stdout);
    assert.match(applied, /validatingadmissionpolicy\.admissionregistration\.k8s\.io\/kuscia-iac\.interop\.host pruned/);
    assert.match(applied, /validatingadmissionpolicybinding\.admissionregistration\.k8s\.io\/kuscia-iac\.interop\.host pruned/);
    const names = (await cluster.kubectlOk(["get", "validatingadmissionpolicies,validatingadmissionpolicybindings", "-o", "name"])).trim().split("\n");
    assert.ok(names.includes("validatingadmissionpolicy.admissionregistration.k8s.io/not-kuscia-iac"), "not ours: kept");
    assert.ok(!names.some((n) => n.endsWith("/kuscia-iac.interop.host")));
    assert.equal(names.filter((n) => n.startsWith("validatingadmissionpolicybinding.")).length, VAP_RULES.size - 1);
    await cluster.kubectlOk(["delete", "validatingadmissionpolicy", "not-kuscia-iac"]);
  }));
});
