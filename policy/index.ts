/**
 * The rule book's entry point. One call per object, from every front end:
 * the webhook (per AdmissionReview), the components (per resource), the review
 * CLI and the policy pack. Pure: no I/O, no logging, never throws on user input.
 */
import { kindKey, ruleDefinitions as kindRuleDefinitions, runKind, type KindPolicy } from "./engine";
import { appImage } from "./kinds/appimage";
import { domain } from "./kinds/domain";
import { iflearnerJob } from "./kinds/iflearnerjob";
import { interopConfig } from "./kinds/interopconfig";
import { kusciaDeployment } from "./kinds/kusciadeployment";
import { nodeConfig } from "./kinds/nodeconfig";
import { clusterDomainRoute, domainRoute } from "./kinds/route";
import { kusciaJob } from "./kinds/kusciajob";
import { kusciaTask } from "./kinds/kusciatask";
import { domainAppImage } from "./kinds/domainappimage";
import { domainData, domainDataGrant, domainDataSource } from "./kinds/domaindata";
import { OWNED_KINDS } from "./kinds/owned";
import { isObj } from "./checks/values";
import type { ReviewOptions, ReviewResult, RuleDefinition, RuleInfo } from "./types";
import { NO_CEL } from "./vap/reasons";
import { deliver } from "./deliver";
import { redactSecrets } from "./redact";
import { applyConfiguration } from "./config/apply";
import { checkPolicyConfigurationText, compilePolicyConfiguration, parsePolicyConfiguration, type CompileResult, type SourceResult } from "./config/compile";
import type { PolicyConfig } from "./config/types";
import { referenceRuleDefinitions } from "./references";
import { PEERING_RULES } from "./peering";
import { CLUSTER_SCOPED_KINDS } from "./kinds/scope";

export * from "./types";
export * from "./config/types";
export { DEFAULT_PARAMETERS, type PolicyParameters } from "./config/parameters";
export { KUSCIA_RELEASES, DEFAULT_KUSCIA_VERSION, parseKusciaVersion, type KusciaVersion } from "./config/version";
export { EMBEDDED, embeddedIn, admissionFeatures, kusciaAdmissionFeatures, describeEmbedded, type AdmissionFeatures, type EmbeddedComponents, type KineFacts, type Served } from "./upstream/embedded";
export { NODECONFIG_DIFFERENCES, type NodeConfigDifference } from "./upstream/nodeconfig-differences";
export { POLICY_CONFIGURATION_SCHEMA } from "./config/schema";
export type { CompileResult, SourceResult } from "./config/compile";
export { deliver } from "./deliver";
export { CONFIG_LABEL, CONFIG_KEY } from "./kinds/nodeconfig";
export { CLUSTER_SCOPED_KINDS } from "./kinds/scope";
export { KD_NAMESPACE } from "./kinds/kusciadeployment";
export { RESERVED_DOMAIN_IDS } from "./checks/names";
export { PEERING_RULES, checkPeering, type PeeringResult, type PeeringOptions } from "./peering";
export { REFERENCES, PREFLIGHT, ReferenceIndex, checkReferences, factsOf, referenceRuleIds, referencePaths, referencedKinds, referringKinds, refOf, refKey, type Facts, type ObjectRef, type ReferenceResult, type ReferenceOptions, type TargetLookup, type Targets } from "./references";

export const POLICIES: readonly KindPolicy[] = [
  domain,
  interopConfig,
  kusciaDeployment,
  appImage,
  clusterDomainRoute,
  domainRoute,
  nodeConfig,
  iflearnerJob,
  kusciaJob,
  kusciaTask,
  domainAppImage,
  domainDataSource,
  domainData,
  domainDataGrant,
  ...OWNED_KINDS,
];

const byKey = new Map<string, KindPolicy[]>();
for (const p of POLICIES) byKey.set(kindKey(p), [...(byKey.get(kindKey(p)) ?? []), p]);

/** The policy that governs `obj`, if any. */
export function policyFor(obj: unknown): KindPolicy | undefined {
  if (!isObj(obj) || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") return undefined;
  return byKey.get(`${obj.apiVersion}/${obj.kind}`)?.find((p) => !p.matches || p.matches(obj));
}

/**
 * The policy that governs an UPDATE from `oldObject` to `obj`: the new object's, else the old
 * one's when both are of the same kind. A kind known only by a marker (the node ConfigMap's
 * label) is decided by either object, as the API server's objectSelector is ("matches if either
 * the old or the new object matches"): removing the label, or setting it to "True", while
 * breaking kuscia.yaml is still reviewed as a node configuration.
 */
export function policyForUpdate(obj: unknown, oldObject: unknown): KindPolicy | undefined {
  const p = policyFor(obj);
  if (p || !isObj(obj) || !isObj(oldObject) || obj.apiVersion !== oldObject.apiVersion || obj.kind !== oldObject.kind) return p;
  return policyFor(oldObject);
}


/** `obj` without metadata.namespace when its kind is cluster-scoped (a copy only when there is one to drop). */
function withScope<T extends Record<string, unknown>>(p: KindPolicy, obj: T): T {
  if (!CLUSTER_SCOPED_KINDS.has(kindKey(p)) || !isObj(obj.metadata) || !("namespace" in obj.metadata)) return obj;
  const { namespace: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Findings listed per object at most (the verdict still counts every one): 130k schema errors must not become a 130k-line answer. */
export const MAX_FINDINGS = 100;

let defaultConfig: PolicyConfig | undefined;

/** Every rule at its severity's action, the newest Kuscia release, default parameters. */
export function defaultPolicyConfiguration(): PolicyConfig {
  if (!defaultConfig) {
    const r = compilePolicyConfiguration({}, "default", []);
    if ("errors" in r) throw new Error(r.errors.join("; "));
    defaultConfig = r.config;
  }
  return defaultConfig;
}

/** Parses a policy configuration file's text (YAML or JSON); `origin` names it in errors. See config/types.ts. */
export function loadPolicyConfiguration(text: string, origin: string, now?: Date): CompileResult {
  return parsePolicyConfiguration(text, origin, ruleIds(), now, knownKinds(), ruleKinds());
}

/**
 * Checks a policy configuration file's text as loadPolicyConfiguration does, and hands back the
 * validated document as a PolicySource (JSON text and digest) instead of a compiled
 * configuration: for a thread that only checks and passes it on (the webhook's loader).
 */
export function checkPolicyConfigurationSource(text: string, origin: string, now?: Date): SourceResult {
  return checkPolicyConfigurationText(text, origin, ruleIds(), now, knownKinds(), ruleKinds());
}

/** Validates a policy configuration given as an object (Pulumi config, code). */
export function policyConfigurationOf(doc: unknown, origin: string, now?: Date): CompileResult {
  return compilePolicyConfiguration(doc, origin, ruleIds(), now, knownKinds(), ruleKinds());
}

let kindOfRule: Map<string, string> | undefined;
/** Each rule id -> the kind it reviews (`apiVersion/Kind`, `*` for any), for exception checks. */
function ruleKinds(): Map<string, string> {
  return (kindOfRule ??= new Map(rules().map((r) => [r.id, r.kind])));
}

let ids: string[] | undefined;
function ruleIds(): string[] {
  return (ids ??= rules().map((r) => r.id));
}

/** `obj` as the API server would deliver it to admission (see deliver.ts); unknown kinds unchanged. */
export function deliverObject<T>(obj: T): T {
  const p = policyFor(obj);
  return p && isObj(obj) ? (withScope(p, deliver(obj, p.schema)) as T) : obj;
}

/**
 * Reviews one Kubernetes object as the API server would deliver it (nulls pruned,
 * CRD defaults applied: policy/deliver.ts), under `opts.config` (default: every
 * rule at its severity's action). Unknown kinds come back `known: false, allowed: true`.
 * Never throws on user input.
 */
export function review(obj: unknown, opts: ReviewOptions = {}): ReviewResult {
  const operation = opts.operation ?? "CREATE";
  const p = operation === "UPDATE" ? policyForUpdate(obj, opts.oldObject) : policyFor(obj);
  if (!p || !isObj(obj)) return { allowed: true, known: false, violations: [], warnings: [], audits: [], patch: [] };
  const key = kindKey(p);
  if (operation === "DELETE" || operation === "CONNECT") return { allowed: true, known: true, kind: key, violations: [], warnings: [], audits: [], patch: [] };
  const config = opts.config ?? defaultPolicyConfiguration();
  const now = opts.now ?? new Date();
  const run = { ...opts, now, kusciaVersion: opts.config ? config.kusciaVersion : (opts.kusciaVersion ?? config.kusciaVersion), params: opts.config ? config.params : (opts.params ?? config.params) };
  // As the API server delivers it: CRD defaults and nulls (deliver.ts), no namespace on a cluster-scoped kind.
  const subject = withScope(p, deliver(obj, p.schema));
  const oldSubject = operation === "UPDATE" && isObj(opts.oldObject) ? withScope(p, deliver(opts.oldObject, p.schema)) : undefined;
  const raw = runKind(p, subject, { ...run, oldObject: oldSubject });
  const meta = isObj(subject.metadata) ? subject.metadata : {};
  const target = {
    apiVersion: p.apiVersion,
    kind: p.kind,
    name: typeof meta.name === "string" ? meta.name : undefined,
    namespace: CLUSTER_SCOPED_KINDS.has(key) ? "" : typeof meta.namespace === "string" ? meta.namespace : (opts.namespace ?? ""),
  };
  // Existing-violation relief only where the stored object was itself under this policy: a
  // ConfigMap stored without the node-configuration label was never a node configuration, so
  // nothing broken in it is an existing violation (unlabel, break, relabel: a new user's sidestep).
  const oldUnderPolicy = oldSubject !== undefined && policyFor(opts.oldObject) === p;
  const old = oldSubject && oldUnderPolicy ? { findings: () => runKind(p, oldSubject, { ...run, operation: "CREATE", oldObject: undefined }, false), object: subject, oldObject: oldSubject, notExisting: new Set(raw.incomplete) } : undefined;
  const sorted = applyConfiguration(raw, config, target, now, old);
  // One redaction for every message, here, so every front end shows the same text and none a secret.
  for (const list of [sorted.violations, sorted.warnings, sorted.audits]) for (const f of list.slice(0, MAX_FINDINGS)) f.message = redactSecrets(f.message);
  const result: ReviewResult = {
    allowed: sorted.violations.length === 0,
    known: true,
    kind: key,
    violations: sorted.violations.slice(0, MAX_FINDINGS),
    warnings: sorted.warnings.slice(0, MAX_FINDINGS),
    audits: sorted.audits.slice(0, MAX_FINDINGS),
    patch: raw.patch,
  };
  const omitted = {
    violations: sorted.violations.length - result.violations.length,
    warnings: sorted.warnings.length - result.warnings.length,
    audits: sorted.audits.length - result.audits.length,
  };
  if (omitted.violations + omitted.warnings + omitted.audits > 0) result.omitted = omitted;
  return result;
}

let definitions: RuleDefinition[] | undefined;

/**
 * Every rule the rule book can report, whole: its meta (id, kind, severity, summary,
 * upstream source) and its ValidatingAdmissionPolicy form or the reason it has none, in
 * the order `rules()` lists them. For generators (vap, rule pages); front ends use `rules()`.
 */
export function ruleDefinitions(): readonly RuleDefinition[] {
  return (definitions ??= POLICIES.flatMap(kindRuleDefinitions).concat([
    { id: "internal.rule-error", kind: "*", severity: "error", summary: "a rule could not evaluate the object (a bug: please report it)", source: "kuscia-iac: fail closed when a rule throws", vap: { unexpressible: NO_CEL.ruleError } },
  ]).concat(referenceRuleDefinitions(), PEERING_RULES));
}

/** Every rule id the rule book can report, with its severity and summary. */
export function rules(config?: PolicyConfig): RuleInfo[] {
  const all = ruleDefinitions().map(({ vap: _vap, params: _params, releases: _releases, ...info }): RuleInfo => info);
  return config ? all.map((r) => ({ ...r, action: config.actionOf(r.id, r.severity) })) : all;
}

/** apiVersion/kind pairs the rule book reviews (ConfigMaps only with the config label). */
export function knownKinds(): { apiVersion: string; kind: string; id: string }[] {
  return POLICIES.map((p) => ({ apiVersion: p.apiVersion, kind: p.kind, id: p.id }));
}
