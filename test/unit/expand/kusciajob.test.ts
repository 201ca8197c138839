import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { admit } from "../../../policy/expand";
import { expandKusciaJob, schedule, type KusciaJobResource } from "../../../policy/expand/kusciajob";
import { runRender } from "../../../cli/render";
import { EXAMPLES_DIR } from "../../helpers/examples";

const DOC = path.join(EXAMPLES_DIR, "accepted", "upstream-kusciajobs.yaml");

describe("KusciaJob expansion", () => {
  it("turns the upstream docs' job-best-effort-linear into job-psi, then job-split", () => {
    const job = parseAllDocuments(readFileSync(DOC, "utf8"))[0].toJS() as KusciaJobResource;
    const ex = expandKusciaJob(admit(job).object);
    assert.deepEqual(ex.errors, []);
    assert.deepEqual(ex.tasks.map((t) => t.metadata.name), ["job-psi", "job-split"]);
    assert.deepEqual(ex.tasks[1].metadata.annotations, { "kuscia.secretflow/job-id": "job-best-effort-linear", "kuscia.secretflow/task-alias": "job-split", "kuscia-iac/dependencies": "job-psi" });
    assert.deepEqual(ex.tasks[0].spec.parties, [{ domainID: "alice", appImageRef: "secretflow-image" }, { domainID: "bob", appImageRef: "secretflow-image" }]);
    assert.equal(ex.tasks[0].spec.initiator, "alice");
    assert.deepEqual(ex.schedule, [["job-psi"], ["job-split"]]);
  });

  it("starts ready tasks by priority, at most maxParallelism at a time", () => {
    const t = (alias: string, priority = 0, dependencies: string[] = []) => ({ alias, priority, dependencies, appImage: "i", taskInputConfig: "", parties: [{ domainID: "alice" }] });
    const job = (maxParallelism: number): KusciaJobResource => ({
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "KusciaJob",
      metadata: { name: "j" },
      spec: { initiator: "alice", maxParallelism, tasks: [t("a"), t("b", 1), t("c", 5), t("d", 0, ["a", "b"])] },
    });
    assert.deepEqual(schedule(job(1)), [["c"], ["b"], ["a"], ["d"]]);
    assert.deepEqual(schedule(job(2)), [["c", "b"], ["a"], ["d"]]);
    assert.deepEqual(schedule(job(8)), [["c", "b", "a"], ["d"]]);
  });

  it("is printed by kuscia-iac render with its schedule", async () => {
    let out = "";
    let err = "";
    const code = await runRender([DOC], { format: "yaml" }, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    assert.equal(code, 0, err);
    assert.match(out, /# note: schedule \(maxParallelism 2, BestEffort.*\): 1\. job-psi; 2\. job-split/);
    assert.equal((out.match(/kind: KusciaTask/g) ?? []).length, 2);
  });
});
