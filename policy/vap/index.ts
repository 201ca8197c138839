/**
 * Which rules of the rule book a ValidatingAdmissionPolicy can enforce inside the API
 * server, and why the others cannot: each rule's `vap` (its CEL form, or the reason it has
 * none), read from the rule's own definition through `ruleDefinitions()`. Pure.
 */
import { ruleDefinitions } from "../index";
import type { CelValidation } from "../types";

export type { CelValidation } from "../types";

/** A rule's CEL form, with the rule and the kind it reviews: what vap/generate.ts turns into a policy. */
export interface CelRule {
  rule: string;
  /** API group/version and kind the rule reviews, e.g. `kuscia.secretflow/v1alpha1/Domain`. */
  kind: string;
  validations: CelValidation[];
  /** Operations the rule applies to; default CREATE and UPDATE. Immutability rules: UPDATE only, and they read `oldObject`. */
  operations?: ("CREATE" | "UPDATE")[];
}

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

/**
 * Every rule of the rule book with its CEL form or the reason it has none, in the rule
 * book's order. Throws if a rule's form is empty (a CEL form without validations, or a
 * blank reason: the unit test catches it first).
 */
export function vapCoverage(): VapCoverage[] {
  return ruleDefinitions().map((r) => {
    const base = { rule: r.id, kind: r.kind, severity: r.severity };
    if ("cel" in r.vap) {
      if (r.vap.cel.length === 0) throw new Error(`rule ${r.id}: its vap.cel has no validation; give one, or a reason in vap.unexpressible`);
      return { ...base, cel: { rule: r.id, kind: r.kind, validations: r.vap.cel, ...(r.vap.operations ? { operations: r.vap.operations } : {}) } };
    }
    if (!r.vap.unexpressible.trim()) throw new Error(`rule ${r.id}: its vap.unexpressible is empty; say why a ValidatingAdmissionPolicy cannot enforce it`);
    return { ...base, reason: r.vap.unexpressible };
  });
}

/** The CEL forms of every expressible rule, in the rule book's order. */
export const CEL_RULES: readonly CelRule[] = vapCoverage().flatMap((c) => (c.cel ? [c.cel] : []));
