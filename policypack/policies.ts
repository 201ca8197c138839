/**
 * The policies of the `kuscia-iac` CrossGuard pack, as a plain array: importing
 * this module starts nothing, so tests and other packs can reuse the policies.
 * `index.ts` is the entry the Pulumi CLI runs.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { review, type PolicyConfig, type ReviewResult } from "../policy";
import { policyConfigFromObject, readPolicyConfigFile } from "../policyfile/read";
import { parseDotted } from "../policy/paths";
import { rebuildObject, touchesUnknown } from "./objects";

export const PACK_NAME = "kuscia-iac";

type Finding = ReviewResult["violations"][number];

/**
 * Reviews the resource with the rule book, or returns undefined when the rule book has
 * nothing to say about it (not a Kubernetes object, or a kind it does not know).
 */
export function reviewResource(args: Pick<ResourceValidationArgs, "type" | "props">, config?: PolicyConfig): ReviewResult | undefined {
  // Our components' children are Kubernetes resources reviewed on their own; the
  // component itself has no Kubernetes shape.
  if (args.type.startsWith(`${PACK_NAME}:`)) return undefined;
  const rebuilt = rebuildObject(args.type, args.props);
  if (!rebuilt) return undefined;
  const result = review(rebuilt.object, config ? { config } : {});
  if (!result.known) return undefined;
  if (rebuilt.unknownPaths.length === 0) return result;
  // During preview a field computed from another resource is not known yet; a finding
  // about it (or about the object around it) would be a guess, so it waits for the
  // update, when the engine runs the policies again with real values.
  const known = (f: Finding) => !touchesUnknown(parseDotted(f.path), rebuilt.unknownPaths);
  const violations = result.violations.filter(known);
  return { ...result, allowed: violations.length === 0, violations, warnings: result.warnings.filter(known), audits: result.audits.filter(known) };
}

/**
 * The pack's policy configuration, from Pulumi policy config (`pulumi up --policy-pack-config`):
 * `{"kuscia-rules": {"policyConfigFile": "kuscia-iac-policy.yaml"}}` or `{"kuscia-rules": {"policyConfig": {...}}}`;
 * the same document the webhook and `review --config` read. Compiled once per distinct value.
 */
export interface PackConfig {
  policyConfigFile?: string;
  policyConfig?: Record<string, unknown>;
}

const PACK_CONFIG_SCHEMA = {
  properties: {
    policyConfigFile: { type: "string", description: "path of a kuscia-iac policy configuration file (YAML)" },
    policyConfig: { type: "object", description: "a kuscia-iac policy configuration, inline" },
  },
} as const;

const compiled = new Map<string, PolicyConfig>();
export function packPolicyConfig(c: PackConfig | undefined): PolicyConfig | undefined {
  if (!c || (c.policyConfigFile === undefined && c.policyConfig === undefined)) return undefined;
  const key = JSON.stringify(c);
  let config = compiled.get(key);
  if (!config) {
    // Throws PolicyConfigError naming the file and field; the engine reports it against the policy.
    config = c.policyConfigFile !== undefined ? readPolicyConfigFile(c.policyConfigFile).config : policyConfigFromObject(c.policyConfig, "policy pack config policyConfig").config;
    compiled.set(key, config);
  }
  return config;
}

function configOf(args: ResourceValidationArgs): PolicyConfig | undefined {
  return packPolicyConfig(args.getConfig<PackConfig>());
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
    configSchema: PACK_CONFIG_SCHEMA,
    validateResource: (args, reportViolation) => {
      const r = reviewResource(args, configOf(args));
      if (r) report(r.violations, reportViolation);
    },
  },
  {
    name: "kuscia-advice",
    description: "Findings of the kuscia-iac rule book that do not refuse a resource (what the admission webhook returns as warnings).",
    enforcementLevel: "advisory",
    configSchema: PACK_CONFIG_SCHEMA,
    validateResource: (args, reportViolation) => {
      const r = reviewResource(args, configOf(args));
      if (!r) return;
      report(r.warnings, reportViolation);
      // Audited findings are recorded here too: the pack has no log of its own.
      for (const a of r.audits) reportViolation(`[${a.rule}] audit (${a.reason}): ${a.message}`);
    },
  },
];
