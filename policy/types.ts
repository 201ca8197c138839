/**
 * The rule book's vocabulary. Everything in policy/ is pure: it takes plain
 * objects and returns data. Front ends (webhook, components, review CLI,
 * policy pack) only translate these results into their own formats.
 */

/** One RFC 6902 operation. Kept structural so any JSON Patch library can apply it. */
export interface PatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: unknown;
  from?: string;
}

/** A reason to refuse an object. */
export interface Violation {
  /** Dotted path of the offending field, e.g. `spec.parties[1].domainID`; `` for the whole object. */
  path: string;
  /** Stable rule id, e.g. `domain.cert.rsa-key`. Listed by `rules()`. */
  rule: string;
  /** Human message: names the field, what was found, what is expected. */
  message: string;
}

/** A finding that neither refuses nor warns: its rule's action is `audit`, or an exception covers it. */
export interface AuditRecord extends Violation {
  /** `audit`, or `exception <name>: <reason>`. */
  reason: string;
}

/** A finding that does not refuse the object (kubectl shows these as `Warning:`). */
export interface Warning {
  path: string;
  rule: string;
  message: string;
}

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface ReviewOptions {
  /** Admission operation; default CREATE. DELETE is always allowed. */
  operation?: Operation;
  /** The stored object, for UPDATE (immutability rules). */
  oldObject?: unknown;
  /** Clock used for certificate validity windows; default `new Date()`. Injected so tests are deterministic. */
  now?: Date;
  /** Target Kuscia release (default: the newest the rule book knows). */
  kusciaVersion?: import("./config/version").KusciaVersion;
  /** Rule parameters (default: config/parameters.ts DEFAULT_PARAMETERS). */
  params?: Readonly<import("./config/parameters").PolicyParameters>;
  /** The policy configuration (actions, parameters, exceptions); default: every rule at its severity's action. Its kusciaVersion and params win over the two options above. */
  config?: import("./config/types").PolicyConfig;
  /** Namespace of the request, for exceptions, when the object does not name one (the webhook passes the AdmissionRequest's). */
  namespace?: string;
}

export interface ReviewResult {
  /** False when any violation was found. */
  allowed: boolean;
  /** True when the rule book knows this apiVersion/kind (otherwise it is skipped: allowed, no findings). */
  known: boolean;
  /** `group/version/Kind` key of the kind policy that reviewed it, when known. */
  kind?: string;
  violations: Violation[];
  warnings: Warning[];
  /** Findings allowed silently (action `audit`, or covered by an exception): for review output, logs and metrics. */
  audits: AuditRecord[];
  /** Findings left out of the lists above because an object had more than the cap (the verdict counts them). */
  omitted?: { violations: number; warnings: number; audits: number };
  /** RFC 6902 operations that fill documented defaults; empty when nothing changes. Relative to the object as the API server delivers it (see policy/deliver.ts), which for the webhook is the object it was sent. */
  patch: PatchOperation[];
}

/**
 * One validation of a rule's CEL form: `expression` is CEL, true when the object passes;
 * `message` is CEL producing the rule book's message (`<path>: <text>`), evaluated when
 * `expression` is false. Conventions: policy/vap/forms.ts.
 */
export interface CelValidation {
  expression: string;
  message: string;
}

/**
 * How `kuscia-iac vap` enforces a rule inside the API server, decided with the rule:
 * - `cel`: one validation per kind of finding, in the order the rule reports them;
 *   `operations` only for UPDATE-only immutability rules (which read `oldObject`);
 * - `unexpressible`: why a ValidatingAdmissionPolicy cannot (the webhook, review and audit
 *   still apply the rule). Shared reasons: policy/vap/reasons.ts.
 */
export type VapForm = { cel: CelValidation[]; operations?: ("CREATE" | "UPDATE")[] } | { unexpressible: string };

/**
 * A rule's description as its definition holds it (ESLint's `meta`): what `rules()`
 * lists, plus its ValidatingAdmissionPolicy form.
 */
export interface RuleMeta {
  id: string;
  severity: "error" | "warning";
  summary: string;
  /** See RuleInfo.source. */
  source?: string;
  vap: VapForm;
  /** The policy parameters (config/parameters.ts) the rule's verdict depends on; none when absent. */
  params?: (keyof import("./config/parameters").PolicyParameters)[];
  /**
   * How the verdict depends on the target Kuscia release (the policy configuration's
   * `kusciaVersion`), naming the releases; absent when it is the same for every release the
   * rule book knows (test/unit/docs/rules.test.ts checks that on the examples).
   */
  releases?: string;
}

/** A rule of the rule book, whole: its meta and the kind it reviews (`ruleDefinitions()`). */
export interface RuleDefinition extends RuleMeta {
  /** Kind key, e.g. `kuscia.secretflow/v1alpha1/Domain`; `*` for any. */
  kind: string;
}

/** Description of a rule, for documentation, `kuscia-iac rules` and SARIF. */
export interface RuleInfo {
  id: string;
  /** Kind key this rule belongs to, e.g. `kuscia.secretflow/v1alpha1/Domain`. */
  kind: string;
  severity: "error" | "warning";
  summary: string;
  /**
   * Why the rule is true: the upstream Kuscia file and function that make it so
   * (e.g. `pkg/controllers/domain/namespace.go: createNamespace`), or
   * `kuscia-iac policy: <reason>` for a rule of this project's own that is stricter than upstream.
   */
  source?: string;
  /** The action under a given policy configuration (`rules(config)` only). */
  action?: import("./config/types").Action;
}
