/**
 * The Pulumi example programs (examples/pulumi/*), run under mocks. They are
 * outside the root build (each has its own package.json importing
 * `kuscia-iac`), so their program.ts is transpiled here and its
 * `require("kuscia-iac")` answered with this repository's components.
 */
import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import * as components from "../../../components";
import { makeCert } from "../../helpers/certs";
import { useMocks, valueOf } from "./harness";
import { loadProgram } from "../../helpers/programs";

// Only the shapes the tests use: importing the programs' types would pull them into the root build.
type Out = import("@pulumi/pulumi").Output<string[]>;
interface ServingProgram {
  secretflowServing(opts?: { emit?: components.Emit }): { created: Out; objects: Out; phase: import("@pulumi/pulumi").Output<string> };
}
interface InteropProgram {
  interop(opts: { aliceCert: string; bobCert: string; hostProvider?: k8s.Provider; memberProvider?: k8s.Provider }): { hostObjects: Out; memberObjects: Out };
}

describe("example Pulumi programs", () => {
  const mocks = useMocks();
  const kinds = () => mocks.registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => `${r.type} ${r.name}`).sort();

  it("secretflow-serving: both Domains and the seed's objects in alice and bob", async () => {
    const { secretflowServing } = loadProgram<ServingProgram>("secretflow-serving");
    mocks.deploymentStatus.set("alice/secretflow-serving", { replicas: 1, availableReplicas: 1 });
    mocks.deploymentStatus.set("bob/secretflow-serving", { replicas: 1, availableReplicas: 1 });
    const out = secretflowServing();
    assert.deepEqual(await valueOf(out.created), [
      "Service/alice/secretflow-serving-service",
      "Service/alice/secretflow-serving-internal",
      "Service/alice/secretflow-serving-brpc-builtin",
      "ConfigMap/alice/secretflow-serving-configtemplate",
      "Deployment/alice/secretflow-serving",
      "Service/bob/secretflow-serving-service",
      "Service/bob/secretflow-serving-internal",
      "Service/bob/secretflow-serving-brpc-builtin",
      "ConfigMap/bob/secretflow-serving-configtemplate",
      "Deployment/bob/secretflow-serving",
    ]);
    assert.equal(await valueOf(out.phase), "Available");
    const namespaces = mocks.ofType("kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata.name).sort();
    assert.deepEqual(namespaces, ["alice", "bob"]);
    const alice = mocks.ofType("kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.namespace === "alice")!;
    assert.deepEqual(alice.inputs.spec.template.spec.containers[0].resources.limits, { cpu: "100m", memory: "100Mi" });
    assert.equal(mocks.registered.some((r) => r.type.startsWith("kubernetes:kuscia.secretflow")), false);
  });

  it("secretflow-serving with emit custom-resource: the Domains, the AppImage and the KusciaDeployment only", async () => {
    const { secretflowServing } = loadProgram<ServingProgram>("secretflow-serving");
    const objects = await valueOf(secretflowServing({ emit: "custom-resource" }).objects);
    assert.deepEqual(objects, ["Domain/alice", "Domain/bob", "AppImage/secretflow-serving-image", "KusciaDeployment/cross-domain/secretflow-serving"]);
    assert.deepEqual(kinds(), [
      "kubernetes:kuscia.secretflow/v1alpha1:AppImage secretflow-serving-image",
      "kubernetes:kuscia.secretflow/v1alpha1:Domain alice",
      "kubernetes:kuscia.secretflow/v1alpha1:Domain bob",
      "kubernetes:kuscia.secretflow/v1alpha1:KusciaDeployment cross-domain/secretflow-serving",
    ]);
  });

  it("interop: partner Domains and the InteropConfig's RBAC on the host, the route and the InteropConfig on the member", async () => {
    const { interop } = loadProgram<InteropProgram>("interop");
    const [alice, bob] = await Promise.all([makeCert({ cn: "alice" }), makeCert({ cn: "bob" })]);
    const hostProvider = new k8s.Provider("bob-cluster", { kubeconfig: "{}" });
    const memberProvider = new k8s.Provider("alice-cluster", { kubeconfig: "{}" });
    const out = interop({ aliceCert: alice.certB64, bobCert: bob.certB64, hostProvider, memberProvider });
    assert.deepEqual(await valueOf(out.hostObjects), [
      "Namespace/alice",
      "Role/alice/alice",
      "ServiceAccount/alice/alice",
      "RoleBinding/alice/alice",
      "Role/alice/kuscia-interop-bob-members",
      "RoleBinding/alice/kuscia-interop-bob-members",
    ]);
    assert.deepEqual(await valueOf(out.memberObjects), ["Domain/bob", "ClusterDomainRoute/alice-bob", "InteropConfig/bob-members"]);
    const onCluster = (name: string) => mocks.registered.filter((r) => r.type.startsWith("kubernetes:") && (r.provider ?? "").includes(`::${name}::`)).length;
    assert.equal(onCluster("bob-cluster"), 6);
    assert.equal(onCluster("alice-cluster"), 3);
  });
});
