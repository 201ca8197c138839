import { strict as assert } from "node:assert";
import { review } from "../../../policy";
import { findCycle } from "../../../policy/checks/dag";
import { kusciaJob } from "../../../policy/kinds/kusciajob";
import { defaultsPatch } from "../../../policy/defaults";

const job = (tasks: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: "kuscia.secretflow/v1alpha1",
  kind: "KusciaJob",
  metadata: { name: "j", namespace: "cross-domain" },
  spec: { initiator: "alice", tasks, ...extra },
});
const task = (alias: string, dependencies?: string[]) => ({ alias, appImage: "img", taskInputConfig: "{}", parties: [{ domainID: "alice" }], ...(dependencies ? { dependencies } : {}) });

describe("KusciaJob rules", () => {
  it("name the tasks that form a cycle, in dependency order", () => {
    assert.deepEqual(findCycle([{ alias: "a", dependencies: ["b"] }, { alias: "b", dependencies: ["c"] }, { alias: "c", dependencies: ["a"] }]), ["a", "b", "c", "a"]);
    assert.equal(findCycle([{ alias: "a", dependencies: [] }, { alias: "b", dependencies: ["a", "zz"] }]), undefined);
  });

  it("find a cycle at the end of a 100,000-task chain without recursion", () => {
    const n = 100_000;
    const tasks = Array.from({ length: n }, (_, i) => ({ alias: `t${i}`, dependencies: i + 1 < n ? [`t${i + 1}`] : ["t50000"] }));
    const c = findCycle(tasks)!;
    assert.equal(c[0], "t50000");
    assert.equal(c[c.length - 1], "t50000");
    assert.equal(c.length, 50_001);
  });

  it("shorten a long cycle in the message", () => {
    const tasks = Array.from({ length: 40 }, (_, i) => task(`t${i}`, [`t${(i + 1) % 40}`]));
    const r = review(job(tasks));
    const m = r.violations.find((v) => v.rule === "kj.cycle")!.message;
    assert.match(m, /"t0" -> "t1" .* -> \.\.\. \(29 more\) -> .*"t39" -> "t0"/);
  });

  it("warn when the initiator takes part in no task, and when a tolerable task is depended on", () => {
    const r = review(job([{ ...task("a"), tolerable: true }, task("b", ["a"])], { initiator: "carol" }));
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.warnings.map((w) => w.rule).sort(), ["kj.initiator.not-party", "kj.tolerable-dependency"]);
  });

  it("name the Service that fails for a dotted taskID, given or generated from the job's name", () => {
    const withId = (taskID: string, alias = "a") => ({ ...task(alias), taskID });
    const given = review(job([withId("psi.v1")])).violations.find((v) => v.rule === "kj.tasks")!;
    assert.equal(given.path, "spec.tasks[0].taskID");
    assert.match(given.message, /^spec\.tasks\[0\]\.taskID: "psi\.v1" contains '\.': the KusciaTask controller names a Service "psi\.v1-<role>-<index>-<port>" for each port of scope Cluster or Domain .*a Service name is a DNS-1035 label, without '\.'/);
    // Other bad taskIDs keep the label reason: the KusciaTask itself cannot be named so.
    assert.match(review(job([withId("PSI")])).violations.find((v) => v.rule === "kj.tasks")!.message, /"PSI" is not a DNS-1123 label: .* \(it names the KusciaTask and its pods\)$/);
    // Generated: KusciaAPI's job_id "psi.v1" passes K3sRegex, and a task without task_id gets "psi.v1-<12 hex digits>".
    const dotted = { ...job([task("a"), withId("b-1", "b")]), metadata: { name: "psi.v1", namespace: "cross-domain" } };
    const gen = review(dotted).violations.filter((v) => v.rule === "kj.tasks" || v.rule === "kj.name");
    assert.deepEqual(gen.map((v) => `${v.rule} ${v.path}`), ["kj.tasks metadata.name"]);
    assert.match(gen[0].message, /^metadata\.name: "psi\.v1" contains '\.', and tasks\[0\] has no taskID: the KusciaJob controller names that task "psi\.v1-<12 hex digits>" \(generateTaskID\), which contains '\.': the KusciaTask controller names a Service "psi\.v1-<12 hex digits>-<role>-<index>-<port>"/);
    // Every task with a taskID: the job's name names no task, and a dot in it is fine.
    assert.deepEqual(review({ ...dotted, spec: { ...dotted.spec, tasks: [withId("a-1"), withId("b-1", "b")] } }).violations, []);
    // The same reason for a KusciaTask named with a dot.
    const kt = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaTask", metadata: { name: "t.1", namespace: "cross-domain" }, spec: { initiator: "alice", parties: [{ domainID: "alice", appImageRef: "img" }] } };
    assert.match(review(kt).violations.find((v) => v.rule === "kt.name")!.message, /^metadata\.name: "t\.1" contains '\.': the KusciaTask controller names a Service "t\.1-<role>-<index>-<port>"/);
  });

  it("refuse a party role Kuscia cannot put into the names of pods, Deployments and Services, in jobs, tasks and deployments alike (found by a new user)", () => {
    const roles = (role: string) => [{ ...task("a"), parties: [{ domainID: "alice", role }] }];
    for (const bad of ["Server", "ser.ver", "ser_ver", "-server", "server-"]) {
      const r = review(job(roles(bad)));
      assert.deepEqual(r.violations.map((v) => [v.rule, v.path]), [["kj.parties", "spec.tasks[0].parties[0].role"]], bad);
      assert.match(r.violations[0].message, /DNS-1035/);
      const kt = review({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaTask", metadata: { name: "t", namespace: "cross-domain" }, spec: { initiator: "alice", taskInputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "img", role: bad }] } });
      assert.ok(kt.violations.some((v) => v.path === "spec.parties[0].role"), `KusciaTask ${bad}`);
      const kd = review({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeployment", metadata: { name: "kd", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "img", role: bad }] } });
      assert.deepEqual(kd.violations.map((v) => [v.rule, v.path]), [["kd.parties", "spec.parties[0].role"]], `KusciaDeployment ${bad}`);
    }
    // What upstream's scripts and docs use, and no role at all.
    for (const good of ["", "server", "client", "guest", "host", "arbiter", "role-2"]) assert.deepEqual(review(job(roles(good))).violations, [], good);
  });

  it("default scheduleMode, maxParallelism and tolerable as the CRD does", () => {
    const r = review(job([task("a")]));
    assert.deepEqual(r.violations, []);
    assert.deepEqual(defaultsPatch(kusciaJob.defaults!, job([task("a")])), [
      { op: "add", path: "/spec/scheduleMode", value: "Strict" },
      { op: "add", path: "/spec/maxParallelism", value: 1 },
      { op: "add", path: "/spec/tasks/0/tolerable", value: false },
    ]);
  });

  it("warn when the manifest has no namespace", () => {
    const o = job([task("a")]);
    delete (o.metadata as { namespace?: string }).namespace;
    assert.deepEqual(review(o).warnings.map((w) => w.rule), ["kj.namespace.unset"]);
  });
});

describe("node configuration modes", () => {
  const cm = (yaml: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": yaml } });
  const ids = (yaml: string) => {
    const r = review(cm(yaml));
    return { errors: r.violations.map((v) => v.rule), warnings: r.warnings.map((w) => w.rule) };
  };
  it("warn about keys a mode does not read, and a lite node without its deploy token", () => {
    const master = ids("mode: master\ndomainID: kuscia-system\nmasterEndpoint: https://m:1080\n");
    assert.ok(master.warnings.includes("nodeconfig.mode-keys"));
    assert.ok(!master.errors.includes("nodeconfig.lite"));
    const lite = ids("mode: Lite\ndomainID: alice\nruntime: runk\nrunk: {namespace: a}\nmasterEndpoint: https://m:1080\ndatastoreEndpoint: mysql://u:p@tcp(h:3306)/db\n");
    assert.ok(lite.warnings.includes("nodeconfig.lite.deploy-token"));
    assert.ok(lite.warnings.includes("nodeconfig.mode-keys"));
    assert.ok(!lite.errors.includes("nodeconfig.lite"));
  });
});
