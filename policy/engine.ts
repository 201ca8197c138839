/**
 * How a kind's policy is described and run. A kind contributes a structural
 * schema (from its CRD), an optional tightening schema, semantic rules,
 * immutable fields and defaults; `runKind` turns those into one ReviewResult.
 */
import { MAX_FINDINGS_PER_RULE, MAX_NODES_CHECKED, checkSchema, compileCheck, type SchemaCheck } from "./schema";
import { dotted, type Segment } from "./paths";
import type { PatchOperation, ReviewOptions, RuleDefinition, RuleMeta, VapForm, Violation, Warning } from "./types";
import { jsonEqual } from "./walk";
import { show, type Obj } from "./checks/values";
import { STATUS_SUBRESOURCE } from "./schemas/upstream/status-subresource";
import { DEFAULT_VERSION, type KusciaVersion } from "./config/version";
import { DEFAULT_PARAMETERS, type PolicyParameters } from "./config/parameters";
import { defaultsPatch, type FieldDefault } from "./defaults";
import { NO_CEL } from "./vap/reasons";

export interface RuleContext {
  /** Refuse the object: `path` is the offending field, `text` what is wrong and how to fix it. */
  fail(path: readonly Segment[], text: string, rule?: string): void;
  /** Accept it with a warning. `rule` overrides the rule id (for rules that report several ids, listed in `emits`). */
  warn(path: readonly Segment[], text: string, rule?: string): void;
  now: Date;
  /** The Kuscia release the verdict is for (policy configuration `kusciaVersion`; default the newest). */
  kusciaVersion: KusciaVersion;
  /** Thresholds chosen by the policy configuration (defaults in config/parameters.ts). */
  params: Readonly<PolicyParameters>;
}

/**
 * A rule, whole (ESLint's shape): its meta (id, severity, summary, upstream source, its
 * ValidatingAdmissionPolicy form or why it has none) and its check.
 */
export interface Rule extends RuleMeta {
  /** Further rule ids this check reports under, documented like rules of their own. */
  emits?: RuleMeta[];
  check(obj: Obj, ctx: RuleContext): void;
}

export interface ImmutableField {
  rule: string;
  /** Upstream file and function that refuse the change (see RuleInfo.source). */
  source?: string;
  path: readonly string[];
  /** Why it cannot change, and what to do instead. */
  fix: string;
  /** Maps equivalent spellings to one value (e.g. an omitted role and ""). */
  normalize?: (v: unknown) => unknown;
  /** Its ValidatingAdmissionPolicy form (policy/vap/forms.ts immutableCel), or why it has none. */
  vap: VapForm;
}

export interface KindPolicy {
  apiVersion: string;
  kind: string;
  /** Rule-id prefix, e.g. `domain`. */
  id: string;
  /** Further condition for kinds that are only ours with a marker (the node ConfigMap). */
  matches?(obj: Obj): boolean;
  schema?: Record<string, unknown>;
  /** Where the structural schema comes from, e.g. `crds/kuscia/kuscia.secretflow_domains.yaml (upstream config/crd/bases)`. */
  schemaSource?: string;
  tighten?: Record<string, unknown>;
  /** Rule ids the tightening schema reports, for the rule list (`x-rule` values). */
  schemaRules?: RuleMeta[];
  rules: Rule[];
  immutable?: ImmutableField[];
  /** Fields the mutating webhook fills (defaults.ts): the patch and the MutatingAdmissionPolicies come from these. */
  defaults?: readonly FieldDefault[];
}

interface Compiled {
  policy: KindPolicy;
  validators?: SchemaCheck[];
}

const compiled = new WeakMap<KindPolicy, Compiled>();

// Compiling the IflearnerJob pod template schema costs tens of milliseconds; do it on first use.
function compiledOf(p: KindPolicy): Compiled {
  let c = compiled.get(p);
  if (!c) {
    c = { policy: p, validators: [p.schema, p.tighten].filter((s): s is Record<string, unknown> => !!s).map(compileCheck) };
    compiled.set(p, c);
  }
  return c;
}

/**
 * `obj` without `status` where no schema judges it on a write the webhook sees: for a kind whose
 * CRD declares the status subresource, the API server replaces the status of a create or update
 * of the object itself with the stored one before it validates (k8s.io/apiextensions-apiserver
 * pkg/registry/customresource/strategy.go: PrepareForCreate, PrepareForUpdate), and the webhook
 * is not registered for `/status`. Kuscia's controllers update their objects with whatever
 * status they read (a DomainDataGrant's `phase: ""` before its first status write): judging it
 * would block them. Kinds without the subresource (the summaries, TaskResource) keep theirs.
 */
function withoutStatus(p: KindPolicy, obj: Obj): Obj {
  if (!("status" in obj) || !STATUS_SUBRESOURCE.has(kindKey(p))) return obj;
  const { status: _status, ...rest } = obj;
  return rest;
}

export function kindKey(p: KindPolicy): string {
  return `${p.apiVersion}/${p.kind}`;
}

/** Raw findings of one kind policy, before the policy configuration sorts them. */
export interface KindFindings {
  violations: Violation[];
  warnings: Warning[];
  patch: PatchOperation[];
  /**
   * Rule ids that had more findings than were kept (MAX_FINDINGS_PER_RULE each): those listed
   * are not all there are, so none of them may pass as an existing violation.
   */
  incomplete: string[];
}

/**
 * Runs a kind's schemas, rules and immutability checks over `obj` (already in its
 * delivered form, see deliver.ts). `withPatch` false skips the defaults (old objects).
 */
export function runKind(p: KindPolicy, obj: Obj, opts: ReviewOptions, withPatch = true): KindFindings {
  const operation = opts.operation ?? "CREATE";
  const violations: Violation[] = [];
  const warnings: Warning[] = [];
  const incomplete = new Set<string>();
  const forSchema = withoutStatus(p, obj);
  for (const v of compiledOf(p).validators ?? []) {
    const fallback = `${p.id}.schema`;
    const r = checkSchema(v, forSchema, fallback);
    for (const id of r.incomplete) {
      if (id !== "*") incomplete.add(id);
      else {
        // Only the first nodes were checked error by error: say so first (the answer lists
        // the first findings only), under the schema's rule, which then cannot pass as an
        // existing violation either.
        incomplete.add(fallback);
        violations.push(finding(fallback, [], `is too large to check error by error: only the findings in its first ${MAX_NODES_CHECKED} values are listed, and there may be more; fix those and apply it again`));
      }
    }
    for (const f of r.violations) violations.push(f);
  }

  // Findings kept per rule id and list: a rule that reports every item of a 3 MiB list must not
  // hold a message for each (memory grows with findings, not with the object).
  const kept = new Map<string, number>();
  const record = (list: Violation[], kind: "v" | "w", id: string, path: readonly Segment[], text: string): void => {
    const key = `${kind}${id}`;
    const n = kept.get(key) ?? 0;
    if (n >= MAX_FINDINGS_PER_RULE) {
      incomplete.add(id);
      return;
    }
    kept.set(key, n + 1);
    list.push(finding(id, path, text));
  };
  const now = opts.now ?? new Date();
  for (const rule of p.rules) {
    const ctx: RuleContext = {
      fail: (path, text, id) => record(violations, "v", id ?? rule.id, path, text),
      warn: (path, text, id) => record(warnings, "w", id ?? rule.id, path, text),
      now,
      kusciaVersion: opts.kusciaVersion ?? DEFAULT_VERSION,
      params: opts.params ?? DEFAULT_PARAMETERS,
    };
    try {
      rule.check(obj, ctx);
    } catch (e) {
      // A rule that trips over an unexpected shape must not take the caller down; fail closed
      // and name the rule so the bug is visible (the fuzz test asserts this never happens).
      violations.push(finding("internal.rule-error", [], `rule ${rule.id} could not evaluate this object (${(e as Error).message}); please report it`));
    }
  }

  if (operation === "UPDATE" && opts.oldObject && typeof opts.oldObject === "object") {
    for (const f of p.immutable ?? []) {
      const norm = f.normalize ?? ((v: unknown) => v);
      const before = norm(get(opts.oldObject, f.path));
      const after = norm(get(obj, f.path));
      if (before !== undefined && !jsonEqual(before, after)) {
        violations.push(finding(f.rule, f.path, `is immutable: it was ${show(before)}, the update sets ${after === undefined ? "nothing" : show(after)}; ${f.fix}`));
      }
    }
  }

  const patch = withPatch && p.defaults ? safeDefaults(p.defaults, obj) : [];
  return { violations, warnings, patch, incomplete: [...incomplete] };
}

/** The defaults' patch, or none when they cannot be computed for this object (a hostile value): the verdict never depends on it. */
function safeDefaults(defaults: NonNullable<KindPolicy["defaults"]>, obj: Obj): PatchOperation[] {
  try {
    return defaultsPatch(defaults, obj);
  } catch {
    return [];
  }
}

function finding(rule: string, path: readonly Segment[], text: string): Violation {
  const d = dotted(path);
  return { path: d, rule, message: `${d || "(object)"}: ${text}` };
}

function get(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Obj)[k];
  }
  return cur;
}

/** Every rule `p` can report, whole, in the order `rules()` lists them. */
export function ruleDefinitions(p: KindPolicy): RuleDefinition[] {
  const kind = kindKey(p);
  const out: RuleDefinition[] = p.schema ? [{ id: `${p.id}.schema`, kind, severity: "error", summary: `structure and types of the upstream ${p.kind} CRD schema`, source: p.schemaSource ?? "the upstream CRD schema in crds/ (what the API server validates)", vap: { unexpressible: NO_CEL.schema } }] : [];
  for (const r of p.schemaRules ?? []) out.push({ ...r, kind });
  for (const r of p.rules) {
    out.push({ id: r.id, kind, severity: r.severity, summary: r.summary, source: r.source, vap: r.vap, ...(r.params ? { params: r.params } : {}), ...(r.releases ? { releases: r.releases } : {}) });
    for (const e of r.emits ?? []) out.push({ source: r.source, ...e, kind });
  }
  for (const f of p.immutable ?? []) out.push({ id: f.rule, kind, severity: "error", summary: `${f.path.join(".")} cannot change on update`, source: f.source, vap: f.vap });
  return out;
}
