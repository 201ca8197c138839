/**
 * Counts of what the pack did, for bench/pack.ts: with KUSCIA_IAC_PACK_STATS=FILE in the
 * Pulumi CLI's environment the pack writes to FILE, as one JSON object rewritten at most once
 * per turn of the event loop, `{resources, reviews, policyCalls, stackPolicyCalls}`: the
 * distinct resources (URNs) its resource policies were called with, the rule book's reviews,
 * and the calls of its resource and stack policies. The engine may stop the pack's process
 * without an exit handler running, hence a file kept current rather than written at exit.
 * Without the variable nothing is counted or written.
 */
import { writeFileSync } from "node:fs";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { review, type PolicyConfig } from "../policy";
import { buildPolicies, type Reviewer } from "./policies";

export const STATS_VARIABLE = "KUSCIA_IAC_PACK_STATS";

export interface PackStats {
  resources: number;
  reviews: number;
  policyCalls: number;
  stackPolicyCalls: number;
}

/** buildPolicies(config) with every review and policy call counted into `file` (shape: PackStats). */
export function countedPolicies(config: PolicyConfig, file: string): (ResourceValidationPolicy | StackValidationPolicy)[] {
  const urns = new Set<string>();
  const counts = { reviews: 0, policyCalls: 0, stackPolicyCalls: 0 };
  let pending = false;
  const changed = () => {
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      const stats: PackStats = { resources: urns.size, ...counts };
      writeFileSync(file, JSON.stringify(stats));
    });
  };
  const reviewer: Reviewer = (obj, opts) => {
    counts.reviews++;
    changed();
    return review(obj, opts);
  };
  return buildPolicies(config, { review: reviewer }).map((p) => {
    if ("validateStack" in p) {
      const validateStack = p.validateStack;
      return { ...p, validateStack: (args, report) => (counts.stackPolicyCalls++, changed(), validateStack(args, report)) };
    }
    const validations = p.validateResource ? [p.validateResource].flat() : [];
    if (validations.length === 0) return p;
    return {
      ...p,
      validateResource: async (args, report) => {
        counts.policyCalls++;
        urns.add(args.urn);
        changed();
        for (const v of validations) await v(args, report);
      },
    };
  });
}
