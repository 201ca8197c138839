/**
 * `webhook --audit-interval` against a real kube-apiserver: two webhook instances (two
 * replicas) with a 1 s interval; exactly one holds the Lease and writes the reports, in both
 * APIs (--report-api both: wgpolicyk8s PolicyReports and OpenReports), which say what
 * `audit --write-reports` says; rescans with nothing changed write nothing; when the holder
 * closes, the other takes over.
 */
import { strict as assert } from "node:assert";
import { writeFileSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { startCluster, type Cluster } from "./harness/cluster";
import { waitFor } from "./harness/procs";
import { REPO, toolsDir } from "./harness/tools";
import { startWebhook, type RunningWebhook } from "../../webhook";
import { createLogger } from "../../webhook/server";
import { deployManifests } from "../../webhook/manifests";

const K = "kuscia.secretflow/v1alpha1";

describe("e2e: webhook --audit-interval, two replicas, one Lease", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  const hooks: RunningWebhook[] = [];
  const getJson = async (args: string[]) => JSON.parse(await cluster.kubectlOk(["get", ...args, "-o", "json"]));
  const start = (identity: string, kubeconfig = cluster.kubeconfig, reportApi: "both" | "auto" = "both") =>
    startWebhook({
      port: 0,
      reviewWorkers: 0,
      defaultMetrics: false,
      logger: createLogger("silent"),
      audit: { intervalMs: 1000, kubeconfig, leaseNamespace: "kuscia-iac-system", identity, reportApi },
    });
  const holder = async () => (await getJson(["lease", "-n", "kuscia-iac-system", "kuscia-iac-audit"])).spec.holderIdentity as string;

  before(async function () {
    this.timeout(0);
    cluster = await startCluster(toolsDir("kube"));
    await cluster.kubectlOk(["apply", "--server-side", "-f", path.join(REPO, "crds", "wgpolicyk8s"), "-f", path.join(REPO, "crds", "openreports")]);
    await cluster.kubectlOk(["wait", "--for", "condition=established", "--timeout=60s", "crd", "policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io", "reports.openreports.io", "clusterreports.openreports.io"]);
    for (const ns of ["kuscia-iac-system", "cross-domain"]) await cluster.kubectlOk(["create", "namespace", ns]);
    await cluster.kubectlOk(["create", "-f", "-"], stringify({ apiVersion: "v1", kind: "List", items: [
      { apiVersion: K, kind: "Domain", metadata: { name: "alice" }, spec: {} },
      { apiVersion: K, kind: "Domain", metadata: { name: "carol" }, spec: { role: "partner" } },
      { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "serving", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "no-such-image" }] } },
    ] }));
  });
  after(async () => {
    for (const h of hooks) await h.close();
    await cluster?.stop();
  });

  it("exactly one replica holds the Lease and writes correct reports in both APIs; rescans write nothing; a clean namespace loses its reports", async () => {
    hooks.push(await start("replica-a_1"), await start("replica-b_2"));
    await waitFor("a Lease holder", async () => hooks.some((h) => h.audit!.isLeader()));
    await waitFor("the PolicyReports", async () => hooks.some((h) => h.audit!.scans.length > 0));
    const leaders = hooks.filter((h) => h.audit!.isLeader());
    assert.equal(leaders.length, 1);
    const [leader, follower] = hooks[0].audit!.isLeader() ? hooks : [hooks[1], hooks[0]];
    assert.equal(await holder(), leader === hooks[0] ? "replica-a_1" : "replica-b_2");
    assert.equal(follower.audit!.scans.length, 0, "the follower does not scan");

    const pr = await getJson(["policyreport", "-n", "cross-domain", "kuscia-iac"]);
    assert.deepEqual(pr.results.map((r: any) => `${r.result} ${r.resources[0].kind}/${r.resources[0].name} ${r.rule}`), ["warn KusciaDeployment/serving ref.kd.appimage"]);
    const cpr = await getJson(["clusterpolicyreport", "kuscia-iac"]);
    assert.deepEqual(cpr.results.map((r: any) => `${r.result} ${r.resources[0].kind}/${r.resources[0].name} ${r.rule}`), ["fail Domain/carol domain.partner-cert"]);
    assert.deepEqual(cpr.summary, { pass: 1, fail: 1, warn: 0, error: 0, skip: 0 });
    // The same in OpenReports.
    const rep = await getJson(["reports.openreports.io", "-n", "cross-domain", "kuscia-iac"]);
    assert.deepEqual([rep.apiVersion, rep.source, rep.results], ["openreports.io/v1alpha1", "kuscia-iac", pr.results]);
    const cr = await getJson(["clusterreports.openreports.io", "kuscia-iac"]);
    assert.deepEqual([cr.summary, cr.results], [cpr.summary, cpr.results]);
    assert.deepEqual(leader.audit!.scans[0].apis, ["openreports.io/v1alpha1", "wgpolicyk8s.io/v1alpha2"]);

    // Rescans with nothing changed write nothing: every report unchanged, resourceVersions equal.
    const versions = async () =>
      (await getJson(["policyreports,clusterpolicyreports,reports.openreports.io,clusterreports.openreports.io", "-A", "-l", "app.kubernetes.io/managed-by=kuscia-iac"])).items.map((x: any) => `${x.kind} ${x.metadata.namespace ?? ""} ${x.metadata.resourceVersion}`).sort();
    const before = await versions();
    assert.equal(before.length, 4);
    const n = leader.audit!.scans.length;
    await waitFor("two more scans", async () => leader.audit!.scans.length >= n + 2);
    for (const x of leader.audit!.scans.slice(n)) assert.deepEqual([x.created, x.updated, x.deleted, x.unchanged], [0, 0, 0, 4]);
    assert.deepEqual(await versions(), before);

    const metrics = async (h: RunningWebhook) => h.metrics.registry.metrics();
    assert.match(await metrics(leader), /^kuscia_iac_webhook_audit_leader 1$/m);
    assert.match(await metrics(follower), /^kuscia_iac_webhook_audit_leader 0$/m);
    assert.match(await metrics(leader), /^kuscia_iac_webhook_audit_scans_total\{result="success"\} [1-9]/m);

    // A fix shows up at the next scan: the reports of a namespace without findings are deleted.
    await cluster.kubectlOk(["delete", "kusciadeployment", "-n", "cross-domain", "serving"]);
    await waitFor("the fixed namespace's reports deleted", async () => (await cluster.kubectlOk(["get", "policyreports,reports.openreports.io", "-n", "cross-domain", "-o", "name"])).trim() === "");
    assert.equal((await versions()).length, 2, "the two cluster reports stay");
  });

  it("when the holder closes, the other replica takes the Lease and goes on scanning", async () => {
    const [leader, follower] = hooks[0].audit!.isLeader() ? hooks : [hooks[1], hooks[0]];
    await leader.close();
    hooks.splice(hooks.indexOf(leader), 1);
    await waitFor("the other replica to lead", async () => follower.audit!.isLeader());
    assert.equal(await holder(), follower.audit!.lease.opts.identity);
    await cluster.kubectlOk(["create", "-f", "-"], stringify({ apiVersion: K, kind: "KusciaDeployment", metadata: { name: "serving-2", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "other-image" }] } }));
    await waitFor("the new finding reported by the new leader", async () => {
      const r = await cluster.kubectl(["get", "policyreport", "-n", "cross-domain", "kuscia-iac", "-o", "json"]);
      return r.code === 0 && JSON.parse(r.stdout).results.some((x: any) => x.resources[0].name === "serving-2");
    });
    assert.ok(follower.audit!.scans.length > 0);
  });

  it("needs no more than the RBAC of deploy/: the service account reads everything, writes the reports and the Lease", async () => {
    for (const h of hooks.splice(0)) await h.close();
    const rbac = deployManifests().filter((o) => ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].includes(String(o.kind)));
    await cluster.kubectlOk(["create", "-f", "-"], stringify({ apiVersion: "v1", kind: "List", items: rbac }));
    const token = (await cluster.kubectlOk(["create", "token", "kuscia-iac-webhook", "-n", "kuscia-iac-system"])).trim();
    const kc = JSON.parse(readFileSync(cluster.kubeconfig, "utf8"));
    kc.users = [{ name: "webhook", user: { token } }];
    kc.contexts = [{ name: "webhook", context: { cluster: kc.clusters[0].name, user: "webhook" } }];
    kc["current-context"] = "webhook";
    const file = path.join(cluster.workDir, "webhook-sa.json");
    writeFileSync(file, JSON.stringify(kc));
    await cluster.kubectlOk(["delete", "kusciadeployment", "-n", "cross-domain", "serving-2"]);
    const h = await start("pod-sa_3", file);
    hooks.push(h);
    await waitFor("a scan with the service account", async () => h.audit!.scans.length > 0);
    assert.equal(h.audit!.isLeader(), true);
    assert.equal(h.audit!.scans[0].incomplete, false, "every reviewed kind readable cluster-wide");
    await waitFor("the fixed namespace's reports deleted by the service account", async () => (await cluster.kubectlOk(["get", "policyreports,reports.openreports.io", "-n", "cross-domain", "-o", "name"])).trim() === "");
    assert.equal(await holder(), "pod-sa_3");
  });
  it("--report-api auto follows the CRDs the API server serves: installing the OpenReports CRDs while it runs moves the reports there", async () => {
    for (const h of hooks.splice(0)) await h.close();
    await cluster.kubectlOk(["delete", "--wait", "-f", path.join(REPO, "crds", "openreports")]);
    await cluster.kubectlOk(["create", "-f", "-"], stringify({ apiVersion: K, kind: "KusciaDeployment", metadata: { name: "serving-3", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "missing" }] } }));
    const h = await start("auto_4", cluster.kubeconfig, "auto");
    hooks.push(h);
    await waitFor("a PolicyReport in cross-domain", async () => (await cluster.kubectl(["get", "policyreport", "-n", "cross-domain", "kuscia-iac"])).code === 0);
    assert.deepEqual(h.audit!.scans.at(-1)!.apis, ["wgpolicyk8s.io/v1alpha2"]);
    await cluster.kubectlOk(["apply", "--server-side", "-f", path.join(REPO, "crds", "openreports")]);
    await waitFor("the reports moved to OpenReports", async () => {
      const r = await cluster.kubectl(["get", "reports.openreports.io", "-n", "cross-domain", "kuscia-iac"]);
      return r.code === 0 && (await cluster.kubectlOk(["get", "policyreports,clusterpolicyreports", "-A", "-o", "name"])).trim() === "";
    });
    assert.deepEqual(h.audit!.scans.at(-1)!.apis, ["openreports.io/v1alpha1"]);
  });
});
