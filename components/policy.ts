/**
 * The policy configuration the components apply: the same file the webhook and
 * `review --config` read, so a rule set to `warn` in the cluster is a warning in
 * `pulumi up` too. Resolved once per program, in this order:
 *
 * 1. `configurePolicy(...)` called by the program (a file path or a configuration object);
 * 2. stack configuration `kuscia-iac:policyConfig` (a file path, relative to the project) or
 *    `kuscia-iac:policy` (the configuration as a structured object);
 * 3. the environment variable `KUSCIA_IAC_POLICY_CONFIG` (a file path), for the component provider;
 * 4. the default: every rule at its severity's action, the newest Kuscia release.
 *
 * An invalid configuration throws PolicyConfigError naming the file and field.
 */
import * as pulumi from "@pulumi/pulumi";
import { defaultPolicyConfiguration, type PolicyConfig, type PolicyConfigurationDocument } from "../policy";
import { policyConfigFromObject, readPolicyConfigFile } from "../policyfile/read";

export { PolicyConfigError } from "../policyfile/read";

let chosen: PolicyConfig | undefined;

/**
 * Sets the policy configuration for every component this program creates afterwards:
 * a path to a YAML file, or the configuration as an object. Throws PolicyConfigError.
 */
export function configurePolicy(config: string | PolicyConfigurationDocument): PolicyConfig {
  const loaded = typeof config === "string" ? readPolicyConfigFile(config) : policyConfigFromObject(config, "configurePolicy()");
  for (const w of loaded.warnings) pulumi.log.warn(`kuscia-iac: ${w}`);
  chosen = loaded.config;
  return chosen;
}

/** The configuration in force for components (see the module comment for the order). */
export function componentPolicy(): PolicyConfig {
  if (chosen) return chosen;
  const cfg = new pulumi.Config("kuscia-iac");
  const file = cfg.get("policyConfig") ?? process.env.KUSCIA_IAC_POLICY_CONFIG;
  const inline = cfg.getObject<PolicyConfigurationDocument>("policy");
  if (file !== undefined && inline !== undefined) throw new Error("kuscia-iac: set either kuscia-iac:policyConfig (a file) or kuscia-iac:policy (an object), not both");
  if (file !== undefined) return configurePolicy(file);
  if (inline !== undefined) {
    const loaded = policyConfigFromObject(inline, "stack configuration kuscia-iac:policy");
    chosen = loaded.config;
    return chosen;
  }
  return (chosen = defaultPolicyConfiguration());
}

/** Forgets the configuration chosen so far (tests). */
export function resetPolicyForTests(): void {
  chosen = undefined;
}
