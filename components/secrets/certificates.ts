import * as pulumi from "@pulumi/pulumi";
import { keepSecret } from "../children";
import { constructHosted, hostedType, secretsHostedByPlugin } from "./host";
import { DYNAMIC_MODULE, DYNAMIC_TYPES, issuedCertificateProvider, selfSignedCertificateProvider } from "./providers";

/** Validity of what these resources issue by default: ten years, like Kuscia's own domain certificates. */
export const DEFAULT_CERT_DAYS = 3650;

const CERT_OUTPUTS = { certPem: undefined, certBase64: undefined, notBefore: undefined, notAfter: undefined, serialNumber: undefined, fingerprint: undefined };

export interface SelfSignedCertificateArgs {
  /** PEM private key to certify (PKCS#1 or PKCS#8); kept secret in the state. */
  privateKeyPem: pulumi.Input<string>;
  /** Subject CN, e.g. a Kuscia domain ID. */
  commonName: pulumi.Input<string>;
  /** DNS names and IP addresses. */
  sans?: pulumi.Input<pulumi.Input<string>[]>;
  /** Validity in days from creation; default {@link DEFAULT_CERT_DAYS}. */
  days?: pulumi.Input<number>;
  /** A CA that can sign other certificates. */
  isCA?: pulumi.Input<boolean>;
}

/** Outputs every certificate resource has. */
export interface CertificateOutputs {
  /** PEM certificate. */
  readonly certPem: pulumi.Output<string>;
  /** base64 of certPem (Domain.spec.cert, caBundle). */
  readonly certBase64: pulumi.Output<string>;
  readonly notBefore: pulumi.Output<string>;
  readonly notAfter: pulumi.Output<string>;
  readonly serialNumber: pulumi.Output<string>;
  /** SHA-256 fingerprint, colon-separated hex. */
  readonly fingerprint: pulumi.Output<string>;
}

/**
 * A self-signed certificate for a given key, made once at creation: a Kuscia
 * domain certificate (CN = domain ID) or a CA. Replaced only when the key,
 * names, validity or CA flag change.
 */
export class SelfSignedCertificate extends pulumi.dynamic.Resource implements CertificateOutputs {
  declare readonly certPem: pulumi.Output<string>;
  declare readonly certBase64: pulumi.Output<string>;
  declare readonly notBefore: pulumi.Output<string>;
  declare readonly notAfter: pulumi.Output<string>;
  declare readonly serialNumber: pulumi.Output<string>;
  declare readonly fingerprint: pulumi.Output<string>;

  constructor(name: string, args: SelfSignedCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      privateKeyPem: pulumi.secret(args.privateKeyPem),
      commonName: args.commonName,
      sans: args.sans ?? [],
      days: args.days ?? DEFAULT_CERT_DAYS,
      isCA: args.isCA ?? false,
      ...CERT_OUTPUTS,
    };
    if (secretsHostedByPlugin()) {
      keepSecret(hostedType("SelfSignedCertificate"), name, ["privateKeyPem"]);
      return constructHosted<SelfSignedCertificate>(new.target, "SelfSignedCertificate", name, props, opts);
    }
    super(selfSignedCertificateProvider, name, props, opts, DYNAMIC_MODULE, "SelfSignedCertificate");
    // Kept secret in the state even through a `transforms` callback (see children.ts).
    keepSecret(DYNAMIC_TYPES.SelfSignedCertificate, name, ["privateKeyPem"]);
  }
}

export interface IssuedCertificateArgs {
  /** PEM private key to certify; kept secret in the state. */
  privateKeyPem: pulumi.Input<string>;
  /** PEM certificate of the issuing CA. */
  caCertPem: pulumi.Input<string>;
  /** PEM private key of the issuing CA; kept secret in the state. */
  caPrivateKeyPem: pulumi.Input<string>;
  commonName: pulumi.Input<string>;
  /** DNS names (wildcards allowed) and IP addresses. */
  sans?: pulumi.Input<pulumi.Input<string>[]>;
  /** Validity in days from creation (capped at the CA's); default {@link DEFAULT_CERT_DAYS}. */
  days?: pulumi.Input<number>;
  /** A client certificate (clientAuth) instead of a server certificate (serverAuth). */
  client?: pulumi.Input<boolean>;
}

/** A certificate signed by a CA, made once at creation; replaced when key, CA, names or validity change. */
export class IssuedCertificate extends pulumi.dynamic.Resource implements CertificateOutputs {
  declare readonly certPem: pulumi.Output<string>;
  declare readonly certBase64: pulumi.Output<string>;
  declare readonly notBefore: pulumi.Output<string>;
  declare readonly notAfter: pulumi.Output<string>;
  declare readonly serialNumber: pulumi.Output<string>;
  declare readonly fingerprint: pulumi.Output<string>;

  constructor(name: string, args: IssuedCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      privateKeyPem: pulumi.secret(args.privateKeyPem),
      caCertPem: args.caCertPem,
      caPrivateKeyPem: pulumi.secret(args.caPrivateKeyPem),
      commonName: args.commonName,
      sans: args.sans ?? [],
      days: args.days ?? DEFAULT_CERT_DAYS,
      client: args.client ?? false,
      ...CERT_OUTPUTS,
    };
    if (secretsHostedByPlugin()) {
      keepSecret(hostedType("IssuedCertificate"), name, ["privateKeyPem", "caPrivateKeyPem"]);
      return constructHosted<IssuedCertificate>(new.target, "IssuedCertificate", name, props, opts);
    }
    super(issuedCertificateProvider, name, props, opts, DYNAMIC_MODULE, "IssuedCertificate");
    keepSecret(DYNAMIC_TYPES.IssuedCertificate, name, ["privateKeyPem", "caPrivateKeyPem"]);
  }
}
