/**
 * Where the create and diff of generated keys, certificates and tokens run.
 *
 * In a Node.js program they are dynamic resources (`pulumi-nodejs:dynamic/kuscia-iac:<Kind>`):
 * the engine runs them in its Node.js dynamic-provider host, which loads the implementation
 * from the program's node_modules. A program in another language reaches the components
 * through the component provider, and its project directory has no node_modules: the
 * engine's `pulumi-resource-pulumi-nodejs` then cannot start (seen with a YAML program:
 * "no resource plugin 'pulumi-resource-pulumi-nodejs' found", or, with the plugin, a
 * `require` of @pulumi/pulumi that fails in the YAML project's directory). So inside the
 * provider plugin the same classes register custom resources of this package instead
 * (`kuscia-iac:secrets:<Kind>`), whose create and diff the provider plugin itself serves
 * (provider/secrets.ts) with the same implementation (generate.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { SecretKind } from "./generate";

let hostedByPlugin = false;

/**
 * Makes the key, certificate and token resources created from now on in this process
 * custom resources of the kuscia-iac provider plugin. Called once by the plugin's main
 * (provider/main.ts), never by a program: a stack's existing dynamic resources would
 * otherwise be replaced by new keys.
 */
export function hostSecretsInProvider(on: boolean): void {
  hostedByPlugin = on;
}

/** True inside the provider plugin (see {@link hostSecretsInProvider}). */
export function secretsHostedByPlugin(): boolean {
  return hostedByPlugin;
}

/** Module of the plugin-hosted resources' type tokens. */
export const HOSTED_MODULE = "secrets";

/** The type token of a plugin-hosted secret resource: `kuscia-iac:secrets:<Kind>`. */
export function hostedType(kind: SecretKind): string {
  return `kuscia-iac:${HOSTED_MODULE}:${kind}`;
}

/** The kind of a plugin-hosted type token, or undefined for any other token. */
export function hostedKind(type: string): SecretKind | undefined {
  const m = /^kuscia-iac:secrets:(RsaKey|SelfSignedCertificate|IssuedCertificate|DeployToken|EncryptedInfo)$/.exec(type);
  return m ? (m[1] as SecretKind) : undefined;
}

/**
 * Builds an instance of `target` (the class being constructed: RsaKey, ...) as a plain custom
 * resource of type `kuscia-iac:secrets:<kind>`: the prototype is the class's, so `instanceof`
 * and the declared Output properties work as for the dynamic resource, but the constructor that
 * runs is CustomResource's, without the dynamic provider's serialized `__provider` input.
 */
export function constructHosted<T>(target: Function, kind: SecretKind, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions | undefined): T {
  return Reflect.construct(pulumi.CustomResource, [hostedType(kind), name, props, opts], target) as T;
}

/** The type token a secret resource of `kind` registers with here: the plugin's own, or the dynamic resource's. */
export function secretType(kind: SecretKind): string {
  return hostedByPlugin ? hostedType(kind) : `pulumi-nodejs:dynamic/kuscia-iac:${kind}`;
}
