/** JSON Schema of the policy configuration file; `additionalProperties: false` everywhere so a typo is an error, not a silent no-op. */
import { ACTIONS, CONFIG_API_VERSION, CONFIG_KIND } from "./types";
import { PARAMETERS_SCHEMA } from "./parameters";

const strings = { type: "array", items: { type: "string", minLength: 1 } };

export const POLICY_CONFIGURATION_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    apiVersion: { const: CONFIG_API_VERSION },
    kind: { const: CONFIG_KIND },
    kusciaVersion: { type: "string", "x-hint": "a Kuscia release such as v1.1 or v0.15" },
    // Each setting's shape (an action, or {action, allowExistingViolations}) is checked in
    // compile.ts, which can say in one line what a wrong one should be.
    rules: { type: "object" },
    parameters: PARAMETERS_SCHEMA,
    exceptions: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "reason", "match", "rules"],
        properties: {
          name: { type: "string", minLength: 1 },
          reason: { type: "string", minLength: 1, "x-hint": "say why the exception exists, so it can be removed when that ends" },
          expires: { type: "string", "x-hint": "an RFC 3339 date such as 2027-06-30" },
          match: {
            type: "object",
            additionalProperties: false,
            // A namespace may be "" (cluster-scoped objects).
            properties: { kinds: strings, namespaces: { type: "array", items: { type: "string" } }, names: strings },
          },
          rules: { ...strings, minItems: 1 },
        },
      },
    },
    exemptRequesters: {
      type: "object",
      additionalProperties: false,
      properties: { usernames: strings, groups: strings, serviceAccounts: strings },
    },
  },
} as const;
