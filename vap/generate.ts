/**
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects for every rule
 * with a CEL form (policy/vap), under a policy configuration: one policy and one binding
 * per rule, so each rule gets its own action. Pure: no I/O.
 *
 * Mapping of the configuration (docs/policy-configuration.md, docs/vap.md):
 * - action deny / warn / audit -> the binding's validationActions Deny / Warn / Audit;
 *   off -> neither policy nor binding;
 * - allowExistingViolations (deny rules, default true) -> each expression also passes an
 *   UPDATE whose old object already failed it and which leaves every field the expression
 *   reads unchanged (relief(): never more lenient than the webhook, which keeps such a
 *   finding as a warning; a policy allows it silently);
 * - exceptions -> matchConditions on the rule's policy excluding the matching kinds,
 *   namespaces and names (globs as RE2); an exception with `expires` is emitted while it
 *   applies, with a note: a policy has no clock, so regenerate after that date;
 * - exemptRequesters -> matchConditions on request.userInfo, as the webhook configurations.
 */
import { expiryOf } from "../policy/config/compile";
import { anyGlob, globToRe2 } from "../policy/config/glob";
import type { PolicyConfig, PolicyException } from "../policy";
import { defaultPolicyConfiguration } from "../policy";
import { vapCoverage, type CelRule } from "../policy/vap";
import { lit } from "../policy/vap/cel";
import { admissionFeatures, describeEmbedded } from "../policy/upstream/embedded";
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
  // The feature stages of each Kubernetes line are data in the rule book (policy/upstream/embedded.ts).
  const features = admissionFeatures(v);
  if (features.validatingAdmissionPolicy !== "on") {
    const served =
      features.validatingAdmissionPolicy === "absent"
        ? "does not have it at all"
        : `serves only ${features.validatingAdmissionPolicyVersion}, behind the ValidatingAdmissionPolicy feature gate and --runtime-config=admissionregistration.k8s.io/${features.validatingAdmissionPolicyVersion}=true, both off by default, so generated policies would silently do nothing there`;
    throw new KubeVersionError(
      `--kube-version: ${v} has no ValidatingAdmissionPolicy v1: it is generally available from Kubernetes 1.30 ` +
        `(admissionregistration.k8s.io/v1); Kubernetes ${features.kubernetes} ${served}. ` +
        `Use the admission webhook on that cluster (kuscia-iac webhook --print-configurations --kube-version ${v}), or upgrade to 1.30 or later (${describeEmbedded()}).`,
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
  return `(${globs.map((g) => `${v}.matches(${lit(globToRe2(g))})`).join(" || ")})`;
}

/** The exceptions of the configuration that cover `rule` on `kind` and still apply at `now`. */
function exceptionsFor(config: PolicyConfig, rule: string, kindKey: string, now: Date): PolicyException[] {
  const { kind } = kindParts(kindKey);
  return (config.document.exceptions ?? []).filter((e) => {
    const until = e.expires === undefined ? undefined : expiryOf(e.expires);
    if (until !== undefined && until <= now.getTime()) return false;
    if (!anyGlob(e.rules)(rule)) return false;
    const kinds = anyGlob(e.match.kinds);
    return kinds(kind) || kinds(kindKey);
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

/** A field a CEL expression reads under `object`: its value, or (inside has()) only whether it is set. */
export interface FieldRead {
  path: string[];
  presence: boolean;
}

/**
 * The fields a CEL expression reads, as paths under `object` (`spec.members`), without method
 * and macro names (`object.spec.members.all(` reads spec.members). A path read only in has()
 * is a presence read. Reads another one implies are left out: a value read covers the reads
 * inside it, and the presence of every field on its way. Exported for the tests.
 */
export function fieldsRead(expression: string): FieldRead[] {
  const reads: FieldRead[] = [];
  for (const m of expression.matchAll(/\bobject((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
    const path = m[1].slice(1).split(".");
    const after = expression[m.index! + m[0].length];
    if (after === "(") path.pop();
    if (path.length === 0) continue;
    const presence = expression.slice(Math.max(0, m.index! - 4), m.index!) === "has(" && after === ")";
    reads.push({ path, presence });
  }
  const key = (p: string[]) => p.join(".");
  const within = (inner: string[], outer: string[]) => inner.length >= outer.length && outer.every((s, i) => inner[i] === s);
  const values = [...new Map(reads.filter((r) => !r.presence).map((r) => [key(r.path), r.path])).values()];
  const keptValues = values.filter((p) => !values.some((q) => q.length < p.length && within(p, q)));
  const presences = [...new Map(reads.filter((r) => r.presence).map((r) => [key(r.path), r.path])).values()];
  // A presence is implied by a value read at or below it (sameField compares presence on the way) or above it.
  const keptPresences = presences.filter((p) => !keptValues.some((v) => within(v, p) || within(p, v)) && !presences.some((q) => q.length > p.length && within(q, p)));
  return [...keptValues.map((path) => ({ path, presence: false })), ...keptPresences.map((path) => ({ path, presence: true }))].sort((x, y) => key(x.path).localeCompare(key(y.path)));
}

/**
 * CEL, true when `object` and `oldObject` agree on the field at `path`: both absent, or both
 * present and equal (for a presence read, both present).
 */
function sameField(path: string[], presence: boolean): string {
  const at = (root: string, n: number) => [root, ...path.slice(0, n)].join(".");
  let expr = presence ? "true" : `${at("object", path.length)} == ${at("oldObject", path.length)}`;
  for (let n = path.length; n >= 1; n--) {
    expr = `(has(${at("object", n)}) == has(${at("oldObject", n)})) && (!has(${at("object", n)}) || (${expr}))`;
  }
  return expr;
}

/**
 * The existing-violation relief of one validation: an UPDATE passes when the stored object
 * already failed the same validation and the update leaves every field the validation reads
 * as it was. That is never more lenient than the webhook, which relieves a finding only when
 * the stored object had it at the same path with the same value; it is stricter where the
 * update changes a field the validation reads yet keeps the old violation (a list that grows
 * while keeping a duplicate): the webhook allows that with a warning, a policy refuses it.
 */
function relief(expression: string): string {
  const same = fieldsRead(expression).map((r) => sameField(r.path, r.presence));
  return `(request.operation == 'UPDATE' && oldObject != null && !(${overOld(expression)})${same.map((x) => ` && (${x})`).join("")})`;
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
    expression: allowExisting ? `(${v.expression}) || ${relief(v.expression)}` : v.expression,
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
