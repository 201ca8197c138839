import { strict as assert } from "node:assert";
import { PREFLIGHT, checkReferences, defaultPolicyConfiguration, loadPolicyConfiguration, rules, type PolicyConfig } from "../../../policy";
import { splitQuantity } from "../../../policy/preflight";

const K = "kuscia.secretflow/v1alpha1";
const config = defaultPolicyConfiguration();
const load = (yaml: string): PolicyConfig => {
  const r = loadPolicyConfiguration(yaml, "policy.yaml");
  if ("errors" in r) throw new Error(r.errors.join("\n"));
  return r.config;
};

const domain = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: K, kind: "Domain", metadata: { name }, spec });
const partner = (name: string, protocol?: string) => domain(name, { role: "partner", cert: "x", ...(protocol ? { interConnProtocols: [protocol] } : {}) });
type Tpl = { role?: string; replicas?: number; containers?: Record<string, unknown>[] };
const appImage = (name: string, templates: Tpl[]) => ({
  apiVersion: K,
  kind: "AppImage",
  metadata: { name },
  spec: { image: { name: "secretflow/app", tag: "1" }, deployTemplates: templates.map((t, i) => ({ name: `t${i}`, ...(t.role !== undefined ? { role: t.role } : {}), ...(t.replicas !== undefined ? { replicas: t.replicas } : {}), spec: { containers: t.containers ?? [{ name: "c" }] } })) },
});
type Party = { domainID: string; role?: string; resources?: Record<string, unknown> };
const job = (tasks: { appImage?: string; parties: Party[] }[], meta: Record<string, unknown> = {}, initiator = "alice") => ({
  apiVersion: K,
  kind: "KusciaJob",
  metadata: { name: "job", namespace: "cross-domain", ...meta },
  spec: { initiator, tasks: tasks.map((t, i) => ({ alias: `t${i}`, appImage: t.appImage ?? "img", parties: t.parties })) },
});
const cdr = (source: string, destination: string, ready?: [string, string]) => ({
  apiVersion: K,
  kind: "ClusterDomainRoute",
  metadata: { name: `${source}-${destination}` },
  spec: { source, destination },
  ...(ready ? { status: { conditions: [{ type: "Ready", status: ready[0], reason: ready[1] }] } } : {}),
});
const quota = (ns: string, name: string, hard: Record<string, string>, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name, namespace: ns }, spec: { hard, ...extra } });

/** `rule path: message` of every cross-object finding among `objs`. */
function findings(objs: unknown[], c: PolicyConfig = config, complete?: Set<string>): string[] {
  return checkReferences(objs, { config: c, complete }).flatMap((r) => [...r.violations, ...r.warnings, ...r.audits].map((f) => `${f.rule} ${f.message}`));
}
const only = (prefix: string, fs: string[]) => fs.filter((f) => f.startsWith(prefix));

describe("pre-flight checks (policy/preflight.ts)", () => {
  it("are rules like the others: warnings, upstream sources, listed by rules()", () => {
    const all = rules();
    for (const r of PREFLIGHT) {
      const info = all.find((x) => x.id === r.id);
      assert.ok(info, r.id);
      assert.equal(info.severity, "warning");
      assert.match(info.source ?? "", /^pkg\/.*\.go: [A-Za-z]/);
      assert.match(r.id, /^ref\./);
    }
    assert.deepEqual(PREFLIGHT.map((r) => r.id), ["ref.kj.deploy-template", "ref.kd.deploy-template", "ref.kd.template-container", "ref.kj.interconn", "ref.kj.route", "ref.kj.quota"]);
  });

  describe("ref.kj.deploy-template and ref.kd.deploy-template: SelectDeployTemplate", () => {
    const base = [domain("alice"), domain("bob")];
    it("finds a party's role without a template, naming the roles there are", () => {
      const f = only("ref.kj.deploy-template", findings([...base, appImage("img", [{ role: "host" }, { role: "server,client" }]), job([{ parties: [{ domainID: "alice", role: "host" }, { domainID: "bob", role: "guest" }, { domainID: "bob", role: "client" }] }])]));
      assert.deepEqual(f, [
        'ref.kj.deploy-template spec.tasks[0].parties[1].role: AppImage "img" has no deploy template for role "guest" (its templates\' roles: "host", "server,client"; none without a role), so SelectDeployTemplate fails ("not found deploy template for role "guest""); the KusciaTask controller cannot build the party, so the task\'s resources are never created (condition ResourceCreated False, KusciaTaskCreateFailed)',
      ]);
    });

    it("accepts what SelectDeployTemplate accepts: a template without a role, or a party without a role", () => {
      assert.deepEqual(only("ref.kj.deploy-template", findings([...base, appImage("img", [{ role: "host" }, {}]), job([{ parties: [{ domainID: "alice", role: "guest" }] }])])), []);
      assert.deepEqual(only("ref.kj.deploy-template", findings([...base, appImage("img", [{ role: "host" }]), job([{ parties: [{ domainID: "alice" }] }])])), []);
    });

    it("says when the AppImage has no templates at all, and leaves a missing AppImage to ref.kj.appimage", () => {
      assert.match(only("ref.kj.deploy-template", findings([...base, appImage("img", []), job([{ parties: [{ domainID: "alice" }] }])]))[0], /spec\.tasks\[0\]\.parties\[0\]: AppImage "img" has no deploy templates/);
      const missing = findings([...base, job([{ parties: [{ domainID: "alice", role: "guest" }] }])]);
      assert.deepEqual(missing.map((f) => f.split(" ")[0]), ["ref.kj.appimage"]);
    });

    it("checks KusciaDeployment parties the same way", () => {
      const kd = { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "kd", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", role: "server", appImageRef: "img" }, { domainID: "bob", role: "client", appImageRef: "img" }] } };
      const f = findings([...base, appImage("img", [{ role: "server" }]), kd]);
      assert.equal(f.length, 1);
      assert.match(f[0], /^ref\.kd\.deploy-template spec\.parties\[1\]\.role: AppImage "img" has no deploy template for role "client" .*sets the deployment Failed \(reason BuildPartyKitInfoFailed\)/);
    });
  });

  describe("ref.kd.template-container: mergeDeployTemplate matches overrides by container name", () => {
    const kd = (parties: { role?: string; containers?: Record<string, unknown>[] }[]) => ({
      apiVersion: K,
      kind: "KusciaDeployment",
      metadata: { name: "kd", namespace: "cross-domain" },
      spec: { initiator: "alice", inputConfig: "{}", parties: parties.map((p, i) => ({ domainID: i === 0 ? "alice" : "bob", appImageRef: "img", ...(p.role ? { role: p.role } : {}), ...(p.containers ? { template: { spec: { containers: p.containers } } } : {}) })) },
    });
    const img = appImage("img", [{ role: "server", containers: [{ name: "serving" }, { name: "sidecar" }] }, { role: "client", containers: [{ name: "client" }] }]);
    const resources = { requests: { cpu: "100m" }, limits: { cpu: "100m" } };

    it("warns about an override naming no container of the party's deploy template, naming the ones there are", () => {
      const f = findings([img, kd([{ role: "server", containers: [{ name: "serving", resources }, { name: "secretflow", resources }] }, { role: "client", containers: [{ name: "serving", resources }] }])]);
      assert.deepEqual(only("ref.kd.template-container", f), [
        'ref.kd.template-container spec.parties[0].template.spec.containers[1].name: "secretflow" is not a container of AppImage "img"\'s deploy template "t0" (its containers: "serving", "sidecar"); Kuscia takes only the resources of a party-template container, from the deploy-template container of the same name, so this override is ignored and the deploy template\'s own resources apply: name one of its containers',
        'ref.kd.template-container spec.parties[1].template.spec.containers[0].name: "serving" is not a container of AppImage "img"\'s deploy template "t1" (its containers: "client"); Kuscia takes only the resources of a party-template container, from the deploy-template container of the same name, so this override is ignored and the deploy template\'s own resources apply: name one of its containers',
      ]);
    });

    it("accepts overrides naming the template's containers, and parties without overrides", () => {
      assert.deepEqual(findings([domain("alice"), domain("bob"), img, kd([{ role: "server", containers: [{ name: "sidecar", resources }] }, { role: "client" }])]), []);
    });

    it("leaves a missing AppImage and a role without a template to their own rules", () => {
      const overrides = [{ role: "guest", containers: [{ name: "nope" }] }];
      assert.deepEqual(findings([domain("alice"), img, kd(overrides)]).map((f) => f.split(" ")[0]), ["ref.kd.deploy-template"]);
      assert.deepEqual(findings([kd(overrides)], config, new Set([`${K}/AppImage`])).map((f) => f.split(" ")[0]), ["ref.kd.appimage"]);
    });
  });

  describe("ref.kj.interconn: annotateInterConn", () => {
    const img = appImage("img", [{}]);
    const twoPartners = [domain("alice"), partner("bob"), partner("carol", "bfia"), img];
    it("finds partners of the job using both protocols (kuscia by default)", () => {
      const f = only("ref.kj.interconn", findings([...twoPartners, job([{ parties: [{ domainID: "alice" }, { domainID: "bob" }] }, { parties: [{ domainID: "alice" }, { domainID: "carol" }] }])]));
      assert.deepEqual(f, [
        'ref.kj.interconn spec.tasks[1].parties[1].domainID: Domain "carol" is a partner using the interconnection protocol bfia, while partner "bob" uses kuscia; a job\'s partners must all use one protocol: the KusciaJob controller keeps the job Initialized and retries ("can\'t create a job with partners using both bfia and kuscia protocol")',
      ]);
      // Before v0.15 the controller did not refuse it: the message says what that release does.
      assert.match(only("ref.kj.interconn", findings([...twoPartners, job([{ parties: [{ domainID: "alice" }, { domainID: "bob" }, { domainID: "carol" }] }])], load("kusciaVersion: v0.14\n")))[0], /Kuscia v0\.14 lists them under both protocols' annotations/);
    });

    it("skips what the controller skips: a partner initiator, a job already annotated, one protocol", () => {
      const tasks = [{ parties: [{ domainID: "alice" }, { domainID: "bob" }, { domainID: "carol" }] }];
      assert.deepEqual(only("ref.kj.interconn", findings([...twoPartners, partner("dave"), job(tasks, {}, "dave")])), []);
      assert.deepEqual(only("ref.kj.interconn", findings([...twoPartners, job(tasks, { annotations: { "kuscia.secretflow/interconn-self-parties": "alice" } })])), []);
      // The controller rewrites self-cluster-as-initiator from the initiator's Namespace: a "false" written by hand does not skip the check.
      assert.equal(only("ref.kj.interconn", findings([...twoPartners, job(tasks, { annotations: { "kuscia.secretflow/self-cluster-as-initiator": "false" } })])).length, 1);
      assert.deepEqual(only("ref.kj.interconn", findings([domain("alice"), partner("bob", "bfia"), partner("carol", "bfia"), img, job(tasks)])), []);
    });
  });

  describe("ref.kj.route: CDRCheckPlugin", () => {
    const objs = [domain("alice"), partner("bob"), appImage("img", [{}])];
    const j = job([{ parties: [{ domainID: "alice" }, { domainID: "bob" }] }]);
    it("finds a ClusterDomainRoute between two parties that is not Ready, with its reason", () => {
      const f = only("ref.kj.route", findings([...objs, cdr("alice", "bob", ["False", "TokenNotGenerate"]), cdr("bob", "alice", ["True", ""]), j]));
      assert.deepEqual(f, [
        'ref.kj.route spec.tasks[0].parties[1].domainID: the ClusterDomainRoute "alice-bob" is not Ready (TokenNotGenerate); the KusciaTask controller creates none of the task\'s pods until it is (KusciaTaskCreateFailed: "cdr-check alice to bob failed with TokenNotGenerate")',
      ]);
      assert.match(only("ref.kj.route", findings([...objs, cdr("alice", "bob", ["False", "HeartBeatTimeout"]), j], load("kusciaVersion: v0.15\n")))[0], /the task's pods cannot reach "bob" through the gateway until it is$/);
    });

    it("passes what the plugin passes: Ready, no condition yet, no route, no local party", () => {
      assert.deepEqual(only("ref.kj.route", findings([...objs, cdr("alice", "bob", ["True", ""]), j])), []);
      assert.deepEqual(only("ref.kj.route", findings([...objs, cdr("alice", "bob"), j])), []);
      assert.deepEqual(only("ref.kj.route", findings([...objs, j])), []);
      assert.deepEqual(only("ref.kj.route", findings([domain("alice"), partner("bob"), partner("carol"), cdr("bob", "carol", ["False", "x"]), job([{ parties: [{ domainID: "bob" }, { domainID: "carol" }] }])])), []);
    });

    it("finds a DomainRoute whose gateway reports the destination unreachable, when no ClusterDomainRoute says more", () => {
      const dr = { apiVersion: K, kind: "DomainRoute", metadata: { name: "alice-bob", namespace: "alice" }, spec: { source: "alice", destination: "bob" }, status: { isDestinationUnreachable: true } };
      assert.match(only("ref.kj.route", findings([...objs, dr, j]))[0], /^ref\.kj\.route spec\.tasks\[0\]\.parties\[1\]\.domainID: the DomainRoute "alice\/alice-bob" reports its destination unreachable/);
    });

    it("checks nothing when the routes could not be listed completely", () => {
      const complete = new Set([`${K}/Domain`, `${K}/AppImage`]);
      assert.deepEqual(only("ref.kj.route", findings([...objs, cdr("alice", "bob", ["False", "x"]), j], config, complete)), []);
    });
  });

  describe("ref.kj.quota: the party Domain's ResourceQuota", () => {
    it("finds a task with more pods in a namespace than the Domain's podMaxCount allows", () => {
      const f = findings([domain("alice", { resourceQuota: { podMaxCount: 1 } }), appImage("img", [{ role: "host", replicas: 2 }]), job([{ parties: [{ domainID: "alice", role: "host" }] }])]);
      assert.deepEqual(f, [
        'ref.kj.quota spec.tasks[0].parties[0].domainID: the task needs 2 pods in namespace "alice", above its ResourceQuota "resource-limitation" (hard pods: 1, which Kuscia makes from Domain "alice"\'s spec.resourceQuota.podMaxCount); the API server refuses the pods beyond it ("exceeded quota"), so the KusciaTask controller cannot create the task\'s resources (KusciaTaskCreateFailed)',
      ]);
      // Two roles of one domain add up; within the quota nothing is said.
      const two = job([{ parties: [{ domainID: "alice", role: "host" }, { domainID: "alice", role: "guest" }] }]);
      assert.match(findings([domain("alice", { resourceQuota: { podMaxCount: 3 } }), appImage("img", [{ replicas: 2 }]), two])[0], /needs 4 pods/);
      assert.deepEqual(findings([domain("alice", { resourceQuota: { podMaxCount: 4 } }), appImage("img", [{ replicas: 2 }]), two]), []);
    });

    it("splits a party's resources as SplitRSC does, and compares them with the namespace's quotas", () => {
      // 2 CPU over 2 containers: 1 each; requests.cpu 1.5 is exceeded.
      const img = appImage("img", [{ containers: [{ name: "a" }, { name: "b" }] }]);
      const cpu = job([{ parties: [{ domainID: "alice", resources: { requests: { cpu: "2" }, limits: { cpu: "2" } } }] }]);
      assert.deepEqual(
        findings([domain("alice"), img, quota("alice", "compute", { "requests.cpu": "1500m", "limits.memory": "1Gi" }), cpu]).map((f) => f.replace(/;.*/, "")),
        ['ref.kj.quota spec.tasks[0].parties[0].domainID: the task needs 2 CPU (requests.cpu) in namespace "alice", above its ResourceQuota "compute" (hard requests.cpu: 1500m)'],
      );
      // 2Gi over 3 containers is 699051Ki each (SplitRSC rounds a part under 1Gi to Ki), 2097153Ki in all: 1Ki above a 2Gi quota.
      assert.equal(splitQuantity("2Gi", 3), 699051 * 2 ** 10);
      assert.equal(splitQuantity("1", 3), 0.333);
      assert.equal(splitQuantity("3Gi", 2), 1536 * 2 ** 20);
      const mem = job([{ parties: [{ domainID: "alice", resources: { limits: { memory: "2Gi" } } }] }]);
      const img3 = appImage("img", [{ containers: [{ name: "a" }, { name: "b" }, { name: "c" }] }]);
      assert.match(findings([domain("alice"), img3, quota("alice", "mem", { "limits.memory": "2Gi" }), mem])[0], /needs 2097153Ki of memory \(limits\.memory\) in namespace "alice", above its ResourceQuota "mem" \(hard limits\.memory: 2Gi\)/);
      // Without party resources, the template's own (requests default to limits), times the replicas.
      const own = appImage("img", [{ replicas: 3, containers: [{ name: "a", resources: { limits: { cpu: "500m" } } }] }]);
      assert.match(findings([domain("alice"), own, quota("alice", "q", { cpu: "1" }), job([{ parties: [{ domainID: "alice" }] }])])[0], /needs 1500m CPU \(requests\.cpu\) in namespace "alice", above its ResourceQuota "q" \(hard cpu: 1\)/);
    });

    it("skips partners (their pods run in their own cluster), scoped quotas and unknown amounts", () => {
      const img = appImage("img", [{ replicas: 5 }]);
      assert.deepEqual(findings([domain("alice"), partner("bob"), quota("bob", "q", { pods: "1" }), img, job([{ parties: [{ domainID: "alice" }, { domainID: "bob" }] }])]), []);
      assert.deepEqual(findings([domain("alice"), quota("alice", "q", { pods: "1" }, { scopes: ["BestEffort"] }), img, job([{ parties: [{ domainID: "alice" }] }])]), []);
      // A container without a CPU request: what the pods ask for is not known here (a LimitRange may fill it).
      assert.deepEqual(findings([domain("alice"), quota("alice", "q", { "requests.cpu": "1" }), img, job([{ parties: [{ domainID: "alice" }] }])]), []);
    });
  });

  it("follow the policy configuration: deny, off, exceptions", () => {
    const objs = [domain("alice", { resourceQuota: { podMaxCount: 0 } }), appImage("img", [{}]), job([{ parties: [{ domainID: "alice" }] }])];
    const deny = checkReferences(objs, { config: load("rules:\n  ref.kj.quota: deny\n") });
    assert.deepEqual(deny[0].violations.map((v) => v.rule), ["ref.kj.quota"]);
    assert.deepEqual(checkReferences(objs, { config: load("rules:\n  ref.kj.quota: off\n") }), []);
    const exc = checkReferences(objs, { config: load("exceptions:\n  - name: drained\n    reason: alice is drained this week\n    match: {kinds: [KusciaJob]}\n    rules: ['ref.kj.*']\n") });
    assert.deepEqual(exc[0].audits.map((a) => `${a.rule} ${a.reason}`), ["ref.kj.quota exception drained: alice is drained this week"]);
  });
});
