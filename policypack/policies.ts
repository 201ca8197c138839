/**
 * The policies of the `kuscia-iac` CrossGuard pack, built from the rule book: one Pulumi
 * policy per rule id, a remediation that applies the rule book's defaults, and stack
 * policies for the checks across resources. Importing this module starts nothing, so tests
 * and other packs can build and reuse the policies; `index.ts` is the entry the CLI runs.
 *
 * Enforcement levels come from the policy configuration (config.ts): deny → mandatory,
 * warn → advisory, audit → advisory, off → disabled; Pulumi's policy config
 * (`--policy-pack-config`, `{"<rule-id>": "advisory"}` or `{"<rule-id>": {"enforcementLevel": ...}}`)
 * overrides each one, as for any pack.
 */
import type { EnforcementLevel, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { checkPeering, checkReferences, defaultPolicyConfiguration, refKey, refOf, review, rules, type AuditRecord, type PolicyConfig, type ReviewResult, type RuleInfo } from "../policy";
import { referenceRuleIds } from "../policy/references";
import { PEERING_RULES } from "../policy/peering";
import { parseDotted } from "../policy/paths";
import { enforcementLevelOf } from "./config";
import { kindOfType, rebuildObject, touchesUnknown, unwrapProxy } from "./objects";
import { applyDefaults } from "./remediate";

export const PACK_NAME = "kuscia-iac";

/** The remediation policy's name. */
export const DEFAULTS_POLICY = "kuscia-defaults";

type Finding = ReviewResult["violations"][number];
type Obj = Record<string, unknown>;

/**
 * The configuration the pack reviews with: `config` with `off` read as `audit`, so a rule's
 * findings still reach its policy, which then reports them only if Pulumi's policy config
 * turns the (disabled) policy back on. Everything else (parameters, release, exceptions) as given.
 */
function reviewing(config: PolicyConfig): PolicyConfig {
  return Object.freeze({
    ...config,
    actionOf: (rule: string, severity: "error" | "warning") => {
      const a = config.actionOf(rule, severity);
      return a === "off" ? "audit" : a;
    },
    allowsExisting: (rule: string) => config.allowsExisting(rule),
    exceptionFor: (target: Parameters<PolicyConfig["exceptionFor"]>[0], rule: string, now: Date) => config.exceptionFor(target, rule, now),
    exemption: (r: Parameters<PolicyConfig["exemption"]>[0]) => config.exemption(r),
  });
}

/**
 * Reviews the resource with the rule book, or returns undefined when the rule book has
 * nothing to say about it (not a Kubernetes object, a kind it does not know, our own
 * component). Findings about values not known yet (preview) are held back: `pulumi up`
 * checks them with real values.
 */
export function reviewResource(args: Pick<ResourceValidationArgs, "type" | "props">, config?: PolicyConfig, now?: () => Date): ReviewResult | undefined {
  // Our components' children are Kubernetes resources reviewed on their own; the
  // component itself has no Kubernetes shape.
  if (args.type.startsWith(`${PACK_NAME}:`)) return undefined;
  const rebuilt = rebuildObject(args.type, args.props);
  if (!rebuilt) return undefined;
  const result = review(rebuilt.object, { ...(config ? { config } : {}), ...(now ? { now: now() } : {}) });
  if (!result.known) return undefined;
  if (rebuilt.unknownPaths.length === 0) return result;
  const known = (f: Finding) => !touchesUnknown(parseDotted(f.path), rebuilt.unknownPaths);
  const violations = result.violations.filter(known);
  return { ...result, allowed: violations.length === 0, violations, warnings: result.warnings.filter(known), audits: result.audits.filter(known) };
}

/**
 * One review per resource for all the rule policies: the engine calls every policy with the
 * same resource in turn, each time with freshly deserialized props, so the cache key is the
 * resource and its props' JSON.
 */
function cachedReview(config: PolicyConfig, now?: () => Date): (args: Pick<ResourceValidationArgs, "type" | "props" | "urn">) => ReviewResult | undefined {
  let last: { key: string; result: ReviewResult | undefined } | undefined;
  return (args) => {
    const key = `${args.type}\u0000${args.urn}\u0000${JSON.stringify(unwrapProxy(args.props as Obj))}`;
    if (last?.key !== key) last = { key, result: reviewResource(args, config, now) };
    return last.result;
  };
}

/** Reports `rule`'s findings: at the policy's level, except those an exception covers (advisory, named). */
function reportRule(rule: string, description: string, r: { violations: Finding[]; warnings: Finding[]; audits: AuditRecord[] }, reportViolation: ReportViolation, urn?: string): void {
  for (const f of [...r.violations, ...r.warnings]) if (f.rule === rule) reportViolation(`[${f.rule}] ${f.message}`, urn);
  for (const a of r.audits) {
    if (a.rule !== rule) continue;
    if (a.reason === "audit") reportViolation(`[${a.rule}] audit: ${a.message}`, urn);
    // An exception waives the finding for this object whatever the rule's level: recorded, never blocking.
    else reportViolation({ message: `${description}\n[${a.rule}] ${a.reason}: ${a.message}`, enforcementLevel: "advisory", urn } as never);
  }
}

/** What the policy for `info` says about itself. */
function describe(info: RuleInfo): string {
  return `${info.summary} [${info.id}]`;
}

function kindMatches(info: RuleInfo, args: Pick<ResourceValidationArgs, "type" | "props">): boolean {
  if (info.kind === "*") return true;
  const k = kindOfType(args.type, unwrapProxy(args.props as Obj));
  return k !== undefined && `${k.apiVersion}/${k.kind}` === info.kind;
}

/** The Kubernetes objects of a stack, with the URN of each, for the checks across resources. */
function stackObjects(resources: readonly PolicyResource[]): { urns: string[]; objects: Obj[] } {
  const urns: string[] = [];
  const objects: Obj[] = [];
  for (const r of resources) {
    if (r.type.startsWith(`${PACK_NAME}:`)) continue;
    const rebuilt = rebuildObject(r.type, r.props);
    if (!rebuilt) continue;
    urns.push(r.urn);
    objects.push(rebuilt.object);
  }
  return { urns, objects };
}

/** One computation of the checks across resources per stack analysis, shared by the stack policies. */
function cachedStackChecks(config: PolicyConfig, now?: () => Date) {
  let last: { key: string; byRule: Map<string, { urn: string; violations: Finding[]; warnings: Finding[]; audits: AuditRecord[] }[]> } | undefined;
  return (resources: readonly PolicyResource[]) => {
    const { urns, objects } = stackObjects(resources);
    const key = JSON.stringify([urns, objects]);
    if (last?.key === key) return last.byRule;
    const byRule = new Map<string, { urn: string; violations: Finding[]; warnings: Finding[]; audits: AuditRecord[] }[]>();
    const add = (urn: string, r: { violations: Finding[]; warnings: Finding[]; audits: AuditRecord[] }) => {
      for (const rule of new Set([...r.violations, ...r.warnings, ...r.audits].map((f) => f.rule))) byRule.set(rule, [...(byRule.get(rule) ?? []), { urn, ...r }]);
    };
    // References name objects, not URNs: a finding goes to every resource that is that object
    // (the same name in two clusters of one stack is two resources).
    const urnsOf = new Map<string, string[]>();
    objects.forEach((o, i) => {
      const ref = refOf(o);
      if (ref) urnsOf.set(refKey(ref), [...(urnsOf.get(refKey(ref)) ?? []), urns[i]]);
    });
    for (const r of checkReferences(objects, { config: reviewing(config), ...(now ? { now: now() } : {}) })) for (const urn of urnsOf.get(refKey(r.object)) ?? []) add(urn, r);
    for (const r of checkPeering(objects, { config: reviewing(config), ...(now ? { now: now() } : {}) })) add(urns[r.index], r);
    last = { key, byRule };
    return byRule;
  };
}

/**
 * The pack's policies under `config` (default: every rule at its severity's action):
 * - one resource policy per rule of a kind (named by the rule id);
 * - `kuscia-defaults`, the remediation applying the rule book's defaults (level `remediate`);
 * - one stack policy per rule across resources (`ref.*`, `peer.*`), named by the rule id.
 * `options.now`: the clock of exception expiry and certificate validity (default the real one;
 * `kuscia-iac test --frontend pack` pins it).
 */
export function buildPolicies(config: PolicyConfig = defaultPolicyConfiguration(), options: { now?: () => Date } = {}): (ResourceValidationPolicy | StackValidationPolicy)[] {
  const { now } = options;
  const reviewOf = cachedReview(reviewing(config), now);
  const stackChecks = cachedStackChecks(config, now);
  const across = new Set([...referenceRuleIds(), ...PEERING_RULES.map((r) => r.id)]);
  const level = (info: RuleInfo): EnforcementLevel => enforcementLevelOf(config.actionOf(info.id, info.severity));

  const perRule: ResourceValidationPolicy[] = rules()
    .filter((info) => !across.has(info.id))
    .map((info) => ({
      name: info.id,
      description: describe(info),
      enforcementLevel: level(info),
      validateResource: (args, reportViolation) => {
        if (!kindMatches(info, args)) return;
        const r = reviewOf(args);
        if (r) reportRule(info.id, describe(info), r, reportViolation);
      },
    }));

  const defaults: ResourceValidationPolicy = {
    name: DEFAULTS_POLICY,
    description: "Kuscia custom resources carry the defaults upstream fills in (what the kuscia-iac mutating webhook adds: a Domain's interConnProtocols, an AppImage's replicas and port protocol and scope, a KusciaDeployment party template's strategy)",
    enforcementLevel: "remediate",
    remediateResource: (args) => {
      if (args.type.startsWith(`${PACK_NAME}:`)) return undefined;
      const rebuilt = rebuildObject(args.type, args.props);
      // With values not known yet (preview) the props cannot be handed back intact: `pulumi up` remediates.
      if (!rebuilt || rebuilt.unknownPaths.length > 0) return undefined;
      const r = review(rebuilt.object, { config, ...(now ? { now: now() } : {}) });
      if (!r.known || r.patch.length === 0) return undefined;
      const { props, applied } = applyDefaults(unwrapProxy(args.props as Obj), r.patch);
      return applied.length > 0 ? props : undefined;
    },
    // At advisory (or mandatory) level, instead of changing the resource, say what is missing: the
    // defaults the remediation would add. At `remediate` the engine runs this after the remediation,
    // which leaves nothing to say; with values not known yet it waits for `pulumi up`, as the remediation does.
    validateResource: (args, reportViolation) => {
      const rebuilt = rebuildObject(args.type, args.props);
      if (!rebuilt || rebuilt.unknownPaths.length > 0) return;
      const r = reviewOf(args);
      if (!r || r.patch.length === 0) return;
      const { applied } = applyDefaults(unwrapProxy(args.props as Obj), r.patch);
      if (applied.length > 0) reportViolation(`[defaults] missing upstream defaults: ${applied.map((p) => `${p.path.slice(1).replace(/\//g, ".")} = ${JSON.stringify(p.value)}`).join(", ")}`);
    },
  };

  const stack: StackValidationPolicy[] = rules()
    .filter((info) => across.has(info.id))
    .map((info) => ({
      name: info.id,
      description: describe(info),
      enforcementLevel: level(info),
      validateStack: (args, reportViolation) => {
        for (const f of stackChecks(args.resources).get(info.id) ?? []) reportRule(info.id, describe(info), f, reportViolation, f.urn);
      },
    }));

  return [...perRule, defaults, ...stack];
}
