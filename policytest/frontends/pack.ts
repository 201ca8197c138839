/**
 * `kuscia-iac test --frontend pack`: each case through the policies of the CrossGuard pack
 * (policypack/policies.ts buildPolicies), called as Pulumi's analyzer calls them: the
 * resource under its type token (`kubernetes:<group/version>:<Kind>`) with props behind the
 * policy SDK's unknown-checking proxy; every policy at its enforcement level, disabled ones
 * not at all; the stack policies (reference rules) over the case's object and its extra
 * objects; the `kuscia-defaults` remediation for the patch.
 *
 * What a pack cannot see is not compared: a Pulumi program has no UPDATE with an old object
 * for the pack, no DELETE, and no requester; `peer.*` runs only in the pack (it compares two
 * clusters' objects of one stack) and is left out of the comparison.
 */
import { unknownCheckingProxy, type EnforcementLevel, type PolicyResource, type ReportViolation, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { applyOperation, type Operation } from "fast-json-patch";
import { rules, type PolicyConfig } from "../../policy";
import { PEERING_RULES } from "../../policy/peering";
import { jsonClone } from "../../policy/walk";
import { buildPolicies, DEFAULTS_POLICY } from "../../policypack/policies";
import type { TestCase } from "../load";
import { outcomeOf, sortedSet, type Observation } from "../observe";
import type { FrontendView } from "../compare";
import type { Frontend } from "./types";

type Policy = ResourceValidationPolicy | StackValidationPolicy;
type Obj = Record<string, unknown>;

/** The token @pulumi/kubernetes registers the object's type under (CustomResource, yaml/v2, Helm v4, crd2pulumi). */
export function typeToken(obj: Obj): string {
  const gv = String(obj.apiVersion);
  return `kubernetes:${gv.includes("/") ? gv : `core/${gv}`}:${String(obj.kind)}`;
}

const OPTS = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

function resourceArgs(obj: Obj, name: string): ResourceValidationArgs {
  const type = typeToken(obj);
  return {
    type,
    props: unknownCheckingProxy(jsonClone(obj)),
    urn: `urn:pulumi:test::kuscia-iac::${type}::${name}`,
    name,
    opts: OPTS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

interface Report {
  policy: string;
  level: EnforcementLevel;
  message: string;
  urn?: string;
}

/** Collects reports as the analyzer turns them into diagnostics: a report object carries its own level, its message after the description line. */
function collector(policy: string, level: EnforcementLevel, out: Report[]): ReportViolation {
  return ((m: string | { message: string; enforcementLevel?: EnforcementLevel; urn?: string }, urn?: string) => {
    if (typeof m === "string") out.push({ policy, level, message: m, ...(urn ? { urn } : {}) });
    else out.push({ policy, level: m.enforcementLevel ?? level, message: m.message.split("\n").slice(1).join("\n"), ...(m.urn ? { urn: m.urn } : {}) });
  }) as ReportViolation;
}

/** `obj` with `patch` applied operation by operation, skipping one whose target is absent (the patch is relative to the delivered object). */
export function patchedObject(obj: Obj, patch: readonly Operation[]): Obj {
  const out = jsonClone(obj);
  for (const op of patch) {
    try {
      applyOperation(out, op, false, true);
    } catch {
      // the parent exists only after the API server's CRD defaults: the pack leaves it too
    }
  }
  return out;
}

export class PackFrontend implements Frontend {
  readonly name = "pack";
  readonly view: FrontendView = {
    rules: new Set(rules().map((r) => r.id).filter((id) => !PEERING_RULES.some((p) => p.id === id))),
    sees: new Set(["violations", "warnings", "audits", "exceptions"]),
    patch: "object",
  };
  private readonly built = new Map<string, Policy[]>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;

  private policies(config: PolicyConfig, now: Date | undefined): Policy[] {
    let id = this.ids.get(config);
    if (id === undefined) this.ids.set(config, (id = this.nextId++));
    const key = `${id}/${now?.getTime() ?? "-"}`;
    let p = this.built.get(key);
    if (!p) {
      p = buildPolicies(config, now ? { now: () => now } : {});
      this.built.set(key, p);
    }
    return p;
  }

  async observe(c: TestCase): Promise<(Observation & { patched?: unknown }) | { notApplicable: string }> {
    if (c.operation !== "CREATE") return { notApplicable: `a policy pack reviews what a Pulumi program declares: no ${c.operation} with an old object` };
    if (c.userInfo && c.config.exemption(c.userInfo)) return { notApplicable: "a policy pack sees no requester, so no exempt requester" };
    const policies = this.policies(c.config, c.now);
    const reports: Report[] = [];
    const args = resourceArgs(c.object, "case");
    let patched: Obj = c.object;
    for (const p of policies) {
      const level = p.enforcementLevel ?? "mandatory";
      if (level === "disabled") continue;
      if ("validateResource" in p && p.validateResource) {
        for (const v of [p.validateResource].flat()) await v(args, collector(p.name, level === "remediate" ? "mandatory" : level, reports));
      }
      if (p.name === DEFAULTS_POLICY && "remediateResource" in p && p.remediateResource) {
        const out = await p.remediateResource(resourceArgs(c.object, "case"));
        if (out) patched = { ...(out as Obj), apiVersion: c.object.apiVersion, kind: c.object.kind };
      }
    }
    if (c.references) {
      const resources: PolicyResource[] = [c.object, ...c.references].map((o, i) => {
        const a = resourceArgs(o, i === 0 ? "case" : `ref${i}`);
        return { type: a.type, props: a.props, urn: a.urn, name: a.name, opts: a.opts, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined };
      });
      for (const p of policies) {
        const level = p.enforcementLevel ?? "mandatory";
        if (level === "disabled" || !("validateStack" in p)) continue;
        const stackReports: Report[] = [];
        await p.validateStack({ resources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: () => undefined as never }, collector(p.name, level, stackReports));
        reports.push(...stackReports.filter((r) => r.urn === args.urn));
      }
    }
    const violations: string[] = [];
    const warnings: string[] = [];
    const audits: string[] = [];
    const exceptions: string[] = [];
    for (const r of reports) {
      if (r.policy === DEFAULTS_POLICY) continue; // "missing defaults" at advisory level: the remediation covers it
      const m = /^\[([^\]]+)\] (.*)$/s.exec(r.message);
      if (!m) throw new Error(`the pack's policy ${r.policy} reported without a rule id: ${r.message.slice(0, 200)}`);
      const [, rule, rest] = m;
      const ex = /^exception ([^:]+): /.exec(rest);
      if (ex) {
        audits.push(rule);
        exceptions.push(ex[1]);
      } else if (rest.startsWith("audit: ")) audits.push(rule);
      else if (r.level === "mandatory") violations.push(rule);
      else warnings.push(rule);
    }
    return {
      outcome: outcomeOf({ violations, warnings, audits }),
      violations: sortedSet(violations),
      warnings: sortedSet(warnings),
      audits: sortedSet(audits),
      exceptions: sortedSet(exceptions),
      patch: [],
      messages: reports.slice(0, 5).map((r) => r.message),
      patched,
    };
  }

  async close(): Promise<void> {
    this.built.clear();
  }
}
