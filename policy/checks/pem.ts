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
    const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(value.trimStart())?.[1] ?? "";
    const wanted = what.includes("certificate") ? "CERTIFICATE" : "PRIVATE KEY";
    if (label.includes(wanted)) return { error: `is a PEM ${what} but must be base64 of it: encode it with \`base64 -w0 FILE\`` };
    // A private key pasted where a certificate belongs must not be answered with "base64 it".
    if (label.includes("PRIVATE KEY")) return { error: `is a PEM private key, not a ${what}: put the ${what} here (base64 of it), and keep the private key out of this object` };
    return { error: `is a PEM "${label || "unknown"}" block, not a ${what}: expected base64 of a PEM ${what}` };
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

/** How to turn a PKCS#8 (or any) RSA key into the PKCS#1 form the Kuscia docs ask for. */
export const TO_PKCS1 =
  "convert it with `openssl rsa -in key.pem -traditional -out key.pkcs1.pem` (OpenSSL 3's `openssl genrsa` writes PKCS#8 unless given -traditional), then `base64 -w0 key.pkcs1.pem`";

/** What a domainKeyData value holds, once decoded and parsed. */
export type KeyInfo =
  | { error: string }
  | { format: "pkcs1" | "pkcs8"; keyType: string; bits?: number };

// Parsing an RSA key costs ~0.3 ms and a node's configuration is re-applied unchanged; remember
// results by a digest of the value, so no key material is kept beyond the request.
const keyCache = new Map<string, KeyInfo>();

/**
 * domainKeyData: base64 of a PEM private key. Reports its PEM form (PKCS#1 `RSA PRIVATE KEY`
 * or PKCS#8 `PRIVATE KEY`), key type and size, or why it is not a usable unencrypted key.
 * Which forms a Kuscia release reads, and the minimum size, are decided by the caller.
 */
export function inspectPrivateKey(value: string): KeyInfo {
  const digest = createHash("sha256").update(value).digest("base64");
  const hit = keyCache.get(digest);
  if (hit !== undefined) return hit;
  const res = inspectPrivateKeyUncached(value);
  if (keyCache.size >= CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(digest, res);
  return res;
}

function inspectPrivateKeyUncached(value: string): KeyInfo {
  const d = decodeBase64Pem(value, "RSA private key");
  if ("error" in d) return d;
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(d.pem)?.[1] ?? "";
  if (label === "ENCRYPTED PRIVATE KEY") return { error: "is an encrypted private key: Kuscia needs an unencrypted RSA key (BEGIN RSA PRIVATE KEY)" };
  if (label === "EC PRIVATE KEY") return { error: "is an EC private key: Kuscia needs an RSA key; generate one with `openssl genrsa -traditional 2048 | base64 -w0`" };
  if (label !== "PRIVATE KEY" && label !== "RSA PRIVATE KEY") return { error: `decodes to a PEM "${label}" block: expected -----BEGIN RSA PRIVATE KEY----- (PKCS#1)` };
  try {
    const key = createPrivateKey(d.pem);
    return { format: label === "PRIVATE KEY" ? "pkcs8" : "pkcs1", keyType: key.asymmetricKeyType ?? "unknown", bits: key.asymmetricKeyDetails?.modulusLength };
  } catch (e) {
    return { error: `is not a parseable private key (${(e as Error).message.replace(/\s+/g, " ")})` };
  }
}
