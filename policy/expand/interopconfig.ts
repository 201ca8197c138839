/**
 * InteropConfig → the host-side access its members need.
 *
 * Kuscia itself creates no native object for an InteropConfig: the member's
 * interconn controller (pkg/interconn/kuscia/hostresources) opens informers on
 * the host's API server, namespace `<member>`, for KusciaDeployments,
 * KusciaJobs, DomainData and DomainDataGrants (copied into the member's
 * `cross-domain`) and their summaries (KusciaDeploymentSummary,
 * KusciaJobSummary, KusciaTaskSummary, which it also updates with the member's
 * progress). This expansion is our choice, kept to exactly that: on the host,
 * per member, a Role `kuscia-interop-<config>` in namespace `<member>` with
 * read/watch on the copied kinds and read/update on the summaries, and a
 * RoleBinding granting it to the member's identity on the host.
 *
 * That identity is by default ServiceAccount `<member>` in namespace
 * `<member>`, the account Kuscia's domain controller creates for a partner
 * domain and whose token authorises the member's requests; with mTLS-only
 * setups the certificate's CN (the domain ID) is the User instead.
 *
 * The InteropConfig custom resource itself belongs to the member's cluster,
 * so emit it there (the components' `custom-resource` mode with the member's
 * provider).
 */
import { MANAGED_BY } from "./labels";
import type { Expansion, InteropConfigResource, NativeObject, PolicyRule, RoleBindingObject, RoleObject } from "./types";

export type MemberIdentity = "ServiceAccount" | "User";

export interface InteropConfigContext {
  /** How a member authenticates to the host's API server; default ServiceAccount `<member>`/`<member>`. */
  memberIdentity?: MemberIdentity;
}

export const INTEROP_ANNOTATION = "kuscia-iac/interop-config";

export const INTEROP_MEMBER_RULES: readonly PolicyRule[] = [
  { apiGroups: ["kuscia.secretflow"], resources: ["kusciadeployments", "kusciajobs", "domaindatas", "domaindatagrants"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["kuscia.secretflow"], resources: ["kusciadeploymentsummaries", "kusciajobsummaries", "kusciatasksummaries"], verbs: ["get", "list", "watch", "update", "patch"] },
];

export function interopRoleName(config: string): string {
  return `kuscia-interop-${config}`;
}

/** The name Kuscia's ClusterDomainRoute controller gives the InteropConfig it manages for a route. */
export function routeInteropConfigName(source: string, destination: string): string {
  return `${source}-2-${destination}`;
}

export function expandInteropConfig(ic: InteropConfigResource, ctx: InteropConfigContext = {}): Expansion {
  const name = ic.metadata.name;
  const host = ic.spec.host;
  const members = ic.spec.members ?? [];
  const warnings: string[] = [];
  const clash = members.find((m) => routeInteropConfigName(m, host) === name);
  if (clash !== undefined) {
    warnings.push(
      `InteropConfig ${JSON.stringify(name)}: metadata.name: is the name Kuscia's ClusterDomainRoute controller uses for the route ${clash} → ${host}; that controller creates and deletes an InteropConfig of this name on its own, so choose another name (e.g. ${JSON.stringify(`${host}-members`)})`,
    );
  }
  const objects: NativeObject[] = [];
  for (const m of members) objects.push(role(name, m), binding(name, m, ctx.memberIdentity ?? "ServiceAccount"));
  return { objects, warnings, errors: [] };
}

function meta(config: string, member: string) {
  return { name: interopRoleName(config), namespace: member, labels: { ...MANAGED_BY }, annotations: { [INTEROP_ANNOTATION]: config } };
}

function role(config: string, member: string): RoleObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: meta(config, member),
    rules: INTEROP_MEMBER_RULES.map((r) => ({ apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] })),
  };
}

function binding(config: string, member: string, identity: MemberIdentity): RoleBindingObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta(config, member),
    subjects: [identity === "User" ? { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: member } : { kind: "ServiceAccount", name: member, namespace: member }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: interopRoleName(config) },
  };
}
