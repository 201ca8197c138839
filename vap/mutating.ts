/**
 * MutatingAdmissionPolicy and MutatingAdmissionPolicyBinding objects for the rule book's
 * defaults: one policy per kind with defaults, one JSONPatch mutation per default, generated
 * from the defaults' data (policy/defaults.ts defaultCel), the same data the mutating webhook's
 * patch comes from. JSONPatch, not ApplyConfiguration: Kuscia's CRD lists are atomic, so a
 * server-side-apply merge would replace a whole list where a default adds one field to an item.
 * Pure: no I/O.
 *
 * Versions (k8s.io/kubernetes pkg/features/kube_features.go, MutatingAdmissionPolicy):
 * - 1.36 and later: `admissionregistration.k8s.io/v1`, on by default (GA);
 * - 1.34 and 1.35: `v1beta1`, behind the MutatingAdmissionPolicy feature gate and
 *   `--runtime-config=admissionregistration.k8s.io/v1beta1=true`, both off by default: emitted
 *   only when asked (`beta`), since on a server without them `kubectl apply` would stop half way;
 * - before 1.34: none (alpha in 1.32-1.33, and the CEL lists library the expressions use
 *   arrives in 1.34): the mutating webhook fills the defaults.
 *
 * Like the webhook, the policies leave exempt requesters (matchConditions) unmutated; exceptions
 * of the policy configuration relax rules, not defaults, so they do not apply here.
 */
import { POLICIES, type PolicyConfig } from "../policy";
import { defaultCel } from "../policy/defaults";
import { kindKey } from "../policy/engine";
import { exemptionMatchConditions } from "../webhook/configurations";
import { pluralOf } from "./generate";

type Obj = Record<string, unknown>;

export const MAP_V1_SINCE = { major: 1, minor: 36 };
export const MAP_BETA_SINCE = { major: 1, minor: 34 };

export interface MutatingOptions {
  config: PolicyConfig;
  /** The API server's version, parsed (vap/generate.ts checkKubeVersion). */
  kube: { major: number; minor: number };
  /** Emit v1beta1 for 1.34-1.35, whose API server has the feature gate and the beta API on. */
  beta?: boolean;
  /** Prefix of the objects' names; default `kuscia-iac`. */
  namePrefix?: string;
}

export interface MutatingResult {
  objects: Obj[];
  /** The admissionregistration version emitted, or undefined when none. */
  apiVersion?: "admissionregistration.k8s.io/v1" | "admissionregistration.k8s.io/v1beta1";
  /** What the reader should know (why none were emitted, the feature gate). */
  notes: string[];
}

const atLeast = (v: { major: number; minor: number }, w: { major: number; minor: number }) => v.major > w.major || (v.major === w.major && v.minor >= w.minor);

/** The kinds with defaults, each with its defaults, in the rule book's order. */
export function kindsWithDefaults() {
  return POLICIES.filter((p) => (p.defaults?.length ?? 0) > 0);
}

/** The MutatingAdmissionPolicy API version to write for a Kubernetes version, or undefined for none (see the module comment). */
export function mutatingApiVersion(kube: { major: number; minor: number }, beta = false): MutatingResult["apiVersion"] {
  if (atLeast(kube, MAP_V1_SINCE)) return "admissionregistration.k8s.io/v1";
  if (beta && atLeast(kube, MAP_BETA_SINCE)) return "admissionregistration.k8s.io/v1beta1";
  return undefined;
}

export function generateMutating(o: MutatingOptions): MutatingResult {
  const v = `${o.kube.major}.${o.kube.minor}`;
  const apiVersion = mutatingApiVersion(o.kube, o.beta);
  const notes: string[] = [];
  if (apiVersion?.endsWith("v1beta1")) {
    notes.push(`MutatingAdmissionPolicies as v1beta1 for Kubernetes ${v}: the API server needs --feature-gates=MutatingAdmissionPolicy=true and --runtime-config=admissionregistration.k8s.io/v1beta1=true (both off by default), or kubectl apply stops at the first of them`);
  } else if (apiVersion) {
    // v1: nothing to say
  } else if (atLeast(o.kube, MAP_BETA_SINCE)) {
    notes.push(`no MutatingAdmissionPolicy for the defaults: Kubernetes ${v} has them only as v1beta1, behind the MutatingAdmissionPolicy feature gate (off by default); pass --mutating-beta if your API server enables it, or let the mutating webhook fill the defaults (kuscia-iac webhook)`);
  } else {
    notes.push(`no MutatingAdmissionPolicy for the defaults: Kubernetes ${v} has none (v1 from 1.36, v1beta1 behind a feature gate in 1.34-1.35); the mutating webhook fills the defaults (kuscia-iac webhook)`);
  }
  if (!apiVersion) return { objects: [], notes };
  const prefix = o.namePrefix ?? "kuscia-iac";
  const exempt = exemptionMatchConditions(o.config.document.exemptRequesters);
  const objects: Obj[] = [];
  for (const p of kindsWithDefaults()) {
    const [group, version] = p.apiVersion.includes("/") ? p.apiVersion.split("/") : ["", p.apiVersion];
    const name = `${prefix}.defaults.${p.id}`;
    const labels = { "app.kubernetes.io/managed-by": "kuscia-iac", "kuscia-iac.secretflow/defaults": p.id };
    objects.push({
      apiVersion,
      kind: "MutatingAdmissionPolicy",
      metadata: { name, labels },
      spec: {
        failurePolicy: "Fail",
        reinvocationPolicy: "Never",
        matchConstraints: { resourceRules: [{ apiGroups: [group], apiVersions: [version], operations: ["CREATE", "UPDATE"], resources: [pluralOf(p.kind)] }] },
        ...(exempt.length > 0 ? { matchConditions: exempt.map((x) => ({ ...x })) } : {}),
        // Applied in order, each on the object the previous ones made: a later default sees the
        // fields an earlier one filled, which is what the webhook's patch (computed at once) gives too.
        mutations: p.defaults!.map((d) => ({ patchType: "JSONPatch", jsonPatch: { expression: defaultCel(d) } })),
      },
    });
    objects.push({ apiVersion, kind: "MutatingAdmissionPolicyBinding", metadata: { name, labels }, spec: { policyName: name } });
  }
  return { objects, apiVersion, notes };
}

/** `apiVersion/kind` of every kind with defaults: what `vap --list` and the docs name. */
export function defaultedKinds(): string[] {
  return kindsWithDefaults().map(kindKey);
}
