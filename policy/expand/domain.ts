/**
 * Domain → what Kuscia's domain controller creates for it
 * (pkg/controllers/domain: namespace.go, resource_quota.go, domain_config.go,
 * authorization_resource.go, and the Role template etc/conf/domain-namespace-res.yaml).
 *
 * Left out on purpose: owner references (there is no Domain object to own them
 * in native form) and the ClusterDomainRoute `<domain>-<master>` that Kuscia
 * creates for `spec.authCenter`, because its Authorization header is a
 * service-account token only the cluster can mint (a warning says so).
 */
import { LABEL } from "./labels";
import type {
  ClusterRoleBindingObject,
  ConfigMapObject,
  DomainResource,
  Expansion,
  NamespaceObject,
  NativeObject,
  PolicyRule,
  ResourceQuotaObject,
  RoleBindingObject,
  RoleObject,
  ServiceAccountObject,
} from "./types";

export const RESOURCE_QUOTA_NAME = "resource-limitation";
export const DOMAIN_CONFIG_NAME = "domain-config";
/** Installed with Kuscia (etc/conf/domain-cluster-res.yaml); domains are bound to it, never create it. */
export const DOMAIN_CLUSTER_ROLE = "domain-cluster-res";

/** The rules of etc/conf/domain-namespace-res.yaml: what a domain's own agent may do in its namespace. */
export const DOMAIN_ROLE_RULES: readonly PolicyRule[] = [
  { apiGroups: [""], resources: ["pods"], verbs: ["create", "delete", "update", "get", "list", "watch", "patch"] },
  { apiGroups: [""], resources: ["pods/status"], verbs: ["patch", "update"] },
  { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
  { apiGroups: [""], resources: ["secrets", "endpoints", "namespaces"], verbs: ["get", "list", "watch"] },
  { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "update", "patch", "list", "watch"] },
  { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch", "patch", "update"] },
  { apiGroups: ["kuscia.secretflow"], resources: ["*"], verbs: ["get", "list", "watch", "create", "delete", "patch", "update"] },
  { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["get", "list", "create", "patch", "update"] },
];

export function isPartner(d: DomainResource): boolean {
  return d.spec?.role === "partner";
}

export function expandDomain(d: DomainResource): Expansion {
  const name = d.metadata.name;
  const spec = d.spec ?? {};
  const warnings: string[] = [];
  const objects: NativeObject[] = [namespaceOf(d), role(name)];

  // authorization_resource.go: a peer-to-peer Kuscia partner that is its own master gets the
  // service account and binding (it calls in with that account's token); a "lite" partner of
  // another master gets nothing; local and BFIA domains also get the cluster-wide node rights.
  const protocol = spec.interConnProtocols?.[0];
  const p2pKusciaPartner = isPartner(d) && protocol === "kuscia";
  const ownMaster = !spec.master || spec.master === name;
  if (!p2pKusciaPartner || ownMaster) objects.push(serviceAccount(name), roleBinding(name));
  if (!p2pKusciaPartner) objects.push(clusterRoleBinding(name));

  if (!isPartner(d)) {
    objects.push(domainConfig(name));
    const pods = spec.resourceQuota?.podMaxCount;
    if (typeof pods === "number") objects.push(resourceQuota(name, pods));
  }
  if (spec.authCenter && (!p2pKusciaPartner || ownMaster)) {
    warnings.push(
      `Domain ${JSON.stringify(name)}: spec.authCenter: Kuscia creates a ClusterDomainRoute from this domain to its master, authorised with a service-account token it mints; the native form cannot mint that token, so create the route with the ClusterDomainRoute component or emit the Domain as a custom resource`,
    );
  }
  return { objects, warnings, errors: [] };
}

function namespaceOf(d: DomainResource): NamespaceObject {
  const labels: Record<string, string> = { [LABEL.domainName]: d.metadata.name };
  if (d.spec?.role) labels[LABEL.domainRole] = d.spec.role;
  // Only the first protocol is honoured today (namespace.go), so only it is labelled.
  const p = d.spec?.interConnProtocols?.[0];
  if (p) labels[LABEL.interConnProtocols] = p;
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: d.metadata.name, labels } };
}

function role(name: string): RoleObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name, namespace: name },
    rules: DOMAIN_ROLE_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] })),
  };
}

function serviceAccount(name: string): ServiceAccountObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: name } };
}

function roleBinding(name: string): RoleBindingObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name, namespace: name },
    subjects: [{ kind: "ServiceAccount", name, namespace: name }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
  };
}

function clusterRoleBinding(name: string): ClusterRoleBindingObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name },
    subjects: [{ kind: "ServiceAccount", name, namespace: name }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: DOMAIN_CLUSTER_ROLE },
  };
}

function domainConfig(name: string): ConfigMapObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: DOMAIN_CONFIG_NAME, namespace: name, labels: { [LABEL.domainName]: name } }, data: {} };
}

function resourceQuota(name: string, pods: number): ResourceQuotaObject {
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: RESOURCE_QUOTA_NAME, namespace: name, labels: { [LABEL.domainName]: name } },
    spec: { hard: { pods: String(pods) } },
  };
}
