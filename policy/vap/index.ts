/**
 * Which rules of the rule book a ValidatingAdmissionPolicy can enforce inside the API
 * server, and why the others cannot: CEL_RULES (rules.ts) and NOT_EXPRESSIBLE
 * (unexpressible.ts) joined over `rules()`. Pure.
 */
import { rules } from "../index";
import { compileGlob } from "../config/glob";
import { CEL_RULES, type CelRule } from "./rules";
import { NOT_EXPRESSIBLE } from "./unexpressible";

export { CEL_RULES, type CelRule, type CelValidation } from "./rules";
export { NOT_EXPRESSIBLE } from "./unexpressible";

export interface VapCoverage {
  rule: string;
  /** Kind key, e.g. `kuscia.secretflow/v1alpha1/Domain`. */
  kind: string;
  severity: "error" | "warning";
  /** The CEL form, when the rule is expressible. */
  cel?: CelRule;
  /** Why not, otherwise. */
  reason?: string;
}

/** The NOT_EXPRESSIBLE keys (ids or globs) that name `rule`. */
export function notExpressibleKeys(rule: string): string[] {
  return Object.keys(NOT_EXPRESSIBLE).filter((k) => compileGlob(k).test(rule));
}

/**
 * Every rule of the rule book with its CEL form or the reason it has none, in the rule
 * book's order. Throws if a rule has neither (a rule added without deciding: the unit test
 * catches it first).
 */
export function vapCoverage(): VapCoverage[] {
  const byId = new Map(CEL_RULES.map((c) => [c.rule, c]));
  return rules().map((r) => {
    const cel = byId.get(r.id);
    if (cel) return { rule: r.id, kind: r.kind, severity: r.severity, cel };
    const keys = notExpressibleKeys(r.id);
    if (keys.length === 0) throw new Error(`rule ${r.id} has neither a CEL form (policy/vap/rules.ts) nor a reason (policy/vap/unexpressible.ts)`);
    // The most specific key explains best: an exact id over a glob.
    const key = keys.sort((a, b) => b.length - a.length)[0];
    return { rule: r.id, kind: r.kind, severity: r.severity, reason: NOT_EXPRESSIBLE[key] };
  });
}
