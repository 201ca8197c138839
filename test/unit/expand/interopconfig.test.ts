import { strict as assert } from "node:assert";
import { admit, expandInteropConfig, INTEROP_MEMBER_RULES, type InteropConfigResource, type RoleBindingObject, type RoleObject } from "../../../policy/expand";
import { loadExamples } from "../../helpers/examples";

const ic = (name: string, host: string, members: string[]): InteropConfigResource => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name }, spec: { host, members } });

describe("expansion: InteropConfig", () => {
  it("grants each member, in its namespace on the host, read access to what it copies and update on the summaries", () => {
    const ex = expandInteropConfig(ic("bob-members", "bob", ["alice", "alice-mock"]));
    assert.deepEqual(
      ex.objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`),
      ["Role/alice/kuscia-interop-bob-members", "RoleBinding/alice/kuscia-interop-bob-members", "Role/alice-mock/kuscia-interop-bob-members", "RoleBinding/alice-mock/kuscia-interop-bob-members"],
    );
    const role = ex.objects[0] as RoleObject;
    assert.deepEqual(role.rules, INTEROP_MEMBER_RULES);
    const read = role.rules![0];
    assert.deepEqual(read.resources, ["kusciadeployments", "kusciajobs", "domaindatas", "domaindatagrants"]);
    assert.equal(read.verbs.includes("update"), false);
    assert.deepEqual(role.rules![1].resources, ["kusciadeploymentsummaries", "kusciajobsummaries", "kusciatasksummaries"]);
    const rb = ex.objects[1] as RoleBindingObject;
    assert.deepEqual(rb.subjects, [{ kind: "ServiceAccount", name: "alice", namespace: "alice" }]);
    assert.deepEqual(rb.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "kuscia-interop-bob-members" });
    assert.equal(role.metadata.labels!["app.kubernetes.io/managed-by"], "kuscia-iac");
    assert.deepEqual(ex.warnings, []);
  });

  it("binds a User named after the member when members authenticate with certificates", () => {
    const ex = expandInteropConfig(ic("bob-members", "bob", ["alice"]), { memberIdentity: "User" });
    assert.deepEqual((ex.objects[1] as RoleBindingObject).subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice" }]);
  });

  it("warns when the name is the one Kuscia's route controller manages (the docs' alice-2-bob)", () => {
    const doc = loadExamples("accepted").find((e) => (e.object as InteropConfigResource).metadata?.name === "alice-2-bob");
    assert.ok(doc);
    const ex = expandInteropConfig(admit(doc.object as InteropConfigResource).object);
    assert.equal(ex.warnings.length, 1);
    assert.match(ex.warnings[0], /^InteropConfig "alice-2-bob": metadata\.name: is the name Kuscia's ClusterDomainRoute controller uses for the route alice → bob/);
    assert.equal(ex.objects.length, 2);
  });
});
