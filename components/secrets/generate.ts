/**
 * What the key and certificate providers do when the engine calls them.
 * A module of its own because the providers load it by absolute path at call
 * time (see providers.ts): it must work with nothing but its own imports.
 *
 * Every resource is replaced, never updated, when what it was made from
 * changes; anything else (a new provider version, a re-run) keeps it. The
 * outputs echo what the resource was made from, as fingerprints for key and
 * issuer, so `diff` can compare without the state holding a second copy of a
 * private key.
 */
import { X509Certificate, constants, createHash, createPrivateKey, createPublicKey, publicEncrypt, randomInt } from "node:crypto";
import { generateRsaKeyPair, importRsaPrivateKeyPem, issueCert, selfSignedCert, toPkcs1Pem, toSpkiPem, type CertifiedKey } from "../../pki";

/** The engine's placeholder for a value not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type SecretKind = "RsaKey" | "SelfSignedCertificate" | "IssuedCertificate" | "DeployToken" | "EncryptedInfo";

export interface RsaKeyOutputs {
  bits: number;
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), the only form Kuscia accepts. */
  privateKeyPem: string;
  /** base64 of privateKeyPem: kuscia.yaml's `domainKeyData`. */
  privateKeyBase64: string;
  /** SubjectPublicKeyInfo PEM. */
  publicKeyPem: string;
  /** SHA-256 of the DER public key, hex. */
  keyFingerprint: string;
}

interface CertOutputs {
  commonName: string;
  sans: string[];
  days: number;
  keyFingerprint: string;
  certPem: string;
  /** base64 of certPem: what Domain.spec.cert wants. */
  certBase64: string;
  notBefore: string;
  notAfter: string;
  serialNumber: string;
  /** SHA-256 of the DER certificate, colon-separated hex. */
  fingerprint: string;
}

export interface SelfSignedCertificateOutputs extends CertOutputs {
  isCA: boolean;
}

export interface IssuedCertificateOutputs extends CertOutputs {
  client: boolean;
  /** SHA-256 fingerprint of the CA certificate that signed this one. */
  issuerFingerprint: string;
}

type Props = Record<string, unknown>;

function str(props: Props, key: string, kind: SecretKind): string {
  const v = props[key];
  if (typeof v !== "string" || v === "") throw new Error(`${kind}: ${key} is required`);
  return v;
}

function num(props: Props, key: string, fallback: number): number {
  const v = props[key];
  return typeof v === "number" ? v : fallback;
}

function strings(props: Props, key: string): string[] {
  const v = props[key];
  return Array.isArray(v) ? v.map(String) : [];
}

/** SHA-256 of the public half of a private key PEM; UNKNOWN passes through. */
export function keyFingerprint(privateKeyPem: string): string {
  if (privateKeyPem === UNKNOWN) return UNKNOWN;
  const der = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex");
}

function certFingerprint(certPem: string): string {
  return certPem === UNKNOWN ? UNKNOWN : new X509Certificate(certPem).fingerprint256;
}

export async function createRsaKey(inputs: Props): Promise<{ id: string; outs: RsaKeyOutputs }> {
  const bits = num(inputs, "bits", 2048);
  const keys = await generateRsaKeyPair(bits);
  const privateKeyPem = toPkcs1Pem(keys.privateKey);
  const keyFp = keyFingerprint(privateKeyPem);
  return {
    id: keyFp,
    outs: { bits, privateKeyPem, privateKeyBase64: Buffer.from(privateKeyPem, "utf8").toString("base64"), publicKeyPem: toSpkiPem(keys.publicKey), keyFingerprint: keyFp },
  };
}

function certOutputs(made: CertifiedKey, commonName: string, sans: string[], days: number, keyFp: string): CertOutputs {
  const x = new X509Certificate(made.certPem);
  return {
    commonName,
    sans,
    days,
    keyFingerprint: keyFp,
    certPem: made.certPem,
    certBase64: Buffer.from(made.certPem, "utf8").toString("base64"),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: new Date(x.validTo).toISOString(),
    serialNumber: x.serialNumber,
    fingerprint: x.fingerprint256,
  };
}

export async function createSelfSignedCertificate(inputs: Props): Promise<{ id: string; outs: SelfSignedCertificateOutputs }> {
  const kind = "SelfSignedCertificate";
  const keyPem = str(inputs, "privateKeyPem", kind);
  const commonName = str(inputs, "commonName", kind);
  const sans = strings(inputs, "sans");
  const days = num(inputs, "days", 3650);
  const isCA = inputs.isCA === true;
  const made = await selfSignedCert({ cn: commonName, days, isCA, sans, keys: await importRsaPrivateKeyPem(keyPem) });
  const outs = { ...certOutputs(made, commonName, sans, days, keyFingerprint(keyPem)), isCA };
  return { id: outs.fingerprint, outs };
}

export async function createIssuedCertificate(inputs: Props): Promise<{ id: string; outs: IssuedCertificateOutputs }> {
  const kind = "IssuedCertificate";
  const keyPem = str(inputs, "privateKeyPem", kind);
  const caCertPem = str(inputs, "caCertPem", kind);
  const caPrivateKeyPem = str(inputs, "caPrivateKeyPem", kind);
  const commonName = str(inputs, "commonName", kind);
  const sans = strings(inputs, "sans");
  const days = num(inputs, "days", 3650);
  const client = inputs.client === true;
  const made = await issueCert({ ca: { certPem: caCertPem, keyPem: caPrivateKeyPem }, cn: commonName, sans, days, client, keys: await importRsaPrivateKeyPem(keyPem) });
  const outs = { ...certOutputs(made, commonName, sans, days, keyFingerprint(keyPem)), client, issuerFingerprint: certFingerprint(caCertPem) };
  return { id: outs.fingerprint, outs };
}

/** Characters of a generated deploy token (letters and digits: it travels in kuscia.yaml and a CSR extension). */
const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export interface DeployTokenOutputs {
  length: number;
  /** The token. Secret. */
  token: string;
}

/** A random token, `length` characters (Kuscia's domain controller makes 32: tokenSize in pkg/controllers/domain/deploy_token.go). */
export async function createDeployToken(inputs: Props): Promise<{ id: string; outs: DeployTokenOutputs }> {
  const length = num(inputs, "length", 32);
  let token = "";
  for (let i = 0; i < length; i++) token += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  // The id must not reveal the token: a digest of a random value is as good a name as any.
  return { id: createHash("sha256").update(token).digest("hex").slice(0, 16), outs: { length, token } };
}

export interface EncryptedInfoOutputs {
  /** The info it was made from (echoed so `diff` can compare; secret in the state). */
  info: string;
  /** SHA-256 fingerprint of the certificate whose public key encrypted the info. */
  certificateFingerprint: string;
  /** base64 of the RSA-OAEP (SHA-256) ciphertext of the info's JSON, as KusciaAPI's encryptInfo writes it. Secret. */
  encryptedInfo: string;
}

/** base64 of a PEM certificate, or the PEM itself, as PEM. */
function certPemOf(cert: string): string {
  return cert.trimStart().startsWith("-----BEGIN") ? cert : Buffer.from(cert.replace(/\s+/g, ""), "base64").toString("utf8");
}

/**
 * pkg/utils/tls/crypt.go EncryptOAEP: the plaintext in chunks of k - 2*32 - 2 bytes, each
 * RSA-OAEP with SHA-256, the ciphertexts concatenated and base64-encoded.
 */
export function encryptOaep(certificate: string, plaintext: string): string {
  const key = new X509Certificate(certPemOf(certificate)).publicKey;
  const size = (key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8;
  const round = size - 2 * 32 - 2;
  const data = Buffer.from(plaintext, "utf8");
  const parts: Buffer[] = [];
  for (let start = 0; start < data.length; start += round) {
    parts.push(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, data.subarray(start, start + round)));
  }
  return Buffer.concat(parts).toString("base64");
}

/** The data source's connection info as KusciaAPI stores it: JSON, encrypted with the domain's public key. */
export async function createEncryptedInfo(inputs: Props): Promise<{ id: string; outs: EncryptedInfoOutputs }> {
  const info = str(inputs, "info", "EncryptedInfo");
  const certificate = str(inputs, "certificate", "EncryptedInfo");
  const fp = certFingerprint(certPemOf(certificate));
  const encryptedInfo = encryptOaep(certificate, info);
  return { id: createHash("sha256").update(encryptedInfo).digest("hex").slice(0, 16), outs: { info, certificateFingerprint: fp, encryptedInfo } };
}

/** What each kind is made from, as its outputs record it, computed from new inputs. */
function identity(kind: SecretKind, news: Props): Props {
  // A value still unknown (preview) stays UNKNOWN so it counts as a change rather than as its default.
  const known = <T>(key: string, f: () => T): T | typeof UNKNOWN => (news[key] === UNKNOWN ? UNKNOWN : f());
  const common = () => ({
    commonName: news.commonName,
    sans: known("sans", () => strings(news, "sans")),
    days: known("days", () => num(news, "days", 3650)),
    keyFingerprint: keyFingerprint(String(news.privateKeyPem)),
  });
  switch (kind) {
    case "RsaKey":
      return { bits: known("bits", () => num(news, "bits", 2048)) };
    case "SelfSignedCertificate":
      return { ...common(), isCA: known("isCA", () => news.isCA === true) };
    case "DeployToken":
      return { length: known("length", () => num(news, "length", 32)) };
    case "EncryptedInfo":
      // The info is compared as given (both sides are decrypted for the provider), never as a digest in the state.
      return { info: news.info, certificateFingerprint: news.certificate === UNKNOWN ? UNKNOWN : certFingerprint(certPemOf(String(news.certificate))) };
    case "IssuedCertificate":
      return { ...common(), client: known("client", () => news.client === true), issuerFingerprint: certFingerprint(String(news.caCertPem)) };
  }
}

export interface SecretDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** Replaces on any change of what the resource was made from; unknown inputs count as changed. */
export function diffSecret(kind: SecretKind, olds: Props, news: Props): SecretDiff {
  const want = identity(kind, news);
  const replaces = Object.keys(want).filter((k) => JSON.stringify(want[k]) === JSON.stringify(UNKNOWN) || JSON.stringify(want[k]) !== JSON.stringify(olds[k]));
  // A fingerprint names the input it came from, so the engine reports the field the user changed.
  const fields = replaces.map((k) => (k === "keyFingerprint" ? "privateKeyPem" : k === "issuerFingerprint" ? "caCertPem" : k === "certificateFingerprint" ? "certificate" : k));
  return { changes: fields.length > 0, replaces: fields, deleteBeforeReplace: false };
}
