/**
 * The `kuscia-iac test` file: a declarative suite of admission cases and the outcome each
 * must get, in the shape `kyverno test` (kyverno-test.yaml: policies, resources, expected
 * results) and `gator verify` (a Suite of cases with assertions) made familiar. Checked with
 * ajv (the rule book's instance, policy/schema.ts) so every error names the file, the case
 * and the field; `additionalProperties: false` everywhere so a typo is an error.
 *
 * ```yaml
 * apiVersion: kuscia-iac.secretflow/v1alpha1
 * kind: PolicyTest
 * metadata: {name: domains}
 * configuration: policy.yaml            # a PolicyConfiguration file (relative to this file) or inline
 * now: "2026-01-01T00:00:00Z"           # the clock for exception expiry and certificate validity
 * kubernetesVersion: "1.36"             # what `vap` generates for (--frontend vap)
 * kusciaVersion: v1.1                   # the Kuscia release (the configuration's, if it names one)
 * userInfo: {username: alice, groups: [dev]}
 * references: [{file: domains.yaml}]    # extra objects the reference rules (ref.*) look up
 * cases:
 *   - name: a partner Domain without a certificate
 *     file: refused/domains.yaml        # or `object:` inline
 *     document: 4                       # 1-based, as review's messages count
 *     operation: UPDATE                 # CREATE (default), UPDATE (needs oldObject/oldFile) or DELETE
 *     oldObject: {...}
 *     expect:
 *       outcome: refused                # allowed | refused | warned | audited
 *       violations: [domain.cert]       # rule ids; each list is compared exactly when given
 *       warnings: []
 *       audits: []
 *       exceptions: []                  # names of the policy-configuration exceptions that applied
 *       patch: []                       # the RFC 6902 defaults (the mutating webhook's patch)
 * ```
 */
import type { PatchOperation } from "../policy/types";

export const TEST_API_VERSION = "kuscia-iac.secretflow/v1alpha1";
export const TEST_KIND = "PolicyTest";

export type Outcome = "allowed" | "refused" | "warned" | "audited";
export const OUTCOMES: readonly Outcome[] = ["allowed", "refused", "warned", "audited"];

export interface UserInfo {
  username?: string;
  groups?: string[];
}

/** An object given inline, or every document of a file (references) / one document (cases). */
export type ObjectSource = Record<string, unknown>;

export interface Expectation {
  outcome: Outcome;
  violations?: string[];
  warnings?: string[];
  audits?: string[];
  exceptions?: string[];
  patch?: PatchOperation[];
}

/** Settings a case takes from the file unless it gives its own. */
export interface CaseSettings {
  configuration?: string | Record<string, unknown>;
  now?: string;
  kubernetesVersion?: string;
  kusciaVersion?: string;
  userInfo?: UserInfo;
  references?: ObjectSource[];
}

export interface TestCaseDocument extends CaseSettings {
  name: string;
  object?: Record<string, unknown>;
  file?: string;
  document?: number;
  operation?: "CREATE" | "UPDATE" | "DELETE";
  oldObject?: Record<string, unknown>;
  oldFile?: string;
  oldDocument?: number;
  expect: Expectation;
}

export interface TestFileDocument extends CaseSettings {
  apiVersion: typeof TEST_API_VERSION;
  kind: typeof TEST_KIND;
  metadata?: { name?: string; description?: string };
  cases: TestCaseDocument[];
}

const ruleIds = { type: "array", items: { type: "string", minLength: 1, "x-hint": "a rule id, as kuscia-iac rules lists them" }, uniqueItems: true };
const kubeObject = {
  type: "object",
  required: ["apiVersion", "kind"],
  properties: { apiVersion: { type: "string", minLength: 1 }, kind: { type: "string", minLength: 1 } },
  "x-hint": "a Kubernetes object with apiVersion and kind",
};

const settings = {
  configuration: {
    type: ["string", "object"],
    "x-hint": "a PolicyConfiguration file relative to the test file, or one inline",
  },
  now: { type: "string", format: "date-time", "x-hint": "an RFC 3339 date-time such as 2026-01-01T00:00:00Z" },
  kubernetesVersion: { type: "string", pattern: "^v?\\d+\\.\\d+(\\.\\d+)?$", "x-hint": "a Kubernetes version such as 1.36" },
  kusciaVersion: { type: "string", minLength: 1, "x-hint": "a Kuscia release such as v1.1" },
  userInfo: {
    type: "object",
    additionalProperties: false,
    properties: { username: { type: "string", minLength: 1 }, groups: { type: "array", items: { type: "string", minLength: 1 } } },
  },
  // Each item is {file: <manifest>} or an inline object: load.ts tells which, and says so when neither.
  references: { type: "array", items: { type: "object" } },
} as const;

const patchOperation = {
  type: "object",
  additionalProperties: false,
  required: ["op", "path"],
  properties: {
    op: { enum: ["add", "remove", "replace", "move", "copy", "test"] },
    path: { type: "string" },
    value: {},
    from: { type: "string" },
  },
};

export const TEST_FILE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "cases"],
  properties: {
    apiVersion: { const: TEST_API_VERSION },
    kind: { const: TEST_KIND },
    metadata: { type: "object", additionalProperties: false, properties: { name: { type: "string" }, description: { type: "string" } } },
    ...settings,
    cases: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "expect"],
        properties: {
          name: { type: "string", minLength: 1 },
          object: kubeObject,
          file: { type: "string", minLength: 1, "x-hint": "a manifest file, relative to the test file" },
          document: { type: "integer", minimum: 1, "x-hint": "the 1-based number of the document in the file" },
          operation: { enum: ["CREATE", "UPDATE", "DELETE"] },
          oldObject: kubeObject,
          oldFile: { type: "string", minLength: 1 },
          oldDocument: { type: "integer", minimum: 1 },
          ...settings,
          expect: {
            type: "object",
            additionalProperties: false,
            required: ["outcome"],
            properties: {
              outcome: { enum: [...OUTCOMES], "x-hint": "allowed (no finding), refused (a violation), warned (warnings, no violation) or audited (only audit records)" },
              violations: ruleIds,
              warnings: ruleIds,
              audits: ruleIds,
              exceptions: { type: "array", items: { type: "string", minLength: 1 }, uniqueItems: true },
              patch: { type: "array", items: patchOperation },
            },
          },
        },
      },
    },
  },
} as const;
