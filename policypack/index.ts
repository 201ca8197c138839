/**
 * Entry of the `kuscia-iac` policy pack: the Pulumi CLI loads this module
 * (through PulumiPolicy.yaml and package.json beside it) and the constructor
 * starts the analyzer server the engine talks to.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  description: "Applies the kuscia-iac rule book to the Kuscia / SecretFlow and Iflearner Kubernetes resources of any Pulumi program.",
  enforcementLevel: "mandatory",
  policies,
});
