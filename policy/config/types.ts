/**
 * The policy configuration: what operators control. One file, read by every
 * front end (review --config, webhook --config, the components, the policy pack).
 * The shape follows the enforcement controls of Kyverno, Gatekeeper and
 * ValidatingAdmissionPolicy: an action per rule, parameters, exceptions with a
 * reason and an expiry, and requesters the webhook never reviews.
 */
import type { KusciaVersion } from "./version";
import type { PolicyParameters } from "./parameters";

/**
 * What a finding of a rule does:
 * - `deny`: refuses the object (violations; kubectl shows an error, review exits 1);
 * - `warn`: allows it, with the message as a warning (kubectl `Warning:`);
 * - `audit`: allows it silently; the finding is kept in `audits` (review output, webhook log and metrics);
 * - `off`: the rule does not run for this configuration (its findings are dropped).
 */
export type Action = "deny" | "warn" | "audit" | "off";
export const ACTIONS: readonly Action[] = ["deny", "warn", "audit", "off"];

/**
 * Rules no configuration may relax: they are how the rule book fails closed. No action but
 * deny, no exception, no existing-violation relief (config/apply.ts enforces it again).
 */
export const FAIL_CLOSED = new Set<string>(["internal.rule-error"]);

export const CONFIG_API_VERSION = "kuscia-iac.secretflow/v1alpha1";
export const CONFIG_KIND = "PolicyConfiguration";

/** A rule's settings as written in the file: an action, or an object. */
export type RuleSetting = Action | { action?: Action; allowExistingViolations?: boolean };

/** One exception: findings of `rules` on objects matching `match` do not deny (they are recorded as audits). */
export interface PolicyException {
  /** Unique name, quoted in the audit record. */
  name: string;
  /** Why the exception exists (required: an exception nobody can explain is never removed). */
  reason: string;
  /** RFC 3339 date or date-time; from then on the exception no longer applies. */
  expires?: string;
  match: {
    /** Kinds, as `Domain` or `kuscia.secretflow/v1alpha1/Domain`. Any kind when omitted. */
    kinds?: string[];
    /** Namespace globs (`*`, `?`); cluster-scoped objects have namespace "". Any when omitted. */
    namespaces?: string[];
    /** Object name globs. Any when omitted. */
    names?: string[];
  };
  /** Rule ids or globs (`domain.cert*`, `*`). */
  rules: string[];
}

/** Requesters whose writes the webhook admits without review (e.g. Kuscia's own controllers). */
export interface ExemptRequesters {
  /** Exact usernames, e.g. `system:admin`. */
  usernames?: string[];
  /** Groups, e.g. `system:masters`. */
  groups?: string[];
  /** `namespace:name` of service accounts (username `system:serviceaccount:<namespace>:<name>`). */
  serviceAccounts?: string[];
}

/** The configuration file as written (YAML or JSON). Every field is optional. */
export interface PolicyConfigurationDocument {
  apiVersion?: typeof CONFIG_API_VERSION;
  kind?: typeof CONFIG_KIND;
  /** Target Kuscia release, e.g. `v1.1` (default: the newest the rule book knows). */
  kusciaVersion?: string;
  /** Per rule id (or glob such as `domain.cert.*`): its action, and whether existing violations block updates. */
  rules?: Record<string, RuleSetting>;
  parameters?: Partial<PolicyParameters>;
  exceptions?: PolicyException[];
  exemptRequesters?: ExemptRequesters;
}

/** Who sends a request (the AdmissionReview's userInfo). */
export interface Requester {
  username?: string;
  groups?: string[];
}

/** The compiled configuration the rule book applies. Immutable; build one with `compilePolicyConfiguration`. */
export interface PolicyConfig {
  readonly kusciaVersion: KusciaVersion;
  readonly params: Readonly<PolicyParameters>;
  /** Where it was read from (file path or "default"), for messages. */
  readonly origin: string;
  /** sha256 of the canonical document, so a reload that changes nothing is recognised. */
  readonly digest: string;
  readonly document: Readonly<PolicyConfigurationDocument>;
  /** The action for findings of `rule`, given the severity the rule reported it with. */
  actionOf(rule: string, severity: "error" | "warning"): Action;
  /** Whether an UPDATE may keep a violation of `rule` the old object already had (default true). */
  allowsExisting(rule: string): boolean;
  /** The first unexpired exception covering `rule` on this object, if any. */
  exceptionFor(target: { kind?: string; apiVersion?: string; namespace?: string; name?: string }, rule: string, now: Date): PolicyException | undefined;
  /** Why this requester is exempt (`username x`, `group y`, `service account ns:name`), or undefined. */
  exemption(requester: Requester): string | undefined;
}
