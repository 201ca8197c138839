/**
 * The dynamic providers behind RsaKey, SelfSignedCertificate and
 * IssuedCertificate. Exported so tests (and Pulumi mocks) can call `create`
 * and `diff` directly.
 *
 * Pulumi serializes a dynamic provider into the state and runs that text in
 * the engine's pulumi-nodejs plugin. The serializer would copy pki/ by value
 * but not what its modules do when loaded (the reflect-metadata polyfill
 * @peculiar/x509 needs, the WebCrypto registration), so each method loads the
 * implementation by its absolute path instead: the text stays small and the
 * plugin runs the very code the tests run. (Captured names must differ from
 * the method names: the serializer takes `create` inside `create` for the
 * method itself and would drop it.)
 *
 * The implementation is found by package name (`kuscia-iac/dist/components/secrets/generate`),
 * resolved from the program's node_modules, never by a path of this machine: the provider's text
 * is stored in the state, which must hold no absolute path and must not change when the program
 * runs from another checkout. In this process the module is found through a global set below.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { SecretKind } from "./generate";

type Implementation = typeof import("./generate");

/** Where this process finds the implementation (the engine's dynamic-provider host finds it by package name). */
const LOADER = "kuscia-iac.secrets.implementation";
(globalThis as Record<string, unknown>)[LOADER] = () => require("./generate");

function provider(kind: SecretKind, make: (impl: Implementation, inputs: Record<string, unknown>) => Promise<pulumi.dynamic.CreateResult>): pulumi.dynamic.ResourceProvider {
  return {
    async create(inputs: Record<string, unknown>) {
      const load = (globalThis as Record<string, unknown>)["kuscia-iac.secrets.implementation"] as (() => Implementation) | undefined;
      return make(load ? load() : (require("kuscia-iac/dist/components/secrets/generate") as Implementation), inputs);
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      const load = (globalThis as Record<string, unknown>)["kuscia-iac.secrets.implementation"] as (() => Implementation) | undefined;
      return (load ? load() : (require("kuscia-iac/dist/components/secrets/generate") as Implementation)).diffSecret(kind, olds, news);
    },
  };
}

export const rsaKeyProvider = provider("RsaKey", (impl, inputs) => impl.createRsaKey(inputs));
export const selfSignedCertificateProvider = provider("SelfSignedCertificate", (impl, inputs) => impl.createSelfSignedCertificate(inputs));
export const issuedCertificateProvider = provider("IssuedCertificate", (impl, inputs) => impl.createIssuedCertificate(inputs));
export const deployTokenProvider = provider("DeployToken", (impl, inputs) => impl.createDeployToken(inputs));
export const encryptedInfoProvider = provider("EncryptedInfo", (impl, inputs) => impl.createEncryptedInfo(inputs));

/** Module of the resources' type tokens: `pulumi-nodejs:dynamic/kuscia-iac:<Kind>`. */
export const DYNAMIC_MODULE = "kuscia-iac";

export const DYNAMIC_TYPES = {
  RsaKey: `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:RsaKey`,
  SelfSignedCertificate: `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:SelfSignedCertificate`,
  IssuedCertificate: `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:IssuedCertificate`,
  DeployToken: `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:DeployToken`,
  EncryptedInfo: `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:EncryptedInfo`,
} as const;

/** Provider by resource type token, for mocks that run the real providers. */
export const DYNAMIC_PROVIDERS: Readonly<Record<string, pulumi.dynamic.ResourceProvider>> = {
  [DYNAMIC_TYPES.RsaKey]: rsaKeyProvider,
  [DYNAMIC_TYPES.SelfSignedCertificate]: selfSignedCertificateProvider,
  [DYNAMIC_TYPES.IssuedCertificate]: issuedCertificateProvider,
  [DYNAMIC_TYPES.DeployToken]: deployTokenProvider,
  [DYNAMIC_TYPES.EncryptedInfo]: encryptedInfoProvider,
};
