import * as pulumi from "@pulumi/pulumi";
import { IssuedCertificate, SelfSignedCertificate } from "./certificates";
import { RsaKey } from "./rsakey";

/** A generated key and a certificate for it. */
export interface KeyPair<C> {
  key: RsaKey;
  cert: C;
}

export type CertificateAuthority = KeyPair<SelfSignedCertificate>;

/** A CA: key `<name>-key` and self-signed certificate `<name>`. */
export function certificateAuthority(name: string, args: { commonName: pulumi.Input<string>; days?: pulumi.Input<number> }, opts?: pulumi.CustomResourceOptions): CertificateAuthority {
  const key = new RsaKey(`${name}-key`, {}, opts);
  const cert = new SelfSignedCertificate(name, { privateKeyPem: key.privateKeyPem, commonName: args.commonName, days: args.days, isCA: true }, opts);
  return { key, cert };
}

/** A leaf: key `<name>-key` and certificate `<name>` signed by `ca`. */
export function issuedKeyPair(
  name: string,
  args: { ca: CertificateAuthority; commonName: pulumi.Input<string>; sans?: pulumi.Input<pulumi.Input<string>[]>; days?: pulumi.Input<number>; client?: pulumi.Input<boolean> },
  opts?: pulumi.CustomResourceOptions,
): KeyPair<IssuedCertificate> {
  const key = new RsaKey(`${name}-key`, {}, opts);
  const cert = new IssuedCertificate(
    name,
    { privateKeyPem: key.privateKeyPem, caCertPem: args.ca.cert.certPem, caPrivateKeyPem: args.ca.key.privateKeyPem, commonName: args.commonName, sans: args.sans, days: args.days, client: args.client },
    opts,
  );
  return { key, cert };
}
