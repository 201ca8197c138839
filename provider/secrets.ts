/**
 * The create and diff of the keys, certificates and tokens the components generate, when
 * they run inside this provider plugin (components/secrets/host.ts): the engine sends the
 * plugin the `kuscia-iac:secrets:<Kind>` resources those components register. Same
 * implementation as the dynamic providers of a Node.js program (components/secrets/generate.ts):
 * made once at create, replaced when what they were made from changes, never updated.
 * Read and delete are the provider server's defaults (the state is the resource; nothing
 * to remove).
 */
import type * as provider from "@pulumi/pulumi/provider";
import { hostedKind } from "../components/secrets/host";
import { createDeployToken, createEncryptedInfo, createIssuedCertificate, createRsaKey, createSelfSignedCertificate, diffSecret, type SecretKind } from "../components/secrets/generate";

type Props = Record<string, unknown>;

const CREATE: Record<SecretKind, (inputs: Props) => Promise<provider.CreateResult>> = {
  RsaKey: createRsaKey,
  SelfSignedCertificate: createSelfSignedCertificate,
  IssuedCertificate: createIssuedCertificate,
  DeployToken: createDeployToken,
  EncryptedInfo: createEncryptedInfo,
};

/** The type token of a URN (`urn:pulumi:<stack>::<project>::<parent types$>type::<name>`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

/** The secret kind a URN names, or an error naming the type this plugin does not serve. */
export function secretKindOf(urn: string): SecretKind {
  const kind = hostedKind(typeOfUrn(urn));
  if (!kind) throw new Error(`unknown resource type ${typeOfUrn(urn)}: this provider creates only kuscia-iac:secrets:* resources; its components are built by construct`);
  return kind;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Properties as the provider server hands them over: the plugin accepts secrets, so the
 * engine sends a secret as its wire envelope `{<sig>: <secret sig>, value}`. The
 * implementation wants the values; secrecy is the engine's business (the resources'
 * `additionalSecretOutputs` and secret inputs keep them encrypted in the state).
 */
export function unwrapSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") {
    const o = v as Props;
    if (o[SIG_KEY] === SECRET_SIG) return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

export async function createSecret(urn: string, inputs: Props): Promise<provider.CreateResult> {
  return CREATE[secretKindOf(urn)](unwrapSecrets(inputs) as Props);
}

export async function diffSecretResource(urn: string, olds: Props, news: Props): Promise<provider.DiffResult> {
  return diffSecret(secretKindOf(urn), unwrapSecrets(olds) as Props, unwrapSecrets(news) as Props);
}
