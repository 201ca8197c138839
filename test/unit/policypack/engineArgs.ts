/** Resource validation arguments shaped like the ones @pulumi/policy's analyzer server builds. */
import { unknownCheckingProxy, type EnforcementLevel, type PolicyResource, type ReportViolation, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationArgs, type StackValidationPolicy } from "@pulumi/policy";

type Policy = ResourceValidationPolicy | StackValidationPolicy;
import { CUSTOM_RESOURCE_TYPE } from "../../../policypack/objects";

export function engineArgs(type: string, props: Record<string, unknown>, name = "res"): ResourceValidationArgs {
  return {
    type,
    // The server hands policies its unknown-checking proxy, not the plain object.
    props: unknownCheckingProxy(props),
    urn: `urn:pulumi:dev::kuscia::${type}::${name}`,
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

/**
 * The token the engine sees for the object: a ConfigMap's, or the `kubernetes:<apiVersion>:<kind>`
 * that @pulumi/kubernetes' CustomResource, yaml/v2, Helm v4 and crd2pulumi types all register.
 */
export function typedToken(obj: { apiVersion?: unknown; kind?: unknown }): string {
  const gv = String(obj.apiVersion);
  return `kubernetes:${gv.includes("/") ? gv : `core/${gv}`}:${String(obj.kind)}`;
}

/** Every token the object may come under: the typed one and, for custom resources, the generic one. */
export function tokensFor(obj: { apiVersion?: unknown; kind?: unknown }): string[] {
  return obj.apiVersion === "v1" ? [typedToken(obj)] : [typedToken(obj), CUSTOM_RESOURCE_TYPE];
}

/** What a policy reported, as the analyzer server turns it into a diagnostic. */
export interface Reported {
  policy: string;
  level: EnforcementLevel;
  message: string;
  urn?: string;
}

/**
 * Runs resource policies as the analyzer server does: each at its level (Pulumi's policy config
 * `levels` overriding the policy's own), disabled ones not at all; a report given as an object
 * carries its own level, and its message after the description line.
 */
export async function reportsOf(policies: readonly Policy[], args: ResourceValidationArgs, levels: Record<string, EnforcementLevel> = {}): Promise<Reported[]> {
  const out: Reported[] = [];
  for (const p of policies) {
    const level = levels[p.name] ?? p.enforcementLevel ?? "mandatory";
    if (level === "disabled" || !("validateResource" in p) || !p.validateResource) continue;
    for (const v of [p.validateResource].flat()) await v(args, collect(p.name, level === "remediate" ? "mandatory" : level, out));
  }
  return out;
}

/** Runs stack policies as the analyzer server does (see reportsOf). */
export async function stackReportsOf(policies: readonly Policy[], resources: PolicyResource[], levels: Record<string, EnforcementLevel> = {}): Promise<Reported[]> {
  const out: Reported[] = [];
  for (const p of policies) {
    const level = levels[p.name] ?? p.enforcementLevel ?? "mandatory";
    if (level === "disabled" || !("validateStack" in p)) continue;
    const args: StackValidationArgs = { resources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: () => { throw new Error("not applicable"); } };
    await p.validateStack(args, collect(p.name, level, out));
  }
  return out;
}

function collect(policy: string, level: EnforcementLevel, out: Reported[]): ReportViolation {
  return ((m: string | { message: string; enforcementLevel?: EnforcementLevel; urn?: string }, urn?: string) => {
    if (typeof m === "string") out.push({ policy, level, message: m, ...(urn ? { urn } : {}) });
    else out.push({ policy, level: m.enforcementLevel ?? level, message: m.message.split("\n").slice(1).join("\n"), ...(m.urn ? { urn: m.urn } : {}) });
  }) as ReportViolation;
}

/** A resource of a stack, shaped like the ones @pulumi/policy's analyzer server builds for validateStack. */
export function stackResource(type: string, props: Record<string, unknown>, name: string): PolicyResource {
  const a = engineArgs(type, props, name);
  return { type, props: a.props, urn: a.urn, name, opts: a.opts, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined };
}

export async function messagesOf(policy: Policy, args: ResourceValidationArgs): Promise<string[]> {
  return (await reportsOf([policy], args)).map((r) => r.message);
}
