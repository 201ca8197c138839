/**
 * Self-signed and CA-issued X.509 certificates for webhooks, Kuscia domains
 * and test fixtures. Keys are RSA (Kuscia requires RSA for domain certificates),
 * written as PKCS#1 PEM.
 */
// tsyringe, under @peculiar/x509, refuses to load without a Reflect metadata polyfill.
import "reflect-metadata";
import { X509Certificate as NodeX509, randomBytes, webcrypto } from "node:crypto";
import { isIP } from "node:net";
import * as x509 from "@peculiar/x509";
import { RSA_ALGORITHM, generateRsaKeyPair, importRsaPrivateKeyPem, toPkcs1Pem, type CryptoKeyPair } from "./keys";

// @peculiar/x509 is typed against the DOM's WebCrypto; node's is the same API under other type names.
type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[0];
type X509Key = x509.X509CertificateCreateWithKeyParams["signingKey"];
type X509KeyPair = x509.X509CertificateCreateSelfSignedParams["keys"];
x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);

const DAY_MS = 24 * 60 * 60 * 1000;
// Clocks of the API server, the Kuscia node and this machine differ; a certificate
// valid only from "now" is refused for a few minutes by a peer whose clock lags.
const BACKDATE_MS = 5 * 60 * 1000;

/** A certificate with its key pair, in the forms callers write to disk or hand to TLS. */
export interface CertifiedKey {
  /** PEM "CERTIFICATE". */
  certPem: string;
  /** PKCS#1 PEM "RSA PRIVATE KEY". Secret: never log it. */
  keyPem: string;
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
}

/** An issuer: a CertifiedKey, or PEM text loaded from disk. */
export type Issuer = CertifiedKey | { certPem: string; keyPem: string };

export interface SelfSignedOptions {
  cn: string;
  /** Validity in days from now; default 365. */
  days?: number;
  isCA?: boolean;
  /** DNS names and IP addresses; IPs are recognised and encoded as IP SANs. */
  sans?: string[];
  /** RSA modulus size; default 2048. Ignored when `keys` is given. */
  bits?: number;
  /** Use this key pair instead of generating one (e.g. an existing Kuscia domain key). */
  keys?: CryptoKeyPair;
  /** Optional organisation (O=) of the subject. */
  organization?: string;
  /** Explicit validity window (e.g. an expired certificate for a test); overrides `days`. */
  notBefore?: Date;
  notAfter?: Date;
}

export interface IssueOptions {
  ca: Issuer;
  cn: string;
  sans?: string[];
  days?: number;
  /** A client certificate (EKU clientAuth) instead of a server certificate (serverAuth). */
  client?: boolean;
  bits?: number;
  keys?: CryptoKeyPair;
  organization?: string;
  notBefore?: Date;
  notAfter?: Date;
}

function subjectName(cn: string, organization?: string): x509.JsonName {
  // The JSON form, not "CN=..." text, so commas or '=' in a CN cannot inject attributes.
  const name: x509.JsonName = [{ CN: [cn] }];
  if (organization) name.push({ O: [organization] });
  return name;
}

function serialNumber(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive INTEGER, as RFC 5280 requires
  if (b[0] === 0) b[0] = 1;
  return b.toString("hex");
}

function validity(o: { days?: number; notBefore?: Date; notAfter?: Date }): { notBefore: Date; notAfter: Date } {
  const days = o.days ?? 365;
  if (!(days > 0)) throw new RangeError(`certificate validity must be a positive number of days, got ${days}`);
  const now = Date.now();
  const notBefore = o.notBefore ?? new Date(now - BACKDATE_MS);
  const notAfter = o.notAfter ?? new Date(now + days * DAY_MS);
  if (notAfter <= notBefore) throw new RangeError("notAfter must be later than notBefore");
  return { notBefore, notAfter };
}

function sanExtension(sans: string[] | undefined): x509.Extension[] {
  if (!sans || sans.length === 0) return [];
  const names = sans.map((s): x509.JsonGeneralName => ({ type: isIP(s) ? "ip" : "dns", value: s }));
  return [new x509.SubjectAlternativeNameExtension(names, false)];
}

async function finish(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<CertifiedKey> {
  return { cert, keys, certPem: cert.toString("pem") + "\n", keyPem: toPkcs1Pem(keys.privateKey) };
}

/** A self-signed certificate: a CA (isCA) or a standalone identity such as a Kuscia domain certificate. */
export async function selfSignedCert(opts: SelfSignedOptions): Promise<CertifiedKey> {
  const keys = opts.keys ?? (await generateRsaKeyPair(opts.bits ?? 2048));
  const usages = opts.isCA
    ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
    : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(!!opts.isCA, opts.isCA ? 0 : undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as X509Key),
    ...sanExtension(opts.sans),
  ];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: subjectName(opts.cn, opts.organization),
    keys: keys as unknown as X509KeyPair,
    signingAlgorithm: RSA_ALGORITHM,
    extensions,
    ...validity(opts),
  });
  return finish(cert, keys);
}

async function issuerOf(ca: Issuer): Promise<{ cert: x509.X509Certificate; keys: CryptoKeyPair }> {
  if ("cert" in ca && "keys" in ca) return { cert: ca.cert, keys: ca.keys };
  return { cert: new x509.X509Certificate(ca.certPem), keys: await importRsaPrivateKeyPem(ca.keyPem) };
}

/** A leaf certificate signed by `ca`: a TLS server certificate, or a client certificate with `client: true`. */
export async function issueCert(opts: IssueOptions): Promise<CertifiedKey> {
  const ca = await issuerOf(opts.ca);
  const keys = opts.keys ?? (await generateRsaKeyPair(opts.bits ?? 2048));
  const { notBefore, notAfter } = validity(opts);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([opts.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth], false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as X509Key),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false),
    ...sanExtension(opts.sans),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subjectName(opts.cn, opts.organization),
    issuer: ca.cert.subjectName,
    publicKey: keys.publicKey as unknown as X509Key,
    signingKey: ca.keys.privateKey as unknown as X509Key,
    signingAlgorithm: RSA_ALGORITHM,
    extensions,
    // A leaf must not outlive its CA: peers would refuse it after the CA expires anyway.
    notBefore,
    notAfter: notAfter > ca.cert.notAfter ? ca.cert.notAfter : notAfter,
  });
  return finish(cert, keys);
}

/** The `caBundle` field of a webhook configuration: base64 of the PEM bundle. */
export function caBundleOf(pem: string): string {
  return Buffer.from(pem, "utf8").toString("base64");
}

/** What callers check before reusing a certificate found on disk. */
export interface CertSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
  /** DNS names and IP addresses of the subjectAltName. */
  sans: string[];
}

/** Parses the first certificate of a PEM text with node:crypto (no key material involved). */
export function describeCert(pem: string): CertSummary {
  const c = new NodeX509(pem);
  const sans = (c.subjectAltName ?? "")
    .split(/,\s*/)
    .map((s) => s.match(/^(?:DNS|IP Address):(.+)$/)?.[1])
    .filter((s): s is string => !!s);
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    notBefore: new Date(c.validFrom),
    notAfter: new Date(c.validTo),
    fingerprint256: c.fingerprint256,
    sans,
  };
}
