import * as pulumi from "@pulumi/pulumi";
import { IssuedCertificate, SelfSignedCertificate } from "./certificates";
import { RsaKey } from "./rsakey";

/** A generated key and a certificate for it. */
export interface KeyPair<C> {
  key: RsaKey;
  cert: C;
}

export type CertificateAuthority = KeyPair<SelfSignedCertificate>;

/** Options with an alias to the name a resource had before (`formerly`), if it differs. */
function formerlyNamed(opts: pulumi.CustomResourceOptions | undefined, name: string, formerly: string | undefined): pulumi.CustomResourceOptions | undefined {
  if (formerly === undefined || formerly === name) return opts;
  return { ...(opts ?? {}), aliases: [{ name: formerly }, ...(opts?.aliases ?? [])] };
}

/** A CA: key `<name>-key` and self-signed certificate `<name>`; `formerly` the name it had before, kept as an alias. */
export function certificateAuthority(name: string, args: { commonName: pulumi.Input<string>; days?: pulumi.Input<number> }, opts?: pulumi.CustomResourceOptions, formerly?: string): CertificateAuthority {
  const key = new RsaKey(`${name}-key`, {}, formerlyNamed(opts, `${name}-key`, formerly && `${formerly}-key`));
  const cert = new SelfSignedCertificate(name, { privateKeyPem: key.privateKeyPem, commonName: args.commonName, days: args.days, isCA: true }, formerlyNamed(opts, name, formerly));
  return { key, cert };
}

/** A leaf: key `<name>-key` and certificate `<name>` signed by `ca`. */
export function issuedKeyPair(
  name: string,
  args: { ca: CertificateAuthority; commonName: pulumi.Input<string>; sans?: pulumi.Input<pulumi.Input<string>[]>; days?: pulumi.Input<number>; client?: pulumi.Input<boolean> },
  opts?: pulumi.CustomResourceOptions,
  formerly?: string,
): KeyPair<IssuedCertificate> {
  const key = new RsaKey(`${name}-key`, {}, formerlyNamed(opts, `${name}-key`, formerly && `${formerly}-key`));
  const cert = new IssuedCertificate(
    name,
    { privateKeyPem: key.privateKeyPem, caCertPem: args.ca.cert.certPem, caPrivateKeyPem: args.ca.key.privateKeyPem, commonName: args.commonName, sans: args.sans, days: args.days, client: args.client },
    formerlyNamed(opts, name, formerly),
  );
  return { key, cert };
}
