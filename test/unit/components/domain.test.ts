import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Domain } from "../../../components";
import { makeCert } from "../../helpers/certs";
import { REFUSAL, recordOptions, refusalOf, useMocks, valueOf, assertRefused } from "./harness";

const CR = "kubernetes:kuscia.secretflow/v1alpha1:Domain";

describe("component: Domain", () => {
  const mocks = useMocks();
  const names = () => mocks.registered.filter((r) => r.type !== "kuscia-iac:index:Domain").map((r) => `${r.type} ${r.name}`).sort();

  it("creates what Kuscia's domain controller creates, keeping the Namespace on delete", async () => {
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const d = new Domain("carol", { resourceQuota: { podMaxCount: 200 } }, { transformations: [recordOptions(opts)] });
    assert.deepEqual(await valueOf(d.created), [
      "Namespace/carol",
      "Role/carol/carol",
      "ServiceAccount/carol/carol",
      "RoleBinding/carol/carol",
      "ClusterRoleBinding/carol",
      "ConfigMap/carol/domain-config",
      "ResourceQuota/carol/resource-limitation",
    ]);
    assert.deepEqual(names(), [
      "kubernetes:core/v1:ConfigMap carol/domain-config",
      "kubernetes:core/v1:Namespace carol",
      "kubernetes:core/v1:ResourceQuota carol/resource-limitation",
      "kubernetes:core/v1:ServiceAccount carol/carol",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding carol",
      "kubernetes:rbac.authorization.k8s.io/v1:Role carol/carol",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding carol/carol",
    ]);
    const ns = mocks.ofType("kubernetes:core/v1:Namespace")[0];
    assert.deepEqual(ns.inputs.metadata.labels, { "kuscia.secretflow/domain-name": "carol", "kuscia.secretflow/interconn-protocols": "kuscia" });
    assert.deepEqual(mocks.ofType("kubernetes:core/v1:ResourceQuota")[0].inputs.spec, { hard: { pods: "200" } });
    assert.equal(opts.get("kubernetes:core/v1:Namespace::carol")?.retainOnDelete, true);
    for (const [key, o] of opts) if (!key.startsWith("kuscia-iac:")) assert.equal(o.parent, d, `${key} is parented to the component`);
    assert.notEqual(opts.get("kubernetes:core/v1:ConfigMap::carol/domain-config")?.retainOnDelete, true);
    assert.equal(await valueOf(d.namespace), "carol");
    assert.equal(mocks.ofType(CR).length, 0);
  });

  it("with custom-resource creates only the Domain, defaulted, ignoring what Kuscia writes back", async () => {
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const d = new Domain("dave", { emit: "custom-resource", labels: { team: "a" } }, { transformations: [recordOptions(opts)] });
    assert.deepEqual(await valueOf(d.created), ["Domain/dave"]);
    assert.deepEqual(names(), [`${CR} dave`]);
    const cr = mocks.ofType(CR)[0].inputs;
    // A local Domain waits for a Ready node of it (components/ready.ts).
    assert.deepEqual(cr.metadata, { name: "dave", labels: { team: "a" }, annotations: { "pulumi.com/waitFor": 'jsonpath={.status.nodeStatuses[?@.status=="Ready"].name}' } });
    assert.deepEqual(cr.spec, { interConnProtocols: ["kuscia"] });
    assert.deepEqual(opts.get(`${CR}::dave`)?.ignoreChanges, ['metadata.labels["kuscia.secretflow/domain-auth"]', "spec.master"]);
  });

  it("with both creates the Domain and the native objects; a given master is managed, not ignored", async () => {
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const d = new Domain("edge", { emit: "both", role: "partner", interConnProtocols: ["kuscia"], cert: await partnerCert(), master: "hub" }, { transformations: [recordOptions(opts)] });
    assert.deepEqual(await valueOf(d.created), ["Namespace/edge", "Role/edge/edge", "Domain/edge"]);
    assert.deepEqual(opts.get(`${CR}::edge`)?.ignoreChanges, ['metadata.labels["kuscia.secretflow/domain-auth"]']);
  });

  it("refuses an invalid domain ID at construction, naming the component, the field and the fix", async () => {
    await assertRefused(mocks.registered,() => new Domain("alice_1", {}), (e: Error) => {
      assert.match(e.message, /^Domain "alice_1": metadata\.name: "alice_1" is not a valid domain ID: use at most 63 lowercase letters/);
      return true;
    });
    await assertRefused(mocks.registered,() => new Domain("default", {}), /Domain "default": metadata\.name: "default" is reserved/);
    await assertRefused(mocks.registered,() => new Domain("p", { role: "partner" }), /Domain "p": spec\.cert: is required when spec\.role is partner/);
    await assertRefused(mocks.registered,() => new Domain("q", { emit: "yaml" as never }), /Domain "q": emit: "yaml" is not one of "native", "custom-resource", "both"/);
  });

  it("refuses at apply time when the domain ID comes from an Output, and creates nothing", async () => {
    new Domain("later", { name: pulumi.output("Later") });
    assert.match(await refusalOf(mocks.registered, "later"), /Domain "later": metadata\.name: "Later" is not a valid domain ID/);
    // The refusal alone, which ends the operation: no Kubernetes object.
    assert.deepEqual(names(), [`${REFUSAL} later-refused`]);
  });

  it("validates and creates from Outputs once they resolve", async () => {
    const d = new Domain("from-output", { name: pulumi.output("frank"), resourceQuota: pulumi.output({ podMaxCount: 5 }) });
    assert.deepEqual(await valueOf(d.created), ["Namespace/frank", "Role/frank/frank", "ServiceAccount/frank/frank", "RoleBinding/frank/frank", "ClusterRoleBinding/frank", "ConfigMap/frank/domain-config", "ResourceQuota/frank/resource-limitation"]);
    assert.equal(await valueOf(d.domainId), "frank");
  });

  it("deploys its children with the provider it is given", async () => {
    const provider = new k8s.Provider("member-cluster", { kubeconfig: "{}" });
    const d = new Domain("gina", {}, { provider });
    await valueOf(d.created);
    const children = mocks.registered.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers"));
    assert.equal(children.length, 6);
    for (const c of children) assert.match(c.provider ?? "", /pulumi:providers:kubernetes::member-cluster::/);
  });
});

// A partner needs a certificate; generate one once (the rule book checks it is RSA >= 2048 and in date).
let cert: string | undefined;
async function partnerCert(): Promise<string> {
  cert ??= (await makeCert({ cn: "edge" })).certB64;
  return cert;
}
