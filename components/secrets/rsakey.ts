import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE, rsaKeyProvider } from "./providers";
import { constructHosted, secretsHostedByPlugin } from "./host";
import { markSecret, withSecretOutputs } from "./secretoutputs";

export interface RsaKeyArgs {
  /** Modulus size; default 2048 (what Kuscia's generate_rsa_key.sh makes). Changing it makes a new key. */
  bits?: pulumi.Input<number>;
}

const SECRET_OUTPUTS = ["privateKeyPem", "privateKeyBase64"] as const;

/**
 * An RSA private key generated once, at creation, and kept in the (encrypted)
 * state: later `pulumi up`s keep it until `bits` changes. Private outputs are
 * secrets.
 */
export class RsaKey extends pulumi.dynamic.Resource {
  declare readonly bits: pulumi.Output<number>;
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"). Secret. */
  declare readonly privateKeyPem: pulumi.Output<string>;
  /** base64 of privateKeyPem, as kuscia.yaml's `domainKeyData`. Secret. */
  declare readonly privateKeyBase64: pulumi.Output<string>;
  /** SubjectPublicKeyInfo PEM. */
  declare readonly publicKeyPem: pulumi.Output<string>;
  /** SHA-256 of the DER public key, hex. */
  declare readonly keyFingerprint: pulumi.Output<string>;

  constructor(name: string, args: RsaKeyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const props = { bits: args.bits ?? 2048, privateKeyPem: undefined, privateKeyBase64: undefined, publicKeyPem: undefined, keyFingerprint: undefined };
    if (secretsHostedByPlugin()) {
      const hosted = constructHosted<RsaKey>(new.target, "RsaKey", name, props, withSecretOutputs(opts, SECRET_OUTPUTS));
      markSecret(hosted, SECRET_OUTPUTS);
      return hosted;
    }
    super(rsaKeyProvider, name, props, withSecretOutputs(opts, SECRET_OUTPUTS), DYNAMIC_MODULE, "RsaKey");
    markSecret(this, SECRET_OUTPUTS);
  }
}
