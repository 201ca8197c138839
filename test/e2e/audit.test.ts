/**
 * `kuscia-iac audit` against a real kube-apiserver, with no webhook registered: objects
 * the webhook would have refused, and objects referring to objects that do not exist, are
 * stored; the CLI finds them, writes PolicyReports, leaves them alone when nothing changed,
 * and drops what was fixed.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { startCluster, type Cluster } from "./harness/cluster";
import { BACKSTOP_MS, run, type RunResult } from "./harness/procs";
import { REPO, toolsDir } from "./harness/tools";
import { DAY, makeCert } from "../helpers/certs";
import { KubeClient, loadKubeConfig } from "../../audit/kube";

const K = "kuscia.secretflow/v1alpha1";
const CLI = path.join(REPO, "dist", "cli", "main.js");

describe("e2e: kuscia-iac audit against a real kube-apiserver", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let dir: string;
  let certNotAfter: Date;
  const audit = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
    run(process.execPath, [CLI, "audit", "--kubeconfig", cluster.kubeconfig, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, timeoutMs: BACKSTOP_MS });
  const getJson = async (args: string[]) => JSON.parse(await cluster.kubectlOk(["get", ...args, "-o", "json"]));
  const create = (objs: unknown[]) => cluster.kubectlOk(["create", "-f", "-"], stringify({ apiVersion: "v1", kind: "List", items: objs }));

  before(async function () {
    this.timeout(0); // a cold build of the binaries takes tens of minutes; later runs hit the cache
    cluster = await startCluster(toolsDir("kube"));
    dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-e2e-audit-"));
    await cluster.kubectlOk(["apply", "--server-side", "-f", path.join(REPO, "crds", "wgpolicyk8s")]);
    await cluster.kubectlOk(["wait", "--for", "condition=established", "--timeout=60s", "crd", "policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io"]);
    for (const ns of ["alice", "cross-domain"]) await cluster.kubectlOk(["create", "namespace", ns]);
    certNotAfter = new Date(Math.floor((Date.now() + 10 * DAY) / 1000) * 1000);
    const cert = await makeCert({ cn: "alice", notAfter: certNotAfter });
    await create([
      { apiVersion: K, kind: "Domain", metadata: { name: "alice" }, spec: { cert: cert.certB64 } },
      { apiVersion: K, kind: "Domain", metadata: { name: "bob" }, spec: {} },
      // Refused by the rule book: a partner needs a certificate; a host among its members.
      { apiVersion: K, kind: "Domain", metadata: { name: "carol" }, spec: { role: "partner" } },
      { apiVersion: K, kind: "InteropConfig", metadata: { name: "loop" }, spec: { host: "bob", members: ["bob"] } },
      // Referring to objects that do not exist.
      { apiVersion: K, kind: "InteropConfig", metadata: { name: "alice-2-erin" }, spec: { host: "alice", members: ["erin"] } },
      { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "serving", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "no-such-image" }, { domainID: "bob", appImageRef: "no-such-image" }] } },
      // A node configuration without its key, in namespace alice; and a ConfigMap the rule book does not review.
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "node", namespace: "alice", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": "mode: autonomy\ndomainID: alice\n" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "plain", namespace: "alice" }, data: { "kuscia.yaml": "not: [yaml" } },
    ]);
  });

  after(async () => {
    await cluster?.stop();
  });

  it("finds what the webhook would have refused and what refers to missing objects, page by page", async () => {
    const r = await audit(["--page-size", "1", "--format", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    const found = out.results.flatMap((x: any) => [...x.violations.map((v: any) => `error ${x.kind}/${x.name} ${v.rule} ${v.path}`), ...x.warnings.map((w: any) => `warning ${x.kind}/${x.name} ${w.rule} ${w.path}`)]).sort();
    assert.deepEqual(found, [
      "error ConfigMap/node nodeconfig.domain-key data[\"kuscia.yaml\"].domainKeyData",
      "error ConfigMap/node nodeconfig.enums data[\"kuscia.yaml\"].runtime",
      "error Domain/carol domain.partner-cert spec.cert",
      "error InteropConfig/loop interop.members spec.members[0]",
      "warning Domain/alice domain.cert.expiring spec.cert",
      "warning InteropConfig/alice-2-erin ref.interop.domain spec.members[0]",
      "warning KusciaDeployment/serving ref.kd.appimage spec.parties[0].appImageRef",
      "warning KusciaDeployment/serving ref.kd.appimage spec.parties[1].appImageRef",
    ]);
    assert.ok(out.results.every((x: any) => x.file === "cluster:e2e" && typeof x.uid === "string"), "each result names the context and the object's uid");
    assert.equal(out.summary.refused, 3);
    assert.equal(out.summary.objects, 7, "6 Kuscia objects and the labelled ConfigMap, not the plain one");
  });

  it("prints text like review, without line numbers, and exits 2 without a usable kubeconfig", async () => {
    const r = await audit([]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^cluster:e2e: error InteropConfig\/loop: spec\.members\[0\]: .* \[interop\.members\]$/m);
    const ctx = await audit(["--context", "nope"]);
    assert.equal(ctx.code, 2);
    assert.match(ctx.stderr, /context "nope" is not in the kubeconfig/);
    const bad = path.join(dir, "unreachable.json");
    const kc = JSON.parse(readFileSync(cluster.kubeconfig, "utf8"));
    kc.clusters[0].cluster.server = "https://127.0.0.1:1";
    writeFileSync(bad, JSON.stringify(kc));
    const down = await run(process.execPath, [CLI, "audit"], { env: { ...process.env, KUBECONFIG: bad }, timeoutMs: BACKSTOP_MS });
    assert.equal(down.code, 2, down.stderr);
    assert.match(down.stderr, /cannot audit the cluster: .*ECONNREFUSED/);
  });

  it("follows --config: a reference rule denied, a rule audited, the expiry warning window", async () => {
    const cfg = path.join(dir, "policy.yaml");
    writeFileSync(cfg, "rules:\n  ref.kd.appimage: deny\n  interop.members: audit\nparameters:\n  certificateExpiryWarningDays: 5\n");
    const r = await audit(["--config", cfg, "--format", "json"]);
    const out = JSON.parse(r.stdout);
    const kd = out.results.find((x: any) => x.name === "serving");
    assert.equal(kd.allowed, false);
    assert.equal(out.results.find((x: any) => x.name === "alice" && x.kind === "Domain"), undefined, "a certificate 10 days from expiry is fine with a 5-day window");
    assert.deepEqual(out.results.find((x: any) => x.name === "loop").audits.map((a: any) => a.reason), ["audit"]);
  });

  it("writes the certificate inventory with --metrics-file", async () => {
    const f = path.join(dir, "kuscia-iac.prom");
    await audit(["--metrics-file", f]);
    const text = readFileSync(f, "utf8");
    assert.ok(text.includes(`kuscia_iac_certificate_expiry_timestamp_seconds{kind="Domain",namespace="",name="alice",field="spec.cert"} ${certNotAfter.getTime() / 1000}\n`), text);
  });

  it("reports a kind it may not list (403) and reads the namespaces it may, without failing", async () => {
    await create([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "auditor", namespace: "alice" } },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "kuscia-auditor" }, rules: [{ apiGroups: ["kuscia.secretflow"], resources: ["domains", "interopconfigs", "appimages", "clusterdomainroutes"], verbs: ["list"] }, { apiGroups: [""], resources: ["namespaces"], verbs: ["list"] }] },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "kuscia-auditor" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kuscia-auditor" }, subjects: [{ kind: "ServiceAccount", name: "auditor", namespace: "alice" }] },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "kd-reader", namespace: "cross-domain" }, rules: [{ apiGroups: ["kuscia.secretflow"], resources: ["kusciadeployments"], verbs: ["list"] }] },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "kd-reader", namespace: "cross-domain" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "kd-reader" }, subjects: [{ kind: "ServiceAccount", name: "auditor", namespace: "alice" }] },
    ]);
    const token = (await cluster.kubectlOk(["create", "token", "auditor", "-n", "alice"])).trim();
    const kc = JSON.parse(readFileSync(cluster.kubeconfig, "utf8"));
    kc.users = [{ name: "auditor", user: { token } }];
    kc.contexts = [{ name: "auditor", context: { cluster: "e2e", user: "auditor" } }];
    kc["current-context"] = "auditor";
    const file = path.join(dir, "auditor.json");
    writeFileSync(file, JSON.stringify(kc));
    const r = await run(process.execPath, [CLI, "audit", "--format", "json"], { env: { ...process.env, KUBECONFIG: file }, timeoutMs: BACKSTOP_MS });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /v1\/ConfigMap: forbidden \(403\) in \d+ of \d+ namespaces/);
    assert.match(r.stderr, /kuscia\.secretflow\/v1alpha1\/DomainRoute: forbidden \(403\)/);
    const out = JSON.parse(r.stdout);
    const names = out.results.map((x: any) => `${x.kind}/${x.name}`).sort();
    assert.ok(names.includes("KusciaDeployment/serving"), "read in the one namespace it may read");
    assert.ok(names.includes("Domain/carol"));
    assert.ok(!names.includes("ConfigMap/node"), "ConfigMaps were not readable");
    assert.ok(out.results.every((x: any) => x.file === "cluster:auditor"));
  });

  it("runs the KusciaJob pre-flight over the cluster: a task above its namespace's ResourceQuota", async () => {
    await cluster.kubectlOk(["create", "namespace", "dave"]);
    const objs = [
      { apiVersion: K, kind: "Domain", metadata: { name: "dave" }, spec: {} },
      { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute", namespace: "dave" }, spec: { hard: { "requests.cpu": "1" } } },
      { apiVersion: K, kind: "AppImage", metadata: { name: "psi-image" }, spec: { image: { name: "secretflow/psi", tag: "1" }, deployTemplates: [{ name: "psi", replicas: 2, spec: { containers: [{ name: "psi", workingDir: "/work", resources: { requests: { cpu: "1" } } }] } }] } },
      { apiVersion: K, kind: "KusciaJob", metadata: { name: "psi", namespace: "cross-domain" }, spec: { initiator: "dave", tasks: [{ alias: "a", taskID: "psi-a", appImage: "psi-image", taskInputConfig: "{}", parties: [{ domainID: "dave" }] }] } },
    ];
    await create(objs);
    try {
      const r = await audit(["--format", "json"]);
      const job = JSON.parse(r.stdout).results.find((x: any) => x.kind === "KusciaJob" && x.name === "psi");
      assert.deepEqual(job.warnings.map((w: any) => `${w.rule} ${w.path}`), ["ref.kj.quota spec.tasks[0].parties[0].domainID"]);
      assert.match(job.warnings[0].message, /the task needs 2 CPU \(requests\.cpu\) in namespace "dave", above its ResourceQuota "compute" \(hard requests\.cpu: 1\)/);
    } finally {
      await cluster.kubectlOk(["delete", "-f", "-"], stringify({ apiVersion: "v1", kind: "List", items: objs }));
    }
  });

  describe("--write-reports", () => {
    const versions = async () => {
      const c = await getJson(["clusterpolicyreports", "-l", "app.kubernetes.io/managed-by=kuscia-iac"]);
      const n = await getJson(["policyreports", "-A", "-l", "app.kubernetes.io/managed-by=kuscia-iac"]);
      return [...c.items, ...n.items].map((x: any) => `${x.kind} ${x.metadata.namespace ?? ""}/${x.metadata.name} ${x.metadata.resourceVersion}`).sort();
    };

    it("writes a PolicyReport per namespace and a ClusterPolicyReport that kubectl reads back", async () => {
      const r = await audit(["--write-reports"]);
      assert.equal(r.code, 1, r.stderr);
      // Only the wgpolicyk8s CRDs are served: --report-api auto writes PolicyReports.
      assert.match(r.stderr, /^kuscia-iac audit: wgpolicyk8s\.io\/v1alpha2 reports: 3 created, 0 updated, 0 deleted, 0 unchanged$/m);
      const cpr = await getJson(["clusterpolicyreport", "kuscia-iac"]);
      assert.equal(cpr.apiVersion, "wgpolicyk8s.io/v1alpha2");
      assert.deepEqual(cpr.summary, { pass: 1, fail: 2, warn: 2, error: 0, skip: 0 });
      const carol = cpr.results.find((x: any) => x.rule === "domain.partner-cert");
      const uid = (await getJson(["domain", "carol"])).metadata.uid;
      assert.deepEqual(carol.resources, [{ apiVersion: K, kind: "Domain", name: "carol", uid }]);
      assert.equal(carol.policy, "domain");
      assert.equal(carol.result, "fail");
      assert.equal(carol.severity, "high");
      const alice = await getJson(["policyreport", "kuscia-iac", "-n", "alice"]);
      assert.deepEqual(alice.results.map((x: any) => [x.rule, x.result, x.resources[0].name]), [["nodeconfig.domain-key", "fail", "node"], ["nodeconfig.enums", "fail", "node"]]);
      const kd = await getJson(["policyreport", "kuscia-iac", "-n", "cross-domain"]);
      assert.deepEqual(kd.results.map((x: any) => [x.policy, x.rule, x.result]), [["kd", "ref.kd.appimage", "warn"], ["kd", "ref.kd.appimage", "warn"]]);
    });

    it("changes nothing when nothing changed (resourceVersions equal)", async () => {
      const before = await versions();
      const r = await audit(["--write-reports"]);
      assert.match(r.stderr, /wgpolicyk8s\.io\/v1alpha2 reports: 0 created, 0 updated, 0 deleted, 3 unchanged/);
      assert.deepEqual(await versions(), before);
    });

    it("drops the results of deleted objects, and the report of a namespace left without results", async () => {
      await cluster.kubectlOk(["delete", "configmap", "node", "-n", "alice"]);
      await cluster.kubectlOk(["delete", "interopconfig", "loop"]);
      const r = await audit(["--write-reports"]);
      assert.match(r.stderr, /wgpolicyk8s\.io\/v1alpha2 reports: 0 created, 1 updated, 1 deleted, 1 unchanged/);
      assert.match((await cluster.kubectl(["get", "policyreport", "kuscia-iac", "-n", "alice"])).stderr, /NotFound/);
      const cpr = await getJson(["clusterpolicyreport", "kuscia-iac"]);
      assert.equal(cpr.results.find((x: any) => x.resources[0].name === "loop"), undefined);
      assert.deepEqual(cpr.summary, { pass: 1, fail: 1, warn: 2, error: 0, skip: 0 });
    });
  });
  describe("--write-reports in OpenReports (openreports.io/v1alpha1)", () => {
    const ours = "app.kubernetes.io/managed-by=kuscia-iac";
    const openVersions = async () => {
      const c = await getJson(["clusterreports.openreports.io", "-l", ours]);
      const n = await getJson(["reports.openreports.io", "-A", "-l", ours]);
      return [...c.items, ...n.items].map((x: any) => `${x.kind} ${x.metadata.namespace ?? ""}/${x.metadata.name} ${x.metadata.resourceVersion}`).sort();
    };

    it("refuses --report-api openreports while the API server does not serve its CRDs, naming them (exit 2)", async () => {
      const r = await audit(["--write-reports", "--report-api", "openreports"]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /openreports\.io\/v1alpha1 Report\/ClusterReport is not served by this API server: install the CRDs first \(kubectl apply -f crds\/openreports\/\)/);
    });

    it("auto writes OpenReports once their CRDs (crds/openreports/) are served, and moves this tool's PolicyReports there", async () => {
      const before = await getJson(["clusterpolicyreport", "kuscia-iac"]);
      await cluster.kubectlOk(["apply", "--server-side", "-f", path.join(REPO, "crds", "openreports")]);
      await cluster.kubectlOk(["wait", "--for", "condition=established", "--timeout=60s", "crd", "reports.openreports.io", "clusterreports.openreports.io"]);
      const r = await audit(["--write-reports"]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^kuscia-iac audit: openreports\.io\/v1alpha1 reports: 2 created, 0 updated, 0 deleted, 0 unchanged$/m);
      assert.match(r.stderr, /^kuscia-iac audit: wgpolicyk8s\.io\/v1alpha2 reports: 2 deleted \(reports are written to openreports\.io\/v1alpha1 now\)$/m);
      assert.deepEqual((await getJson(["policyreports,clusterpolicyreports", "-A", "-l", ours])).items, []);
      const cr = await getJson(["clusterreports.openreports.io", "kuscia-iac"]);
      assert.equal(cr.apiVersion, "openreports.io/v1alpha1");
      assert.equal(cr.source, "kuscia-iac");
      assert.deepEqual(cr.configuration, { limits: { maxResults: 1000 } });
      assert.deepEqual([cr.summary, cr.results], [before.summary, before.results], "the same findings as the ClusterPolicyReport had");
      const rep = await getJson(["reports.openreports.io", "kuscia-iac", "-n", "cross-domain"]);
      assert.deepEqual(rep.scope, { apiVersion: "v1", kind: "Namespace", name: "cross-domain" });
      assert.deepEqual(rep.results.map((x: any) => [x.policy, x.rule, x.result, x.resources[0].kind, x.resources[0].name]), [["kd", "ref.kd.appimage", "warn", "KusciaDeployment", "serving"], ["kd", "ref.kd.appimage", "warn", "KusciaDeployment", "serving"]]);
      // kubectl's printer columns come from the upstream CRD.
      assert.match(await cluster.kubectlOk(["get", "reports.openreports.io", "-n", "cross-domain"]), /^NAME\s+PASS\s+FAIL\s+WARN\s+ERROR\s+SKIP\s+AGE\nkuscia-iac\s+0\s+0\s+2\s+0\s+0\s/);
    });

    it("a rescan with nothing changed writes nothing (resourceVersions equal)", async () => {
      const before = await openVersions();
      assert.equal(before.length, 2);
      const r = await audit(["--write-reports"]);
      assert.match(r.stderr, /openreports\.io\/v1alpha1 reports: 0 created, 0 updated, 0 deleted, 2 unchanged/);
      assert.deepEqual(await openVersions(), before);
    });

    it("deletes a namespace's Report once the namespace is clean", async () => {
      await cluster.kubectlOk(["delete", "kusciadeployment", "serving", "-n", "cross-domain"]);
      const r = await audit(["--write-reports"]);
      assert.match(r.stderr, /openreports\.io\/v1alpha1 reports: 0 created, 0 updated, 1 deleted, 1 unchanged/);
      assert.match((await cluster.kubectl(["get", "reports.openreports.io", "kuscia-iac", "-n", "cross-domain"])).stderr, /NotFound/);
      assert.equal((await openVersions()).length, 1, "the ClusterReport stays");
    });

    it("--report-api both writes both APIs; --report-api wgpolicyk8s then clears the OpenReports", async () => {
      const both = await audit(["--write-reports", "--report-api", "both"]);
      assert.match(both.stderr, /openreports\.io\/v1alpha1 reports: 0 created, 0 updated, 0 deleted, 1 unchanged/);
      assert.match(both.stderr, /wgpolicyk8s\.io\/v1alpha2 reports: 1 created, 0 updated, 0 deleted, 0 unchanged/);
      const wg = await audit(["--write-reports", "--report-api", "wgpolicyk8s"]);
      assert.match(wg.stderr, /wgpolicyk8s\.io\/v1alpha2 reports: 0 created, 0 updated, 0 deleted, 1 unchanged/);
      assert.match(wg.stderr, /openreports\.io\/v1alpha1 reports: 1 deleted \(reports are written to wgpolicyk8s\.io\/v1alpha2 now\)/);
      assert.deepEqual(await openVersions(), []);
    });
  });

  describe("report volume with thousands of objects", function () {
    // Objects are created straight through the API (16 requests at a time), not through kubectl.
    this.timeout(600_000);
    // KusciaDeployments outside cross-domain are refused (kd.namespace), and both parties' AppImage
    // is missing (two ref.kd.appimage warnings): three results each.
    const BIG = 2000; // in bulk-00: 6000 results for one report
    const SMALL = 50; // in each of bulk-01..bulk-19: 150 results each
    const PARTNERS = 500; // cluster-scoped Domains, each refused
    const namespaces = Array.from({ length: 20 }, (_, i) => `bulk-${String(i).padStart(2, "0")}`);
    const kd = (ns: string, i: number) => ({ apiVersion: K, kind: "KusciaDeployment", metadata: { name: `kd-${i}`, namespace: ns }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "missing" }, { domainID: "bob", appImageRef: "missing" }] } });

    async function createAll(objs: any[]): Promise<void> {
      const { kc, context } = loadKubeConfig({ kubeconfig: cluster.kubeconfig });
      const client = new KubeClient(kc, context);
      let next = 0;
      const worker = async () => {
        while (next < objs.length) {
          const o = objs[next++];
          const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
          const plural = o.kind === "Namespace" ? "namespaces" : o.kind === "Domain" ? "domains" : "kusciadeployments";
          await client.request("POST", `${base}${o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : ""}/${plural}`, o);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    }

    it("one report per namespace with findings, at most 1000 results each with the rest counted; a rescan writes nothing", async () => {
      await cluster.kubectlOk(["apply", "--server-side", "-f", path.join(REPO, "crds", "openreports")]);
      await cluster.kubectlOk(["wait", "--for", "condition=established", "--timeout=60s", "crd", "reports.openreports.io", "clusterreports.openreports.io"]);
      const started = Date.now();
      await createAll(namespaces.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })));
      await createAll([
        ...Array.from({ length: BIG }, (_, i) => kd(namespaces[0], i)),
        ...namespaces.slice(1).flatMap((ns) => Array.from({ length: SMALL }, (_, i) => kd(ns, i))),
        ...Array.from({ length: PARTNERS }, (_, i) => ({ apiVersion: K, kind: "Domain", metadata: { name: `partner-${i}` }, spec: { role: "partner" } })),
      ]);
      const objects = BIG + (namespaces.length - 1) * SMALL + PARTNERS;
      const created = Date.now();
      const r = await audit(["--write-reports", "--report-api", "openreports"]);
      const scanned = Date.now();
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^kuscia-iac audit: Report bulk-00\/kuscia-iac: 6000 results, 5001 left out \(at most 1000 per report; the summary counts them all\)$/m);
      const all = (await getJson(["reports.openreports.io", "-A", "-l", "app.kubernetes.io/managed-by=kuscia-iac"])).items;
      const written = Number(/openreports\.io\/v1alpha1 reports: (\d+) created, (\d+) updated, 0 deleted, (\d+) unchanged/.exec(r.stderr)!.slice(1).reduce((a, b) => String(Number(a) + Number(b))));
      assert.equal(written, all.length + 1, "every Report and the ClusterReport, nothing else");
      const reports = all.filter((x: any) => x.metadata.namespace.startsWith("bulk-"));
      assert.deepEqual(reports.map((x: any) => x.metadata.namespace).sort(), namespaces, "one Report per namespace with findings");
      const big = reports.find((x: any) => x.metadata.namespace === "bulk-00");
      assert.equal(big.results.length, 1000);
      assert.deepEqual(big.summary, { pass: 0, fail: 2000, warn: 4000, error: 0, skip: 0 }, "the summary counts every finding");
      assert.deepEqual(big.results[999].properties, { omitted: "5001", total: "6000", omittedFail: "1001", omittedWarn: "4000", omittedSkip: "0" });
      assert.ok(big.results.slice(0, 999).every((x: any) => x.result === "fail" && x.rule === "kd.namespace"), "refusals are kept first");
      for (const x of reports.filter((x: any) => x !== big)) {
        assert.equal(x.results.length, 150, x.metadata.namespace);
        assert.ok(x.results.every((y: any) => y.rule !== "report.truncated"));
      }
      const cr = await getJson(["clusterreports.openreports.io", "kuscia-iac"]);
      assert.ok(cr.results.length <= 1000);
      assert.equal(cr.results.filter((x: any) => x.rule === "domain.partner-cert").length, PARTNERS + 1, "every refused partner Domain (and carol) is listed");
      const bytes = Math.max(...(await Promise.all([...reports, cr].map(async (x: any) => (await cluster.kubectlOk(["get", `${x.kind === "Report" ? "reports" : "clusterreports"}.openreports.io`, x.metadata.name, ...(x.metadata.namespace ? ["-n", x.metadata.namespace] : []), "-o", "json"])).length))));
      assert.ok(bytes < 1.5 * 1024 * 1024, `the largest report is ${bytes} bytes: under etcd's default request limit`);

      const before = all.map((x: any) => `${x.metadata.namespace} ${x.metadata.resourceVersion}`).sort();
      const again = await audit(["--write-reports", "--report-api", "openreports"]);
      const rescanned = Date.now();
      assert.match(again.stderr, new RegExp(`openreports\\.io/v1alpha1 reports: 0 created, 0 updated, 0 deleted, ${written} unchanged`));
      const after = (await getJson(["reports.openreports.io", "-A", "-l", "app.kubernetes.io/managed-by=kuscia-iac"])).items.map((x: any) => `${x.metadata.namespace} ${x.metadata.resourceVersion}`).sort();
      assert.deepEqual(after, before);
      // The figures of docs/reports.md (printed, never asserted: the machine's speed is not under test).
      process.stdout.write(`      report volume: ${objects} objects created in ${created - started} ms; audit --write-reports ${scanned - created} ms, rescan ${rescanned - scanned} ms; ${reports.length + 1} reports, the largest ${bytes} bytes\n`);
    });
  });
});
