import * as pulumi from "@pulumi/pulumi";
import { IssuedCertificate, SelfSignedCertificate } from "./certificates";
import { RsaKey } from "./rsakey";

/** A generated key and a certificate for it. */
export interface KeyPair<C> {
  key: RsaKey;
  cert: C;
}

export type CertificateAuthority = KeyPair<SelfSignedCertificate>;

/** The Pulumi names of a pair's certificate and key, each with the aliases of its former names. */
export interface PairNaming {
  cert: { name: string; aliases: pulumi.Input<pulumi.Alias>[] };
  key: { name: string; aliases: pulumi.Input<pulumi.Alias>[] };
}

/** `<name>` and `<name>-key`, with the aliases `formerly` and `<formerly>-key` when it differs. */
function plainNaming(name: string, formerly: string | undefined): PairNaming {
  const was = formerly !== undefined && formerly !== name;
  return { cert: { name, aliases: was ? [{ name: formerly }] : [] }, key: { name: `${name}-key`, aliases: was ? [{ name: `${formerly}-key` }] : [] } };
}

function withAliases(opts: pulumi.CustomResourceOptions | undefined, aliases: pulumi.Input<pulumi.Alias>[]): pulumi.CustomResourceOptions | undefined {
  if (aliases.length === 0) return opts;
  return { ...(opts ?? {}), aliases: [...aliases, ...(opts?.aliases ?? [])] };
}

/** A CA: key `<name>-key` and self-signed certificate `<name>`; `formerly` the name it had before, kept as an alias. */
export function certificateAuthority(name: string, args: { commonName: pulumi.Input<string>; days?: pulumi.Input<number> }, opts?: pulumi.CustomResourceOptions, formerly?: string): CertificateAuthority {
  return namedCertificateAuthority(plainNaming(name, formerly), args, opts);
}

/** A CA named by `naming` (components name their children with children.ts' nameChild). */
export function namedCertificateAuthority(naming: PairNaming, args: { commonName: pulumi.Input<string>; days?: pulumi.Input<number> }, opts?: pulumi.CustomResourceOptions): CertificateAuthority {
  const key = new RsaKey(naming.key.name, {}, withAliases(opts, naming.key.aliases));
  const cert = new SelfSignedCertificate(naming.cert.name, { privateKeyPem: key.privateKeyPem, commonName: args.commonName, days: args.days, isCA: true }, withAliases(opts, naming.cert.aliases));
  return { key, cert };
}

export interface IssuedKeyPairArgs {
  ca: CertificateAuthority;
  commonName: pulumi.Input<string>;
  sans?: pulumi.Input<pulumi.Input<string>[]>;
  days?: pulumi.Input<number>;
  client?: pulumi.Input<boolean>;
}

/** A leaf: key `<name>-key` and certificate `<name>` signed by `ca`. */
export function issuedKeyPair(name: string, args: IssuedKeyPairArgs, opts?: pulumi.CustomResourceOptions, formerly?: string): KeyPair<IssuedCertificate> {
  return namedIssuedKeyPair(plainNaming(name, formerly), args, opts);
}

/** A leaf named by `naming`. */
export function namedIssuedKeyPair(naming: PairNaming, args: IssuedKeyPairArgs, opts?: pulumi.CustomResourceOptions): KeyPair<IssuedCertificate> {
  const key = new RsaKey(naming.key.name, {}, withAliases(opts, naming.key.aliases));
  const cert = new IssuedCertificate(
    naming.cert.name,
    { privateKeyPem: key.privateKeyPem, caCertPem: args.ca.cert.certPem, caPrivateKeyPem: args.ca.key.privateKeyPem, commonName: args.commonName, sans: args.sans, days: args.days, client: args.client },
    withAliases(opts, naming.cert.aliases),
  );
  return { key, cert };
}
