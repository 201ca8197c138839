/** Resource validation arguments shaped like the ones @pulumi/policy's analyzer server builds. */
import { unknownCheckingProxy, type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
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

export async function messagesOf(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
  const out: string[] = [];
  const validations = [policy.validateResource ?? []].flat();
  for (const v of validations) await v(args, (message) => out.push(message));
  return out;
}
