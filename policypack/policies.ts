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
import { Secret, type EnforcementLevel, type PolicyResource, type ReportViolation, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { checkPeering, checkReferences, defaultPolicyConfiguration, refKey, refOf, review, rules, type AuditRecord, type PolicyConfig, type ReviewOptions, type ReviewResult, type RuleInfo } from "../policy";
import { referenceRuleIds } from "../policy/references";
import { PEERING_RULES } from "../policy/peering";
import { parseDotted } from "../policy/paths";
import { enforcementLevelOf } from "./config";
import { kindOfType, rebuildObject, touchesUnknown, unwrapProxy, type RebuiltObject } from "./objects";
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

/** The rule book's review, or a stand-in with its shape (tests count the calls). */
export type Reviewer = (obj: unknown, opts: ReviewOptions) => ReviewResult;

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
  return rebuilt && reviewRebuilt(rebuilt, review, config, now);
}

function reviewRebuilt(rebuilt: RebuiltObject, reviewer: Reviewer, config?: PolicyConfig, now?: () => Date): ReviewResult | undefined {
  const result = reviewer(rebuilt.object, { ...(config ? { config } : {}), ...(now ? { now: now() } : {}) });
  if (!result.known) return undefined;
  if (rebuilt.unknownPaths.length === 0) return result;
  const known = (f: Finding) => !touchesUnknown(parseDotted(f.path), rebuilt.unknownPaths);
  const violations = result.violations.filter(known);
  return { ...result, allowed: violations.length === 0, violations, warnings: result.warnings.filter(known), audits: result.audits.filter(known) };
}

/** One resource as the rule book sees it: the object rebuilt from its props, and its review (undefined: a kind the rule book does not know). */
interface Reviewed {
  rebuilt: RebuiltObject;
  result: ReviewResult | undefined;
}

/**
 * Resources whose review is kept. The engine analyses one resource at a time, each through
 * every policy in turn, but the analyzer server awaits each policy, so calls for a few
 * resources may interleave: a handful of entries is enough, and memory stays bounded on
 * a stack of any size.
 */
export const REVIEW_MEMO_SIZE = 64;

/**
 * The props' JSON with secrets as their values: a remediation sees `Secret` instances where a
 * validation sees plain values, and the rule book reviews the same object in both.
 */
function propsKey(props: unknown): string {
  return JSON.stringify(props, (_k, v: unknown) => (v instanceof Secret ? v.value : v));
}

/**
 * One review per resource and inputs for every policy of the pack (the ~125 rule policies,
 * the remediation and its advisory form): the analyzer server calls each policy with the same
 * resource in turn, each time with props freshly deserialized (a new object, so identity says
 * nothing), so the memo is keyed by the resource's URN and type and holds its props' JSON to
 * tell a changed input (the remediation's output, an `up` after its preview) from the same one.
 * Least recently used entries go past REVIEW_MEMO_SIZE.
 */
function memoisedReview(config: PolicyConfig, reviewer: Reviewer, now?: () => Date): (args: Pick<ResourceValidationArgs, "type" | "props" | "urn">) => Reviewed | undefined {
  const memo = new Map<string, { raw: Obj; props: string; value: Reviewed | undefined }>();
  return (args) => {
    if (args.type.startsWith(`${PACK_NAME}:`)) return undefined;
    const id = `${args.urn}\u0000${args.type}`;
    const raw = unwrapProxy(args.props as Obj);
    let entry = memo.get(id);
    // The same props object (the analyzer's conversion shared across policies, sdk.ts) needs no JSON.
    if (entry?.raw !== raw) {
      const props = propsKey(raw);
      if (entry?.props !== props) {
        const rebuilt = rebuildObject(args.type, args.props);
        entry = { raw, props, value: rebuilt && { rebuilt, result: reviewRebuilt(rebuilt, reviewer, config, now) } };
      } else entry = { ...entry, raw };
    }
    memo.delete(id);
    memo.set(id, entry);
    if (memo.size > REVIEW_MEMO_SIZE) memo.delete(memo.keys().next().value!);
    return entry.value;
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

type StackFindings = { urn: string; violations: Finding[]; warnings: Finding[]; audits: AuditRecord[] };

/**
 * One computation of the checks across resources per stack analysis, shared by the stack
 * policies: the analyzer server hands each of them the stack's resources freshly
 * deserialized, so the cache is keyed by their URNs, types and props' JSON, compared before
 * anything is rebuilt.
 */
function cachedStackChecks(config: PolicyConfig, now?: () => Date) {
  let last: { raws: Obj[]; key: string; byRule: Map<string, StackFindings[]> } | undefined;
  return (resources: readonly PolicyResource[]) => {
    const ours = resources.filter((r) => !r.type.startsWith(`${PACK_NAME}:`));
    const raws = ours.map((r) => unwrapProxy(r.props as Obj));
    // The same props objects (the analyzer's conversion shared across policies, sdk.ts) need no JSON.
    if (last && last.raws.length === raws.length && raws.every((r, i) => r === last!.raws[i])) return last.byRule;
    const key = propsKey(ours.map((r, i) => [r.urn, r.type, raws[i]]));
    if (last?.key === key) {
      last.raws = raws;
      return last.byRule;
    }
    const { urns, objects } = stackObjects(resources);
    const byRule = new Map<string, StackFindings[]>();
    const add = (urn: string, r: Omit<StackFindings, "urn">) => {
      for (const rule of new Set([...r.violations, ...r.warnings, ...r.audits].map((f) => f.rule))) {
        const list = byRule.get(rule) ?? [];
        list.push({ urn, ...r });
        byRule.set(rule, list);
      }
    };
    // References name objects, not URNs: a finding goes to every resource that is that object
    // (the same name in two clusters of one stack is two resources).
    const urnsOf = new Map<string, string[]>();
    objects.forEach((o, i) => {
      const ref = refOf(o);
      if (!ref) return;
      const list = urnsOf.get(refKey(ref)) ?? [];
      list.push(urns[i]);
      urnsOf.set(refKey(ref), list);
    });
    for (const r of checkReferences(objects, { config: reviewing(config), ...(now ? { now: now() } : {}) })) for (const urn of urnsOf.get(refKey(r.object)) ?? []) add(urn, r);
    for (const r of checkPeering(objects, { config: reviewing(config), ...(now ? { now: now() } : {}) })) add(urns[r.index], r);
    last = { raws, key, byRule };
    return byRule;
  };
}

/**
 * The pack's policies under `config` (default: every rule at its severity's action):
 * - one resource policy per rule of a kind (named by the rule id);
 * - `kuscia-defaults`, the remediation applying the rule book's defaults (level `remediate`);
 * - one stack policy per rule across resources (`ref.*`, `peer.*`), named by the rule id.
 * `options.now`: the clock of exception expiry and certificate validity (default the real one;
 * `kuscia-iac test --frontend pack` pins it). `options.review`: the rule book's review (default
 * policy/ `review`; tests wrap it to count calls). Every resource policy of the result shares one
 * review per resource and inputs (memoisedReview), the stack policies one check across resources.
 */
export function buildPolicies(config: PolicyConfig = defaultPolicyConfiguration(), options: { now?: () => Date; review?: Reviewer } = {}): (ResourceValidationPolicy | StackValidationPolicy)[] {
  const { now } = options;
  const reviewOf = memoisedReview(reviewing(config), options.review ?? review, now);
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
        const r = reviewOf(args)?.result;
        if (r) reportRule(info.id, describe(info), r, reportViolation);
      },
    }));

  /** The defaults a resource lacks, or undefined: none, or values not known yet (preview; `pulumi up` remediates). */
  const missingDefaults = (args: Pick<ResourceValidationArgs, "type" | "props" | "urn">) => {
    const m = reviewOf(args);
    if (!m?.result || m.rebuilt.unknownPaths.length > 0 || m.result.patch.length === 0) return undefined;
    // The patch does not depend on the rules' actions: the memoised review (off read as audit) serves.
    const out = applyDefaults(unwrapProxy(args.props as Obj), m.result.patch);
    return out.applied.length > 0 ? out : undefined;
  };

  const defaults: ResourceValidationPolicy = {
    name: DEFAULTS_POLICY,
    description: "Kuscia custom resources carry the defaults upstream fills in (what the kuscia-iac mutating webhook adds: a Domain's interConnProtocols, an AppImage's replicas and port protocol and scope, a KusciaDeployment party template's strategy)",
    enforcementLevel: "remediate",
    // With values not known yet (preview) the props cannot be handed back intact: `pulumi up` remediates.
    remediateResource: (args) => missingDefaults(args)?.props,
    // At advisory (or mandatory) level, instead of changing the resource, say what is missing: the
    // defaults the remediation would add. At `remediate` the engine runs this after the remediation,
    // which leaves nothing to say; with values not known yet it waits for `pulumi up`, as the remediation does.
    validateResource: (args, reportViolation) => {
      const missing = missingDefaults(args);
      if (missing) reportViolation(`[defaults] missing upstream defaults: ${missing.applied.map((p) => `${p.path.slice(1).replace(/\//g, ".")} = ${JSON.stringify(p.value)}`).join(", ")}`);
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
