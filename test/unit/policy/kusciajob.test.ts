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
