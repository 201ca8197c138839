/**
 * Certificates and keys as Kuscia stores them: base64 of a PEM document.
 * Parsing is real (node:crypto), never a regex on the header alone, and no
 * message ever quotes key material.
 */
import { X509Certificate, createHash, createPrivateKey } from "node:crypto";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type Decoded = { pem: string } | { error: string };

/** Decodes base64 → PEM text, explaining the usual mistakes (raw PEM pasted, not base64 at all). */
export function decodeBase64Pem(value: string, what: string): Decoded {
  const compact = value.replace(/\s+/g, "");
  if (value.trimStart().startsWith("-----BEGIN")) {
    return { error: `is a PEM ${what} but must be base64 of it: encode it with \`base64 -w0 FILE\`` };
  }
  if (compact.length === 0) return { error: "is empty" };
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    return { error: `is not base64: expected base64 of a PEM ${what} (\`base64 -w0 FILE\`)` };
  }
  const pem = Buffer.from(compact, "base64").toString("utf8");
  if (!pem.includes("-----BEGIN ")) return { error: `is base64, but of something that is not PEM: expected a PEM ${what} (-----BEGIN ...-----)` };
  return { pem };
}

export interface CertInfo {
  keyType: string;
  /** RSA modulus length in bits. */
  bits?: number;
  curve?: string;
  notBefore: Date;
  notAfter: Date;
  commonName?: string;
}

export type CertResult = { cert: CertInfo } | { error: string };

// Admission traffic repeats the same certificates (every apply of a Domain); parsing is
// the costliest step of a review, so keep a small cache keyed by the encoded value.
const certCache = new Map<string, CertResult>();
const CACHE_MAX = 256;

export function parseCertificate(value: string): CertResult {
  const hit = certCache.get(value);
  if (hit) return hit;
  const res = parseCertificateUncached(value);
  if (certCache.size >= CACHE_MAX) certCache.delete(certCache.keys().next().value as string);
  certCache.set(value, res);
  return res;
}

function parseCertificateUncached(value: string): CertResult {
  const d = decodeBase64Pem(value, "X.509 certificate");
  if ("error" in d) return d;
  if (!d.pem.includes("-----BEGIN CERTIFICATE-----")) {
    const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(d.pem)?.[1] ?? "unknown";
    return { error: `decodes to a PEM "${label}" block, not a certificate: expected -----BEGIN CERTIFICATE-----` };
  }
  let x: X509Certificate;
  try {
    x = new X509Certificate(d.pem);
  } catch (e) {
    return { error: `is not a parseable X.509 certificate (${(e as Error).message})` };
  }
  const pk = x.publicKey;
  const det = pk.asymmetricKeyDetails ?? {};
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1];
  return {
    cert: {
      keyType: pk.asymmetricKeyType ?? "unknown",
      bits: det.modulusLength,
      curve: det.namedCurve,
      notBefore: new Date(x.validFrom),
      notAfter: new Date(x.validTo),
      commonName: cn,
    },
  };
}

/** "EC P-256", "RSA 1024-bit", "Ed25519": how a key is named in messages. */
export function describeKey(keyType: string, bits?: number, curve?: string): string {
  if (keyType === "rsa" || keyType === "rsa-pss") return `RSA ${bits ?? "?"}-bit`;
  if (keyType === "ec") return `EC ${curveName(curve)}`;
  if (keyType === "ed25519") return "Ed25519";
  return keyType;
}

function curveName(c?: string): string {
  return ({ prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" } as Record<string, string>)[c ?? ""] ?? c ?? "unknown curve";
}

const TO_PKCS1 =
  "convert it with `openssl rsa -in key.pem -traditional -out key-pkcs1.pem` (OpenSSL 3's `openssl genrsa` writes PKCS#8 unless given -traditional), then `base64 -w0 key-pkcs1.pem`";

// Parsing an RSA key costs ~0.3 ms and a node's configuration is re-applied unchanged; remember
// verdicts by a digest of the value, so no key material is kept beyond the request.
const keyCache = new Map<string, string | null>();

/** domainKeyData: base64 of a PKCS#1 RSA private key of at least 2048 bits. Returns null when fine. */
export function checkPkcs1RsaKey(value: string): string | null {
  const digest = createHash("sha256").update(value).digest("base64");
  const hit = keyCache.get(digest);
  if (hit !== undefined) return hit;
  const res = checkPkcs1RsaKeyUncached(value);
  if (keyCache.size >= CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(digest, res);
  return res;
}

function checkPkcs1RsaKeyUncached(value: string): string | null {
  const d = decodeBase64Pem(value, "RSA private key");
  if ("error" in d) return d.error;
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(d.pem)?.[1] ?? "";
  if (label === "ENCRYPTED PRIVATE KEY") return "is an encrypted private key: Kuscia needs an unencrypted PKCS#1 RSA key (BEGIN RSA PRIVATE KEY)";
  if (label === "EC PRIVATE KEY") return "is an EC private key: Kuscia needs an RSA key in PKCS#1 form; generate one with `openssl genrsa -traditional 2048 | base64 -w0`";
  if (label !== "PRIVATE KEY" && label !== "RSA PRIVATE KEY") return `decodes to a PEM "${label}" block: expected -----BEGIN RSA PRIVATE KEY----- (PKCS#1)`;
  let type: string | undefined;
  let bits: number | undefined;
  try {
    const key = createPrivateKey(d.pem);
    type = key.asymmetricKeyType;
    bits = key.asymmetricKeyDetails?.modulusLength;
  } catch (e) {
    return `is not a parseable private key (${(e as Error).message.replace(/\s+/g, " ")})`;
  }
  if (label === "PRIVATE KEY") {
    if (type !== "rsa") return `is a PKCS#8 ${type ?? "unknown"} key: Kuscia needs an RSA key in PKCS#1 form; generate one with \`openssl genrsa -traditional 2048 | base64 -w0\``;
    return `is a PKCS#8 key (BEGIN PRIVATE KEY) but Kuscia reads only PKCS#1 (BEGIN RSA PRIVATE KEY): ${TO_PKCS1}`;
  }
  if (bits !== undefined && bits < 2048) return `is an RSA ${bits}-bit key: use at least 2048 bits (\`openssl genrsa -traditional 2048\`)`;
  return null;
}
