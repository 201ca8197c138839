/**
 * The defaults as MutatingAdmissionPolicies: versions, one mutation per default from the same
 * data as the webhook's patch, CEL that parses. The real API server applies them in
 * test/e2e/policytest.test.ts.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parse } from "@bufbuild/cel";
import { defaultPolicyConfiguration, POLICIES } from "../../../policy";
import { defaultCel, defaultsPatch } from "../../../policy/defaults";
import { policyConfigFromObject } from "../../../policyfile/read";
import { generateMutating, kindsWithDefaults } from "../../../vap/mutating";
import { loadExamples } from "../../helpers/examples";
import { review } from "../../../policy";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");
const config = defaultPolicyConfiguration();
type Obj = Record<string, any>;

describe("vap: the defaults as MutatingAdmissionPolicies", () => {
  it("v1 from Kubernetes 1.36; v1beta1 for 1.34-1.35 only when asked; none before, saying why and pointing to the webhook", () => {
    const v1 = generateMutating({ config, kube: { major: 1, minor: 36 } });
    assert.equal(v1.apiVersion, "admissionregistration.k8s.io/v1");
    assert.ok(v1.objects.length > 0 && v1.objects.every((o) => o.apiVersion === "admissionregistration.k8s.io/v1"));
    const beta = generateMutating({ config, kube: { major: 1, minor: 34 }, beta: true });
    assert.equal(beta.apiVersion, "admissionregistration.k8s.io/v1beta1");
    assert.match(beta.notes.join(), /--feature-gates=MutatingAdmissionPolicy=true/);
    for (const minor of [34, 35]) {
      const r = generateMutating({ config, kube: { major: 1, minor } });
      assert.equal(r.objects.length, 0);
      assert.match(r.notes.join(), /only as v1beta1, behind the MutatingAdmissionPolicy feature gate .*--mutating-beta.*mutating webhook/);
    }
    const old = generateMutating({ config, kube: { major: 1, minor: 33 }, beta: true });
    assert.equal(old.objects.length, 0);
    assert.match(old.notes.join(), /Kubernetes 1\.33 has none .*the mutating webhook fills the defaults/);
  });

  it("one policy and binding per kind with defaults, one JSONPatch mutation per default, every expression valid CEL", () => {
    const { objects } = generateMutating({ config, kube: { major: 1, minor: 36 } }) as { objects: Obj[] };
    const kinds = kindsWithDefaults();
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.name}`), kinds.flatMap((p) => [`MutatingAdmissionPolicy kuscia-iac.defaults.${p.id}`, `MutatingAdmissionPolicyBinding kuscia-iac.defaults.${p.id}`]));
    for (const p of kinds) {
      const policy = objects.find((o) => o.kind === "MutatingAdmissionPolicy" && o.metadata.name === `kuscia-iac.defaults.${p.id}`)!;
      assert.equal(policy.spec.reinvocationPolicy, "Never");
      assert.deepEqual(policy.spec.matchConstraints.resourceRules[0].operations, ["CREATE", "UPDATE"]);
      assert.deepEqual(policy.spec.mutations, p.defaults!.map((d) => ({ patchType: "JSONPatch", jsonPatch: { expression: defaultCel(d) } })));
      for (const m of policy.spec.mutations) assert.doesNotThrow(() => parse(m.jsonPatch.expression), m.jsonPatch.expression);
    }
    assert.deepEqual(kinds.map((p) => p.kind).sort(), ["AppImage", "Domain", "KusciaDeployment", "KusciaJob"]);
  });

  it("leaves exempt requesters alone, as the webhook does", () => {
    const c = policyConfigFromObject({ exemptRequesters: { serviceAccounts: ["kuscia-system:kuscia"] } }, "t").config;
    const { objects } = generateMutating({ config: c, kube: { major: 1, minor: 36 } }) as { objects: Obj[] };
    for (const o of objects.filter((x) => x.kind === "MutatingAdmissionPolicy")) assert.match(JSON.stringify(o.spec.matchConditions), /system:serviceaccount:kuscia-system:kuscia/);
  });

  it("fills defaults on the examples, and completes a party template's strategy given in part as the webhook always has", () => {
    let patched = 0;
    for (const d of [...loadExamples("accepted"), ...loadExamples("refused")]) {
      const r = review(d.object);
      const p = POLICIES.find((x) => `${x.apiVersion}/${x.kind}` === r.kind);
      if (!p?.defaults) continue;
      if (r.patch.length) patched++;
    }
    assert.ok(patched >= 5, `${patched} examples get defaults`);
    const kd = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeployment", spec: { parties: [{ template: {} }, { template: { strategy: {} } }, { template: { strategy: { type: "Recreate" } } }, { template: { strategy: { rollingUpdate: {} } } }] } };
    const p = POLICIES.find((x) => x.kind === "KusciaDeployment")!;
    assert.deepEqual(defaultsPatch(p.defaults!, kd), [
      { op: "add", path: "/spec/parties/0/template/strategy", value: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } },
      { op: "add", path: "/spec/parties/1/template/strategy/type", value: "RollingUpdate" },
      { op: "add", path: "/spec/parties/3/template/strategy/type", value: "RollingUpdate" },
      { op: "add", path: "/spec/parties/1/template/strategy/rollingUpdate", value: { maxSurge: "25%", maxUnavailable: "25%" } },
    ]);
  });

  it("kuscia-iac vap --kube-version 1.36 writes them after the validating policies; 1.33 says there are none", () => {
    const r36 = spawnSync(process.execPath, [MAIN, "vap", "--kube-version", "1.36", "-o", "json"], { encoding: "utf8" });
    assert.equal(r36.status, 0, r36.stderr);
    const items = JSON.parse(r36.stdout).items as Obj[];
    assert.equal(items.filter((o) => o.kind === "MutatingAdmissionPolicy").length, kindsWithDefaults().length);
    assert.match(r36.stderr, /and 4 MutatingAdmissionPolicies \(the defaults of 4 kinds\)/);
    const none = spawnSync(process.execPath, [MAIN, "vap", "--kube-version", "1.36", "--no-mutating", "-o", "json"], { encoding: "utf8" });
    assert.equal(JSON.parse(none.stdout).items.filter((o: Obj) => o.kind === "MutatingAdmissionPolicy").length, 0);
    const r33 = spawnSync(process.execPath, [MAIN, "vap", "--kube-version", "1.33", "-o", "json"], { encoding: "utf8" });
    assert.equal(r33.status, 0);
    assert.equal(JSON.parse(r33.stdout).items.filter((o: Obj) => /Mutating/.test(o.kind)).length, 0);
    assert.match(r33.stderr, /note: no MutatingAdmissionPolicy for the defaults: Kubernetes 1\.33 has none/);
  });
});
