import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { admit, type AppImageResource } from "../../../policy/expand";
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
    // buildWillStartKusciaTask: no partner Domain given, so this cluster takes part.
    assert.deepEqual(ex.tasks[1].metadata.annotations, { "kuscia.secretflow/job-id": "job-best-effort-linear", "kuscia.secretflow/task-alias": "job-split", "kuscia.secretflow/self-cluster-as-participant": "true" });
    assert.deepEqual(ex.tasks[1].metadata.ownerReferences, [{ apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaJob", name: "job-best-effort-linear", uid: "<job uid>", controller: true, blockOwnerDeletion: true }]);
    // Go writes the (empty) template struct of every party.
    assert.deepEqual(ex.tasks[0].spec.parties, [{ domainID: "alice", appImageRef: "secretflow-image", template: { spec: {} } }, { domainID: "bob", appImageRef: "secretflow-image", template: { spec: {} } }]);
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

  describe("as upstream's job controller writes its tasks (scheduler.go buildWillStartKusciaTask, buildPartyTemplate)", () => {
    const image: AppImageResource = {
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "AppImage",
      metadata: { name: "img" },
      spec: {
        image: { name: "sf", tag: "1" },
        deployTemplates: [
          { name: "two", role: "host", replicas: 2, spec: { containers: [{ name: "a", workingDir: "/w" }, { name: "b" }] } },
          { name: "any", replicas: 1, spec: { containers: [{ name: "c", workingDir: "/c", ports: [{ name: "p", port: 1, scope: "Cluster" }] }] } },
        ],
      },
    };
    const job = (parties: KusciaJobResource["spec"]["tasks"][number]["parties"]): KusciaJobResource => ({
      apiVersion: "kuscia.secretflow/v1alpha1",
      kind: "KusciaJob",
      metadata: { name: "j", uid: "0000-1111" },
      spec: { initiator: "alice", tasks: [{ alias: "t", appImage: "img", taskInputConfig: "{}", parties }] },
    });

    it("splits a party's cpu, memory and bandwidth over the deploy template's containers x replicas", () => {
      const ex = expandKusciaJob(job([{ domainID: "alice", role: "host", resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "1", "kuscia.secretflow/bandwidth": "400", "nvidia.com/gpu": "1" } } }]), { appImages: [image] });
      // 2 containers x 2 replicas: cpu 2 -> 500m, 8Gi -> 2Gi (upstream prints 2048Mi; the API server stores the canonical 2Gi), 1 -> 250m; other resources dropped.
      assert.deepEqual(ex.tasks[0].spec.parties[0].template, {
        spec: {
          containers: [
            { name: "a", workingDir: "/w", resources: { limits: { cpu: "250m", "kuscia.secretflow/bandwidth": "100" }, requests: { cpu: "500m", memory: "2Gi" } } },
            { name: "b", workingDir: "", resources: { limits: { cpu: "250m", "kuscia.secretflow/bandwidth": "100" }, requests: { cpu: "500m", memory: "2Gi" } } },
          ],
        },
      });
      assert.deepEqual(ex.warnings, []);
    });

    it("takes the role-less template for another role, and leaves the template empty without resources", () => {
      const ex = expandKusciaJob(job([{ domainID: "alice", role: "guest", resources: { limits: { memory: "3Gi" } } }, { domainID: "bob" }]), { appImages: [image] });
      assert.deepEqual(ex.tasks[0].spec.parties[0].template.spec.containers?.map((c) => [c.name, c.resources]), [["c", { limits: { memory: "3Gi" } }]]);
      assert.deepEqual(ex.tasks[0].spec.parties[1].template, { spec: {} });
    });

    it("says so when a party gives resources but the AppImage is missing", () => {
      const ex = expandKusciaJob(job([{ domainID: "alice", resources: { limits: { cpu: "1" } } }]));
      assert.deepEqual(ex.tasks[0].spec.parties[0].template, { spec: {} });
      assert.match(ex.warnings.join("\n"), /party "alice" gives resources, but its AppImage was not given/);
    });

    it("marks a task of partners only as not taken part in by this cluster, and carries the job's uid", () => {
      const ex = expandKusciaJob(job([{ domainID: "bob" }, { domainID: "dave" }]), { partnerDomains: ["bob", "dave"] });
      assert.equal(ex.tasks[0].metadata.annotations["kuscia.secretflow/self-cluster-as-participant"], "false");
      assert.equal(ex.tasks[0].metadata.labels["kuscia.secretflow/job-uid"], "0000-1111");
      assert.equal(ex.tasks[0].metadata.ownerReferences[0].uid, "0000-1111");
      const mixed = expandKusciaJob(job([{ domainID: "bob" }, { domainID: "alice" }]), { partnerDomains: ["bob"] });
      assert.equal(mixed.tasks[0].metadata.annotations["kuscia.secretflow/self-cluster-as-participant"], "true");
    });
  });
});
