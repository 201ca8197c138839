import * as pulumi from "@pulumi/pulumi";

/**
 * Options adding `keys` to `additionalSecretOutputs`, so the engine keeps
 * those outputs encrypted in the state.
 */
export function withSecretOutputs<O extends pulumi.CustomResourceOptions>(opts: O | undefined, keys: readonly string[]): O {
  return { ...(opts ?? ({} as O)), additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...keys] };
}

/**
 * Re-wraps outputs as secrets on the resource object. The engine marks them
 * secret in the state (additionalSecretOutputs), but only once they come back
 * from it; wrapping here makes every consumer in the program, and every test,
 * see them as secrets from the start.
 */
export function markSecret(resource: pulumi.Resource, keys: readonly string[]): void {
  const r = resource as unknown as Record<string, pulumi.Output<unknown>>;
  for (const k of keys) r[k] = pulumi.secret(r[k]);
}
