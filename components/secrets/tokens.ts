import * as pulumi from "@pulumi/pulumi";
import { keepSecret } from "../children";
import { DYNAMIC_MODULE, DYNAMIC_TYPES, deployTokenProvider, encryptedInfoProvider } from "./providers";
import { constructHosted, hostedType, secretsHostedByPlugin } from "./host";
import { markSecret, withSecretOutputs } from "./secretoutputs";

export interface DeployTokenArgs {
  /** Characters; default 32 (what Kuscia's domain controller makes). Changing it makes a new token. */
  length?: pulumi.Input<number>;
}

/**
 * A random token generated once, at creation, and kept (secret) in the state: a lite
 * node's `liteDeployToken`. Later `pulumi up`s keep it until `length` changes.
 */
export class DeployToken extends pulumi.dynamic.Resource {
  declare readonly length: pulumi.Output<number>;
  /** The token. Secret. */
  declare readonly token: pulumi.Output<string>;

  constructor(name: string, args: DeployTokenArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const props = { length: args.length ?? 32, token: undefined };
    if (secretsHostedByPlugin()) {
      const hosted = constructHosted<DeployToken>(new.target, "DeployToken", name, props, withSecretOutputs(opts, ["token"]));
      markSecret(hosted, ["token"]);
      return hosted;
    }
    super(deployTokenProvider, name, props, withSecretOutputs(opts, ["token"]), DYNAMIC_MODULE, "DeployToken");
    markSecret(this, ["token"]);
  }
}

export interface EncryptedInfoArgs {
  /** The plaintext to encrypt (a DomainDataSource's connection info as JSON). Secret in the state. */
  info: pulumi.Input<string>;
  /** base64 of the PEM certificate (or the PEM) whose RSA public key encrypts it: the domain's certificate. */
  certificate: pulumi.Input<string>;
}

/**
 * The connection info of a DomainDataSource encrypted as KusciaAPI's CreateDomainDataSource
 * does (RSA-OAEP, SHA-256, with the domain's public key), once: RSA-OAEP is randomized, so
 * encrypting at every `pulumi up` would change the object every time. Made again when the info
 * or the certificate changes.
 */
export class EncryptedInfo extends pulumi.dynamic.Resource {
  /** base64 of the ciphertext, for `spec.data.encryptedInfo`. Secret. */
  declare readonly encryptedInfo: pulumi.Output<string>;
  declare readonly certificateFingerprint: pulumi.Output<string>;

  constructor(name: string, args: EncryptedInfoArgs, opts?: pulumi.CustomResourceOptions) {
    const props = { info: pulumi.secret(args.info), certificate: args.certificate, encryptedInfo: undefined, certificateFingerprint: undefined };
    if (secretsHostedByPlugin()) {
      const hosted = constructHosted<EncryptedInfo>(new.target, "EncryptedInfo", name, props, withSecretOutputs(opts, ["info", "encryptedInfo"]));
      markSecret(hosted, ["encryptedInfo"]);
      keepSecret(hostedType("EncryptedInfo"), name, ["info"]);
      return hosted;
    }
    super(encryptedInfoProvider, name, props, withSecretOutputs(opts, ["info", "encryptedInfo"]), DYNAMIC_MODULE, "EncryptedInfo");
    markSecret(this, ["encryptedInfo"]);
    keepSecret(DYNAMIC_TYPES.EncryptedInfo, name, ["info"]);
  }
}
