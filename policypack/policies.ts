/**
 * The policies of the `kuscia-iac` CrossGuard pack, as a plain array: importing
 * this module starts nothing, so tests and other packs can reuse the policies.
 * `index.ts` is the entry the Pulumi CLI runs.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { review, type ReviewResult } from "../policy";
import { parseDotted } from "../policy/paths";
import { rebuildObject, touchesUnknown } from "./objects";

export const PACK_NAME = "kuscia-iac";

type Finding = ReviewResult["violations"][number];

/**
 * Reviews the resource with the rule book, or returns undefined when the rule book has
 * nothing to say about it (not a Kubernetes object, or a kind it does not know).
 */
export function reviewResource(args: Pick<ResourceValidationArgs, "type" | "props">): ReviewResult | undefined {
  // Our components' children are Kubernetes resources reviewed on their own; the
  // component itself has no Kubernetes shape.
  if (args.type.startsWith(`${PACK_NAME}:`)) return undefined;
  const rebuilt = rebuildObject(args.type, args.props);
  if (!rebuilt) return undefined;
  const result = review(rebuilt.object);
  if (!result.known) return undefined;
  if (rebuilt.unknownPaths.length === 0) return result;
  // During preview a field computed from another resource is not known yet; a finding
  // about it (or about the object around it) would be a guess, so it waits for the
  // update, when the engine runs the policies again with real values.
  const known = (f: Finding) => !touchesUnknown(parseDotted(f.path), rebuilt.unknownPaths);
  const violations = result.violations.filter(known);
  return { ...result, allowed: violations.length === 0, violations, warnings: result.warnings.filter(known) };
}

function report(findings: Finding[], reportViolation: ReportViolation): void {
  for (const f of findings) reportViolation(`[${f.rule}] ${f.message}`);
}

export const policies: ResourceValidationPolicy[] = [
  {
    name: "kuscia-rules",
    description:
      "Kuscia / SecretFlow and Iflearner resources (custom resources and the labelled node ConfigMap) must pass the kuscia-iac rule book; each violation names its rule id and field.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      const r = reviewResource(args);
      if (r) report(r.violations, reportViolation);
    },
  },
  {
    name: "kuscia-advice",
    description: "Findings of the kuscia-iac rule book that do not refuse a resource (what the admission webhook returns as warnings).",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
      const r = reviewResource(args);
      if (r) report(r.warnings, reportViolation);
    },
  },
];
