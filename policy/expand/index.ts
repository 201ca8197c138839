/**
 * Expansion: from a Kuscia custom resource to the native Kubernetes objects
 * the Kuscia controllers create for it, with the same names, labels and ports.
 * Pure like the rest of policy/: plain objects in, plain objects out.
 *
 * Expansion works on the object as stored. `admit` gives that object: the
 * rule book's verdict plus its defaults applied, which is what the API server
 * keeps when the kuscia-iac webhook is in front of it.
 */
import { applyPatch, deepClone } from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import { deliverObject, review } from "../index";
import type { ReviewOptions, ReviewResult } from "../types";
import { expandDomain } from "./domain";
import { expandInteropConfig, type MemberIdentity } from "./interopconfig";
import { expandKusciaDeployment } from "./kusciadeployment";
import type { AppImageResource, Expansion, KusciaResource } from "./types";

export * from "./types";
export * from "./status";
export { LABEL, ANNOTATION, ENV, CROSS_DOMAIN, portNumberEnv } from "./labels";
export { expandDomain, isPartner, DOMAIN_ROLE_RULES, DOMAIN_CONFIG_NAME, RESOURCE_QUOTA_NAME, DOMAIN_CLUSTER_ROLE } from "./domain";
export { expandKusciaDeployment, deploymentName, serviceName, configTemplateConfigMapName, selectDeployTemplate, type KusciaDeploymentContext } from "./kusciadeployment";
export { expandInteropConfig, interopRoleName, routeInteropConfigName, INTEROP_MEMBER_RULES, INTEROP_ANNOTATION, type InteropConfigContext, type MemberIdentity } from "./interopconfig";
export { expandClusterDomainRoute, ROUTE_LABEL, ROUTE_UID_PLACEHOLDER, type ClusterDomainRouteExpansion, type DomainRouteObject } from "./clusterdomainroute";
export { renderConfigTemplate, unresolvedPlaceholders, goQuoteInner } from "./configtemplate";

export interface Admitted<T> {
  result: ReviewResult;
  /** The object with the rule book's defaults applied (a copy; the input is not changed). */
  object: T;
}

/** Reviews `obj` and returns it as the API server would store it behind the webhook: delivered (nulls pruned, CRD defaults) and the rule book's defaults applied. */
export function admit<T>(obj: T, opts?: ReviewOptions): Admitted<T> {
  const result = review(obj, opts);
  const delivered = deliverObject(obj);
  if (result.patch.length === 0) return { result, object: delivered };
  const copy = (delivered === obj ? deepClone(obj) : delivered) as T;
  applyPatch(copy, result.patch as Operation[], false, true);
  // Behind the mutating webhook, the API server's validation sees the defaulted object: a
  // refusal the defaults repair (a party template's workingDir, kd.template.working-dir) is
  // no refusal there, so the components judge the object they emit.
  if (result.allowed) return { result, object: copy };
  return { result: { ...review(copy, opts), patch: result.patch }, object: copy };
}

export interface ExpandContext {
  /** AppImages KusciaDeployments may refer to. */
  appImages?: Iterable<AppImageResource>;
  /** Domain IDs that are partners in this cluster (their KusciaDeployment parties are deployed elsewhere). */
  partnerDomains?: Iterable<string>;
  /** Fill config template placeholders (default true). */
  renderConfigTemplates?: boolean;
  /** InteropConfig members' identity on the host. */
  memberIdentity?: MemberIdentity;
}

/**
 * Native objects for one Kuscia custom resource. AppImages expand to nothing
 * (KusciaDeployments consume them) and ClusterDomainRoutes to nothing (they
 * have no native form and stay custom resources).
 */
export function expand(obj: KusciaResource, ctx: ExpandContext = {}): Expansion {
  switch (obj.kind) {
    case "Domain":
      return expandDomain(obj);
    case "KusciaDeployment":
      return expandKusciaDeployment(obj, { appImages: ctx.appImages ?? [], partnerDomains: ctx.partnerDomains, renderConfigTemplates: ctx.renderConfigTemplates });
    case "InteropConfig":
      return expandInteropConfig(obj, { memberIdentity: ctx.memberIdentity });
    case "AppImage":
    case "ClusterDomainRoute":
      return { objects: [], warnings: [], errors: [] };
  }
}

const EXPANDED_KINDS = new Set(["Domain", "KusciaDeployment", "InteropConfig", "AppImage", "ClusterDomainRoute"]);

/** True for the Kuscia kinds `expand` accepts (whether or not the object is valid). */
export function isKusciaResource(obj: unknown): obj is KusciaResource {
  const o = obj as { apiVersion?: unknown; kind?: unknown } | null;
  return !!o && typeof o === "object" && o.apiVersion === "kuscia.secretflow/v1alpha1" && typeof o.kind === "string" && EXPANDED_KINDS.has(o.kind);
}
