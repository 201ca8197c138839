/**
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects for every rule
 * with a CEL form (policy/vap), under a policy configuration: one policy and one binding
 * per rule, so each rule gets its own action. Pure: no I/O.
 *
 * Mapping of the configuration (docs/policy-configuration.md, docs/vap.md):
 * - action deny / warn / audit -> the binding's validationActions Deny / Warn / Audit;
 *   off -> neither policy nor binding;
 * - allowExistingViolations (deny rules, default true) -> each expression also passes an
 *   UPDATE whose old object already failed it (the webhook further requires the field to be
 *   unchanged and turns it into a warning; a policy allows it silently);
 * - exceptions -> matchConditions on the rule's policy excluding the matching kinds,
 *   namespaces and names (globs as RE2); an exception with `expires` is emitted while it
 *   applies, with a note: a policy has no clock, so regenerate after that date;
 * - exemptRequesters -> matchConditions on request.userInfo, as the webhook configurations.
 */
import { expiryOf } from "../policy/config/compile";
import { globToRegExp } from "../policy/config/glob";
import type { PolicyConfig, PolicyException } from "../policy";
import { defaultPolicyConfiguration } from "../policy";
import { vapCoverage, type CelRule } from "../policy/vap";
import { lit } from "../policy/vap/cel";
import { exemptionMatchConditions } from "../webhook/configurations";

type Obj = Record<string, unknown>;

/** ValidatingAdmissionPolicy v1 (admissionregistration.k8s.io/v1) is served from this release on. */
export const VAP_V1_SINCE = { major: 1, minor: 30 };

/** Raised for a --kube-version the generator does not support; the message says why and what to do. */
export class KubeVersionError extends Error {}

export interface VapOptions {
  /** The policy configuration (default: every rule at its severity's action). */
  config?: PolicyConfig;
  /** The API server's Kubernetes version, `1.30` or `v1.33.1`; default 1.30. Below 1.30 throws KubeVersionError. */
  kubeVersion?: string;
  /** Clock for exception expiry (default now). */
  now?: Date;
  /** Prefix of the objects' names; default `kuscia-iac`. */
  namePrefix?: string;
}

export interface VapResult {
  /** Policies and bindings, each policy followed by its binding. */
  objects: Obj[];
  /** What the reader should know: rules off, exceptions with an expiry, approximations. */
  notes: string[];
  /** Rules without a CEL form, with the reason. */
  notExpressed: { rule: string; reason: string }[];
  /**
   * The rules that are on (action not off) and have no policy: what only the webhook (or
   * review/audit, the policy pack for peer.*) applies. Leaves out the rules the configuration
   * turns off and internal.rule-error (kind "*"), the webhook's fail-closed answer when a rule
   * throws, which checks no object.
   */
  uncovered: string[];
  /** Rules with a CEL form that the configuration turns off, so no policy is emitted for them. */
  off: string[];
}

/** Parses `1.30`, `v1.30.2`; throws KubeVersionError for anything else or for a release before 1.30. */
export function checkKubeVersion(v: string): { major: number; minor: number } {
  const m = /^v?(\d+)\.(\d+)(\.\d+)?([-+].*)?$/.exec(v.trim());
  if (!m) throw new KubeVersionError(`--kube-version: found ${JSON.stringify(v)}, expected a Kubernetes version such as 1.30 or v1.33.1`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < VAP_V1_SINCE.major || (major === VAP_V1_SINCE.major && minor < VAP_V1_SINCE.minor)) {
    throw new KubeVersionError(
      `--kube-version: ${v} has no ValidatingAdmissionPolicy v1: it is generally available from Kubernetes 1.30 ` +
        `(admissionregistration.k8s.io/v1). 1.28 and 1.29 serve only v1beta1, behind the ValidatingAdmissionPolicy feature gate and ` +
        `--runtime-config=admissionregistration.k8s.io/v1beta1=true, both off by default, so generated policies would silently do nothing there. ` +
        `Use the admission webhook on that cluster (kuscia-iac webhook --print-configurations --kube-version ${v}), or upgrade to 1.30 or later (Kuscia v1.1 embeds K3s 1.33).`,
    );
  }
  return { major, minor };
}

/** Resource (plural) of a kind, as its CRD names it: Domain -> domains, KusciaDeploymentSummary -> kusciadeploymentsummaries. */
export function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  return k.endsWith("y") ? `${k.slice(0, -1)}ies` : `${k}s`;
}

function kindParts(key: string): { group: string; version: string; kind: string } {
  const parts = key.split("/");
  const kind = parts.pop()!;
  const version = parts.pop()!;
  return { group: parts.join("/"), version, kind };
}

/** An RE2 `matches` over a string CEL expression for a list of globs. */
function globsCel(v: string, globs: readonly string[]): string {
  return `(${globs.map((g) => `${v}.matches(${lit(globToRegExp(g).source)})`).join(" || ")})`;
}

/** The exceptions of the configuration that cover `rule` on `kind` and still apply at `now`. */
function exceptionsFor(config: PolicyConfig, rule: string, kindKey: string, now: Date): PolicyException[] {
  const { kind } = kindParts(kindKey);
  return (config.document.exceptions ?? []).filter((e) => {
    const until = e.expires === undefined ? undefined : expiryOf(e.expires);
    if (until !== undefined && until <= now.getTime()) return false;
    if (!e.rules.some((r) => globToRegExp(r).test(rule))) return false;
    const kinds = e.match.kinds;
    return !kinds || kinds.length === 0 || kinds.some((k) => globToRegExp(k).test(kind) || globToRegExp(k).test(kindKey));
  });
}

/** CEL, true for the objects an exception covers (its kinds are already the policy's). */
function exceptionCovers(e: PolicyException): string {
  const ns = "(has(object.metadata.namespace) ? object.metadata.namespace : '')";
  const name = "(has(object.metadata.name) ? object.metadata.name : '')";
  const parts: string[] = [];
  if (e.match.namespaces?.length) parts.push(globsCel(ns, e.match.namespaces));
  if (e.match.names?.length) parts.push(globsCel(name, e.match.names));
  return parts.length === 0 ? "true" : `(${parts.join(" && ")})`;
}

/**
 * One matchCondition (true = the policy applies) leaving out what any of the exceptions
 * covers: one condition for all of them, so no number of exceptions reaches the API
 * server's limit of 64 matchConditions per policy.
 */
function exceptionCondition(exceptions: PolicyException[]): Obj[] {
  if (exceptions.length === 0) return [];
  return [{ name: "not-excepted", expression: `!(${exceptions.map(exceptionCovers).join(" || ")})` }];
}

/** `expression` over `object`, re-read over `oldObject` (the CEL forms read the object only as `object`). */
function overOld(expression: string): string {
  return expression.replace(/\bobject\b/g, "oldObject");
}

/**
 * The policies and bindings for `opts.config`. Throws KubeVersionError for a Kubernetes
 * release without ValidatingAdmissionPolicy v1.
 */
export function generateVap(opts: VapOptions = {}): VapResult {
  checkKubeVersion(opts.kubeVersion ?? "1.30");
  const config = opts.config ?? defaultPolicyConfiguration();
  const now = opts.now ?? new Date();
  const prefix = opts.namePrefix ?? "kuscia-iac";
  const out: VapResult = { objects: [], notes: [], notExpressed: [], uncovered: [], off: [] };
  const exempt = exemptionMatchConditions(config.document.exemptRequesters);
  const expiring = new Set<string>();

  for (const c of vapCoverage()) {
    const action = config.actionOf(c.rule, c.severity);
    if (!c.cel) {
      out.notExpressed.push({ rule: c.rule, reason: c.reason! });
      if (action !== "off" && c.kind !== "*") out.uncovered.push(c.rule);
      continue;
    }
    if (action === "off") {
      out.off.push(c.rule);
      out.notes.push(`${c.rule}: off in the policy configuration: no policy emitted`);
      continue;
    }
    const exceptions = exceptionsFor(config, c.rule, c.kind, now);
    for (const e of exceptions) if (e.expires !== undefined) expiring.add(`exception ${e.name} expires ${e.expires}: a policy has no clock, so its matchConditions keep excluding those objects; regenerate and re-apply the policies after that date`);
    const allowExisting = action === "deny" && config.allowsExisting(c.rule) && !c.cel.operations;
    const name = `${prefix}.${c.rule}`;
    out.objects.push(policyObject(name, c.rule, c.kind, c.cel, allowExisting, [...exceptionCondition(exceptions), ...exempt.map((x) => ({ ...x }))]));
    out.objects.push({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name, labels: labels(c.rule) },
      spec: { policyName: name, validationActions: [action === "deny" ? "Deny" : action === "warn" ? "Warn" : "Audit"] },
    });
  }
  out.notes.push(...expiring);
  return out;
}

function labels(rule: string): Obj {
  return { "app.kubernetes.io/managed-by": "kuscia-iac", "kuscia-iac.secretflow/rule": rule };
}

function policyObject(name: string, rule: string, kindKey: string, cel: CelRule, allowExisting: boolean, matchConditions: Obj[]): Obj {
  const { group, version, kind } = kindParts(kindKey);
  const validations = cel.validations.map((v) => ({
    expression: allowExisting ? `(${v.expression}) || (request.operation == 'UPDATE' && oldObject != null && !(${overOld(v.expression)}))` : v.expression,
    messageExpression: `(${v.message}) + ${lit(` [${rule}]`)}`,
    // Shown if the message expression itself cannot be evaluated.
    message: `refused by rule ${rule} [${rule}]`,
  }));
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name, labels: labels(rule) },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: [{ apiGroups: [group], apiVersions: [version], operations: cel.operations ?? ["CREATE", "UPDATE"], resources: [pluralOf(kind)] }],
      },
      ...(matchConditions.length > 0 ? { matchConditions } : {}),
      validations,
    },
  };
}
