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
  /** RFC 6902 operations that fill documented defaults; empty when nothing changes. Relative to the object as given. */
  patch: PatchOperation[];
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
}
