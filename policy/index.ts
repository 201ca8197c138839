/**
 * The rule book's entry point. One call per object, from every front end:
 * the webhook (per AdmissionReview), the components (per resource), the review
 * CLI and the policy pack. Pure: no I/O, no logging, never throws on user input.
 */
import { kindKey, ruleInfos, runKind, type KindPolicy } from "./engine";
import { appImage } from "./kinds/appimage";
import { domain } from "./kinds/domain";
import { iflearnerJob } from "./kinds/iflearnerjob";
import { interopConfig } from "./kinds/interopconfig";
import { kusciaDeployment } from "./kinds/kusciadeployment";
import { nodeConfig } from "./kinds/nodeconfig";
import { clusterDomainRoute, domainRoute } from "./kinds/route";
import { isObj } from "./checks/values";
import type { ReviewOptions, ReviewResult, RuleInfo } from "./types";

export * from "./types";
export { CONFIG_LABEL, CONFIG_KEY } from "./kinds/nodeconfig";
export { KD_NAMESPACE } from "./kinds/kusciadeployment";
export { RESERVED_DOMAIN_IDS } from "./checks/names";

export const POLICIES: readonly KindPolicy[] = [domain, interopConfig, kusciaDeployment, appImage, clusterDomainRoute, domainRoute, nodeConfig, iflearnerJob];

const byKey = new Map<string, KindPolicy[]>();
for (const p of POLICIES) byKey.set(kindKey(p), [...(byKey.get(kindKey(p)) ?? []), p]);

/** The policy that governs `obj`, if any. */
export function policyFor(obj: unknown): KindPolicy | undefined {
  if (!isObj(obj) || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") return undefined;
  return byKey.get(`${obj.apiVersion}/${obj.kind}`)?.find((p) => !p.matches || p.matches(obj));
}

/** Reviews one Kubernetes object. Unknown kinds come back `known: false, allowed: true`. */
export function review(obj: unknown, opts: ReviewOptions = {}): ReviewResult {
  const p = policyFor(obj);
  if (!p || !isObj(obj)) return { allowed: true, known: false, violations: [], warnings: [], patch: [] };
  return runKind(p, obj, opts);
}

/** Every rule id the rule book can report, with its severity and summary. */
export function rules(): RuleInfo[] {
  return POLICIES.flatMap(ruleInfos).concat([
    { id: "internal.rule-error", kind: "*", severity: "error", summary: "a rule could not evaluate the object (a bug: please report it)" },
  ]);
}

/** apiVersion/kind pairs the rule book reviews (ConfigMaps only with the config label). */
export function knownKinds(): { apiVersion: string; kind: string; id: string }[] {
  return POLICIES.map((p) => ({ apiVersion: p.apiVersion, kind: p.kind, id: p.id }));
}
