/**
 * Entry of the `kuscia-iac` policy pack: the Pulumi CLI loads this module
 * (through PulumiPolicy.yaml and package.json beside it) and the constructor
 * starts the analyzer server the engine talks to. The policy configuration is read
 * first (config.ts): it decides each policy's enforcement level, which the engine asks
 * for before anything else. An invalid one stops the pack with its message.
 */
import { PolicyPack } from "@pulumi/policy";
import { packConfiguration } from "./config";
import { PACK_NAME, buildPolicies } from "./policies";
import { shareDeserializedProperties } from "./sdk";
import { STATS_VARIABLE, countedPolicies } from "./stats";

const { config, origin, warnings } = packConfiguration();
// Standard error reaches the CLI's log, never the analyzer protocol on standard output.
for (const w of warnings) console.error(`kuscia-iac policy pack: ${w}`);

// One conversion of a resource's properties per request instead of one per policy (sdk.ts).
if (!shareDeserializedProperties()) console.error("kuscia-iac policy pack: @pulumi/policy's deserialize module is not the one expected (1.21): each policy converts the resource's properties anew, which is slower");

new PolicyPack(PACK_NAME, {
  description: `Applies the kuscia-iac rule book to the Kuscia / SecretFlow and Iflearner Kubernetes resources of any Pulumi program: one policy per rule, levels from the policy configuration (${origin}).`,
  enforcementLevel: "mandatory",
  // Counted only for bench/pack.ts (stats.ts).
  policies: process.env[STATS_VARIABLE] ? countedPolicies(config, process.env[STATS_VARIABLE]) : buildPolicies(config),
});
