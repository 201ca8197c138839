import { strict as assert } from "node:assert";
import { admit, expandDomain, DOMAIN_ROLE_RULES, type DomainResource, type NamespaceObject, type NativeObject, type ResourceQuotaObject, type RoleBindingObject } from "../../../policy/expand";
import { loadExamples } from "../../helpers/examples";

const refs = (objs: NativeObject[]) => objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
const domain = (name: string, spec: DomainResource["spec"] = {}, labels?: Record<string, string>): DomainResource => ({
  apiVersion: "kuscia.secretflow/v1alpha1",
  kind: "Domain",
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
});
const example = (name: string) => {
  const d = loadExamples("accepted").find((e) => (e.object as DomainResource).kind === "Domain" && (e.object as DomainResource).metadata.name === name);
  assert.ok(d, `example Domain ${name}`);
  return admit(d.object as DomainResource).object;
};

describe("expansion: Domain", () => {
  it("gives a local domain with a pod quota its namespace, RBAC, domain-config and resource-limitation (example carol)", () => {
    const ex = expandDomain(example("carol"));
    assert.deepEqual(refs(ex.objects), [
      "Namespace//carol",
      "Role/carol/carol",
      "ServiceAccount/carol/carol",
      "RoleBinding/carol/carol",
      "ClusterRoleBinding//carol",
      "ConfigMap/carol/domain-config",
      "ResourceQuota/carol/resource-limitation",
    ]);
    const ns = ex.objects[0] as NamespaceObject;
    assert.deepEqual(ns.metadata.labels, { "kuscia.secretflow/domain-name": "carol", "kuscia.secretflow/interconn-protocols": "kuscia" });
    const rq = ex.objects.at(-1) as ResourceQuotaObject;
    assert.deepEqual(rq.spec!.hard, { pods: "200" });
    assert.deepEqual(ex.warnings, []);
  });

  it("labels a partner's namespace with its role and creates no quota or domain-config for it (example alice)", () => {
    // The docs' partner lists no interConnProtocols, and the webhook does not fill them on a partner
    // (that would switch the controller to the peer-to-peer path), so it is authorised like a local
    // domain (pkg/controllers/domain/authorization_resource.go: handleOthers).
    const ex = expandDomain(example("alice"));
    assert.deepEqual(refs(ex.objects), ["Namespace//alice", "Role/alice/alice", "ServiceAccount/alice/alice", "RoleBinding/alice/alice", "ClusterRoleBinding//alice"]);
    assert.deepEqual((ex.objects[0] as NamespaceObject).metadata.labels, {
      "kuscia.secretflow/domain-name": "alice",
      "kuscia.secretflow/role": "partner",
    });
    const p2p = expandDomain(admit({ ...example("alice"), spec: { ...example("alice").spec, interConnProtocols: ["kuscia" as const] } }).object);
    assert.deepEqual(refs(p2p.objects), ["Namespace//alice", "Role/alice/alice", "ServiceAccount/alice/alice", "RoleBinding/alice/alice"]);
  });

  it("binds the domain's service account to its Role, and local domains to domain-cluster-res", () => {
    const ex = expandDomain(domain("dave"));
    const rb = ex.objects.find((o) => o.kind === "RoleBinding") as RoleBindingObject;
    assert.deepEqual(rb.subjects, [{ kind: "ServiceAccount", name: "dave", namespace: "dave" }]);
    assert.deepEqual(rb.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "dave" });
    const crb = ex.objects.find((o) => o.kind === "ClusterRoleBinding")!;
    assert.equal((crb as { roleRef: { name: string } }).roleRef.name, "domain-cluster-res");
    const role = ex.objects.find((o) => o.kind === "Role") as { rules: unknown };
    assert.deepEqual(role.rules, DOMAIN_ROLE_RULES);
    // Without the webhook's default, no protocol is recorded, as the controller does.
    assert.deepEqual((ex.objects[0] as NamespaceObject).metadata.labels, { "kuscia.secretflow/domain-name": "dave" });
  });

  it("creates no service account for a partner whose master is another domain (lite), and binds BFIA partners cluster-wide", () => {
    const lite = expandDomain(domain("edge", { role: "partner", interConnProtocols: ["kuscia"], master: "hub" }));
    assert.deepEqual(refs(lite.objects), ["Namespace//edge", "Role/edge/edge"]);
    const bfia = expandDomain(domain("fate", { role: "partner", interConnProtocols: ["bfia"] }));
    assert.deepEqual(refs(bfia.objects), ["Namespace//fate", "Role/fate/fate", "ServiceAccount/fate/fate", "RoleBinding/fate/fate", "ClusterRoleBinding//fate"]);
    assert.equal((bfia.objects[0] as NamespaceObject).metadata.labels!["kuscia.secretflow/interconn-protocols"], "bfia");
  });

  it("ignores a partner's pod quota and warns that the authCenter route needs the custom resource", () => {
    const p = expandDomain(domain("gus", { role: "partner", interConnProtocols: ["kuscia"], resourceQuota: { podMaxCount: 3 } }));
    assert.equal(p.objects.some((o) => o.kind === "ResourceQuota"), false);
    const auth = expandDomain(domain("bob", { authCenter: { authenticationType: "Token", tokenGenMethod: "RSA-GEN" } }));
    assert.equal(auth.warnings.length, 1);
    assert.match(auth.warnings[0], /^Domain "bob": spec\.authCenter: Kuscia creates a ClusterDomainRoute/);
  });
});
