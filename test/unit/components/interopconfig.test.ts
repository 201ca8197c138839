import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { InteropConfig } from "../../../components";
import { captureWarnings, messageMatches, refusalOf, useMocks, valueOf, assertRefused } from "./harness";

const CR = "kubernetes:kuscia.secretflow/v1alpha1:InteropConfig";

describe("component: InteropConfig", () => {
  const mocks = useMocks();

  it("natively grants each member, on the host, access to its namespace", async () => {
    const ic = new InteropConfig("bob-members", { host: "bob", members: ["alice", "carol"] });
    assert.deepEqual(await valueOf(ic.created), [
      "Role/alice/kuscia-interop-bob-members",
      "RoleBinding/alice/kuscia-interop-bob-members",
      "Role/carol/kuscia-interop-bob-members",
      "RoleBinding/carol/kuscia-interop-bob-members",
    ]);
    assert.deepEqual(mocks.registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => `${r.type} ${r.name}`).sort(), [
      "kubernetes:rbac.authorization.k8s.io/v1:Role alice/kuscia-interop-bob-members",
      "kubernetes:rbac.authorization.k8s.io/v1:Role carol/kuscia-interop-bob-members",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding alice/kuscia-interop-bob-members",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding carol/kuscia-interop-bob-members",
    ]);
    const rb = mocks.ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").find((r) => r.inputs.metadata.namespace === "carol")!;
    assert.deepEqual(rb.inputs.subjects, [{ kind: "ServiceAccount", name: "carol", namespace: "carol" }]);
    assert.equal(mocks.ofType(CR).length, 0);
  });

  it("with custom-resource creates the InteropConfig only, with a User identity not mattering there", async () => {
    const ic = new InteropConfig("bob-members", { host: "bob", members: ["alice"], memberIdentity: "User", emit: "custom-resource" });
    assert.deepEqual(await valueOf(ic.created), ["InteropConfig/bob-members"]);
    assert.deepEqual(mocks.ofType(CR)[0].inputs.spec, { host: "bob", members: ["alice"] });
    assert.equal(mocks.registered.filter((r) => r.type.startsWith("kubernetes:rbac")).length, 0);
  });

  it("with both creates the RBAC and the custom resource; memberIdentity User binds the certificate's CN", async () => {
    const ic = new InteropConfig("bob-members", { host: "bob", members: ["alice"], memberIdentity: "User", emit: "both" });
    assert.deepEqual(await valueOf(ic.created), ["Role/alice/kuscia-interop-bob-members", "RoleBinding/alice/kuscia-interop-bob-members", "InteropConfig/bob-members"]);
    assert.deepEqual(mocks.ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")[0].inputs.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice" }]);
  });

  it("warns when named like the InteropConfig Kuscia's route controller manages", async () => {
    const warnings = await captureWarnings(async () => {
      await valueOf(new InteropConfig("alice-2-bob", { host: "bob", members: ["alice"], emit: "custom-resource" }).created);
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /InteropConfig "alice-2-bob": metadata\.name: is the name Kuscia's ClusterDomainRoute controller uses/);
  });

  it("refuses the host as a member, at construction and at apply time", async () => {
    await assertRefused(mocks.registered,() => new InteropConfig("x", { host: "bob", members: ["bob"] }), messageMatches(/^InteropConfig "x": spec\.members\[0\]: "bob" is the host \(spec\.host\)/));
    new InteropConfig("y", { host: pulumi.output("bob"), members: ["bob"] });
    assert.match(await refusalOf(mocks.registered, "y"), /InteropConfig "y": spec\.members\[0\]: "bob" is the host/);
    assert.equal(mocks.registered.filter((r) => r.type.startsWith("kubernetes:")).length, 0);
  });
});
