/**
 * What a front end made of a case, in one shape for all of them, and the rule book's own
 * observation (the reference every front end is compared with).
 */
import { checkReferences, refKey, refOf, review } from "../policy";
import { EXCEPTION_PREFIX, EXISTING_NOTE } from "../policy/config/apply";
import type { AuditRecord, PatchOperation } from "../policy/types";
import type { TestCase } from "./load";
import type { Outcome } from "./schema";

export interface Observation {
  outcome: Outcome;
  /** Rule ids, sorted, each once. */
  violations: string[];
  warnings: string[];
  audits: string[];
  /** Names of the exceptions that applied. */
  exceptions: string[];
  patch: PatchOperation[];
  /** The first messages, for people reading a failure (rule id: message). */
  messages: string[];
  /** Why the requester was admitted unreviewed (an exempt requester), if so. */
  exempt?: string;
  /** Rules whose warning is an existing violation an UPDATE keeps (allowExistingViolations turned a refusal into it). */
  existing?: string[];
}

export const sortedSet = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** allowed < audited < warned < refused: the strongest finding decides. */
export function outcomeOf(o: { violations: readonly unknown[]; warnings: readonly unknown[]; audits: readonly unknown[] }): Outcome {
  return o.violations.length > 0 ? "refused" : o.warnings.length > 0 ? "warned" : o.audits.length > 0 ? "audited" : "allowed";
}

/** The exception named in an audit record's reason (`exception <name>: <reason>`), if any. */
export function exceptionOf(reason: string): string | undefined {
  if (!reason.startsWith(EXCEPTION_PREFIX)) return undefined;
  const rest = reason.slice(EXCEPTION_PREFIX.length);
  const colon = rest.indexOf(": ");
  return colon < 0 ? rest : rest.slice(0, colon);
}

export function allowedUnreviewed(exempt: string): Observation {
  return { outcome: "allowed", violations: [], warnings: [], audits: [], exceptions: [], patch: [], messages: [], exempt };
}

/**
 * The rule book's verdict on a case, as every front end should give it: review() under the
 * case's configuration and clock, plus the reference rules against the case's extra
 * objects (when it gives some), and an exempt requester admitted unreviewed as the webhook
 * admits it.
 */
export function observeBook(c: TestCase): Observation {
  const exempt = c.userInfo ? c.config.exemption(c.userInfo) : undefined;
  if (exempt) return allowedUnreviewed(exempt);
  const now = c.now ?? new Date();
  const subject = c.operation === "DELETE" ? (c.oldObject ?? c.object) : c.object;
  const r = review(subject, { operation: c.operation, oldObject: c.oldObject, now, config: c.config });
  const violations = [...r.violations];
  const warnings = [...r.warnings];
  const audits: AuditRecord[] = [...r.audits];
  // The reference rules, as review --references and the webhook's watch cache run them: on
  // CREATE and UPDATE of an object the rule book reviews, against the objects given.
  if (c.references && r.known && (c.operation === "CREATE" || c.operation === "UPDATE")) {
    const me = refOf(subject);
    const found = checkReferences([subject, ...c.references], { config: c.config, now }).find((x) => me && refKey(x.object) === refKey(me));
    if (found) {
      violations.push(...found.violations);
      warnings.push(...found.warnings);
      audits.push(...found.audits);
    }
  }
  return {
    outcome: outcomeOf({ violations, warnings, audits }),
    violations: sortedSet(violations.map((v) => v.rule)),
    warnings: sortedSet(warnings.map((v) => v.rule)),
    audits: sortedSet(audits.map((v) => v.rule)),
    exceptions: sortedSet(audits.map((a) => exceptionOf(a.reason)).filter((x): x is string => !!x)),
    patch: violations.length === 0 ? r.patch : [],
    ...(warnings.some((w) => w.message.endsWith(EXISTING_NOTE)) ? { existing: sortedSet(warnings.filter((w) => w.message.endsWith(EXISTING_NOTE)).map((w) => w.rule)) } : {}),
    messages: [...violations, ...warnings, ...audits].slice(0, 5).map((f) => `${f.rule}: ${f.message}`),
  };
}
