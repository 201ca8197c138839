/**
 * A KusciaDeployment party-template container without workingDir, which upstream's CRD
 * requires (crds/kuscia is upstream's as it is): the rule book refuses it under its own rule
 * with the fix, the webhook's defaults add workingDir: "" as KusciaAPI writes it, and the
 * components emit it.
 */
import { strict as assert } from "node:assert";
import { review } from "../../../policy";
import { applyPatch, deepClone, type Operation } from "fast-json-patch";
import { KusciaDeployment } from "../../../components";
import { seedWithMatchingOverride } from "../expand/seed";
import { useMocks, valueOf } from "../components/harness";

const docsExample = () => ({
  apiVersion: "kuscia.secretflow/v1alpha1",
  kind: "KusciaDeployment",
  metadata: { name: "serving", namespace: "cross-domain" },
  spec: {
    initiator: "alice",
    inputConfig: "{}",
    parties: [
      { appImageRef: "serving-image", domainID: "alice", template: { replicas: 1, spec: { containers: [{ name: "serving", resources: { limits: { cpu: "100m" } } }] } } },
      { appImageRef: "serving-image", domainID: "bob" },
    ],
  },
});

describe("KusciaDeployment party-template containers and upstream's workingDir", () => {
  it("refuses a container without workingDir under kd.template.working-dir, naming the fix", () => {
    const r = review(docsExample());
    assert.equal(r.allowed, false);
    const v = r.violations.filter((x) => x.rule === "kd.template.working-dir");
    assert.equal(v.length, 1, JSON.stringify(r.violations));
    assert.match(v[0].message, /workingDir: ""/);
    assert.deepEqual(r.violations.map((x) => x.rule), ["kd.template.working-dir"], "no other rule fires");
  });

  it("repairs it in the webhook's defaults the way KusciaAPI writes it, and then accepts it", () => {
    const o = docsExample();
    const ops = review(o).patch.filter((p) => p.path.endsWith("/workingDir"));
    assert.deepEqual(ops, [{ op: "add", path: "/spec/parties/0/template/spec/containers/0/workingDir", value: "" }]);
    const repaired = applyPatch(deepClone(o), review(o).patch as Operation[]).newDocument;
    assert.equal(review(repaired).allowed, true, JSON.stringify(review(repaired).violations));
  });

  it("leaves a workingDir that is set alone", () => {
    const o = docsExample();
    (o.spec.parties[0].template!.spec.containers[0] as Record<string, unknown>).workingDir = "/work";
    assert.equal(review(o).allowed, true);
    assert.deepEqual(review(o).patch.filter((p) => p.path.endsWith("/workingDir")), []);
  });

  describe("the component", () => {
    const mocks = useMocks();
    it("emits party-template containers with workingDir in custom-resource mode", async () => {
      const s = seedWithMatchingOverride();
      for (const p of s.kd.spec.parties) for (const c of p.template?.spec?.containers ?? []) delete (c as { workingDir?: string }).workingDir;
      const k = new KusciaDeployment("serving", { name: s.kd.metadata.name, labels: s.kd.metadata.labels, initiator: s.kd.spec.initiator, inputConfig: s.kd.spec.inputConfig, parties: s.kd.spec.parties, appImages: [s.appImage], emit: "custom-resource" });
      const obj = await valueOf(k.object);
      await valueOf(k.created);
      const cr = mocks.ofType("kubernetes:kuscia.secretflow/v1alpha1:KusciaDeployment");
      assert.equal(cr.length, 1);
      const containers = (cr[0].inputs.spec.parties as { template?: { spec?: { containers?: { workingDir?: string }[] } } }[]).flatMap((p) => p.template?.spec?.containers ?? []);
      assert.ok(containers.length > 0, "the seed has a party template with containers");
      for (const c of containers) assert.equal(c.workingDir, "");
      assert.ok(obj.spec.parties.flatMap((p) => p.template?.spec?.containers ?? []).every((c) => c.workingDir === ""));
    });
  });
});
