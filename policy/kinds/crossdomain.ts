/** Rule pieces of the kinds whose controllers look objects up in namespace cross-domain only. */
import type { Rule } from "../engine";
import { checkDomainId } from "./common";
import { dnsSubdomain, partyRole, placeholder, taskName } from "../checks/names";
import { arr, at, keyOf, show } from "../checks/values";
import type { RuleContext } from "../engine";
import type { Segment } from "../paths";
import { domainIdOk, lit, show as celShow } from "../vap/cel";
import { domainIdField, hasSpec } from "../vap/forms";
import { NO_CEL } from "../vap/reasons";
import type { VapForm } from "../types";

export const CROSS_DOMAIN = "cross-domain";

/** pkg/common/constants.go: K3sRegex, what KusciaAPI's resources.ValidateK8sName checks IDs with. */
export const K3S_NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;

export function k3sName(v: string): string | null {
  return K3S_NAME.test(v) ? null : "is not a valid Kuscia ID: at most 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (KusciaAPI's K3sRegex)";
}

/**
 * The annotation Kuscia's interconnection controller puts on the copy of a KusciaDeployment or
 * KusciaJob it writes into the namespace of a partner's master domain, for that partner's node
 * to fetch into its own cross-domain (pkg/interconn/kuscia/deployment.go createMirrorDeployment,
 * job.go buildMirrorJobs; pkg/common/constants.go InterConnKusciaPartyAnnotationKey).
 */
export const INTERCONN_PARTIES_ANNOTATION = "kuscia.secretflow/interconn-kuscia-parties";

/** True for such a mirror: it lives outside cross-domain on purpose. */
export function isInteropMirror(o: unknown): boolean {
  const v = at(o, "metadata", "annotations", INTERCONN_PARTIES_ANNOTATION);
  return typeof v === "string" && v !== "";
}

/** isInteropMirror as CEL on `object`. */
export function interopMirrorCel(): string {
  const key = lit(INTERCONN_PARTIES_ANNOTATION);
  return `(has(object.metadata.annotations) && ${key} in object.metadata.annotations && object.metadata.annotations[${key}] != '')`;
}

/**
 * `<prefix>.namespace`: the object must live in cross-domain (or be an interconnection mirror,
 * see isInteropMirror); a manifest without a namespace gets `<prefix>.namespace.unset`.
 */
export function crossDomainRule(prefix: string, kind: string, source: string): Rule {
  return {
    id: `${prefix}.namespace`,
    source,
    severity: "error",
    summary: `${kind}s live in namespace ${CROSS_DOMAIN}, the only one the controller reconciles`,
    // The API server always sets the namespace, so the CEL form needs no `unset` case.
    vap: {
      cel: [
        {
          expression: `!has(object.metadata.namespace) || object.metadata.namespace == ${lit(CROSS_DOMAIN)} || ${interopMirrorCel()}`,
          message: `'metadata.namespace: is ' + ${celShow("object.metadata.namespace")} + ${lit(`; Kuscia looks ${kind}s up in ${JSON.stringify(CROSS_DOMAIN)} only, so this one would never run`)}`,
        },
      ],
    },
    emits: [{ id: `${prefix}.namespace.unset`, severity: "warning", summary: `metadata.namespace is not set in the manifest (it must end up in ${CROSS_DOMAIN})`, source: "kuscia-iac policy: the namespace then depends on the kubectl context", vap: { unexpressible: NO_CEL.namespaceUnset } }],
    check(o, ctx) {
      const ns = at(o, "metadata", "namespace");
      if (ns === undefined) ctx.warn(["metadata", "namespace"], `is not set; apply it with -n ${CROSS_DOMAIN}, the only namespace Kuscia reconciles ${kind}s in`, `${prefix}.namespace.unset`);
      else if (ns !== CROSS_DOMAIN && !isInteropMirror(o)) ctx.fail(["metadata", "namespace"], `is ${show(ns)}; Kuscia looks ${kind}s up in ${JSON.stringify(CROSS_DOMAIN)} only, so this one would never run`);
    },
  };
}

/** The CEL form of `<prefix>.initiator` (KusciaJob, KusciaTask): spec.initiator, when set, is a non-empty domain ID; `what` is "job" or "task". */
export function initiatorCel(what: string): VapForm {
  return {
    cel: [
      { expression: `!(${hasSpec("initiator")}) || object.spec.initiator != ''`, message: lit(`spec.initiator: is empty: set it to the domain ID that starts the ${what}`) },
      { ...domainIdField("initiator"), expression: `!(${hasSpec("initiator")}) || object.spec.initiator == '' || ${domainIdOk("object.spec.initiator")}` },
    ],
  };
}

/** A reference to an AppImage by name (a cluster-scoped object: a DNS-1123 subdomain). */
export function checkAppImageRef(ctx: RuleContext, path: readonly Segment[], ref: unknown): void {
  if (typeof ref !== "string") return;
  const why = placeholder(ref) ?? dnsSubdomain(ref);
  if (why) ctx.fail(path, `${show(ref)} ${why.startsWith("is not") ? "is not a valid AppImage name (DNS-1123 subdomain)" : why}`);
}

/** A KusciaTask name (checks/names.ts taskName): pods `<task>-<role>-<index>`, Services `<pod>-<port>`; the Kuscia docs ask for an RFC 1123 label. */
export function checkTaskName(ctx: RuleContext, path: readonly Segment[], v: unknown): void {
  if (typeof v !== "string") return;
  const why = taskName(v);
  if (why) ctx.fail(path, `${show(v)} ${why}`);
}

/** Party domain IDs, and (domainID, role) listed once: status and pods are keyed by that pair. */
export function checkParties(ctx: RuleContext, base: readonly Segment[], parties: unknown, what: string): string[] {
  const list = arr(parties) ?? [];
  const ids: string[] = [];
  const seen = new Map<string, number>();
  list.forEach((p, i) => {
    const d = at(p, "domainID");
    if (checkDomainId(ctx, [...base, i, "domainID"], d)) ids.push(d as string);
    const role = at(p, "role") ?? "";
    if (typeof role === "string" && partyRole(role)) ctx.fail([...base, i, "role"], `${show(role)} ${partyRole(role)}`);
    const key = `${keyOf(d)}\u0000${keyOf(role)}`;
    if (seen.has(key)) ctx.fail([...base, i], `domain ${show(d)}${role ? ` with role ${show(role)}` : ""} is already party ${seen.get(key)} of ${what}; each (domainID, role) appears once`);
    else seen.set(key, i);
  });
  return ids;
}
