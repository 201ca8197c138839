/**
 * RSA key pairs as Kuscia and Kubernetes want them on disk: PKCS#1 PEM
 * ("BEGIN RSA PRIVATE KEY"), the format Kuscia's domain.key and K8s TLS
 * Secrets accept everywhere. Keys are generated with WebCrypto so the same
 * CryptoKey can sign certificates through @peculiar/x509.
 */
import { KeyObject, createPrivateKey, createPublicKey, webcrypto } from "node:crypto";

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** The one signature scheme used for everything we issue: widely accepted by Go, OpenSSL and Kuscia. */
export const RSA_ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** Generates an extractable RSA key pair (e = 65537). */
export async function generateRsaKeyPair(bits = 2048): Promise<CryptoKeyPair> {
  if (!Number.isInteger(bits) || bits < 2048 || bits > 8192 || bits % 8 !== 0) {
    throw new RangeError(`RSA key size must be a multiple of 8 between 2048 and 8192 bits, got ${bits}`);
  }
  return webcrypto.subtle.generateKey(
    { ...RSA_ALGORITHM, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  ) as Promise<CryptoKeyPair>;
}

function keyObject(key: CryptoKey | KeyObject): KeyObject {
  return key instanceof KeyObject ? key : KeyObject.from(key);
}

/** PKCS#1 PEM: "RSA PRIVATE KEY" for a private key, "RSA PUBLIC KEY" for a public one. */
export function toPkcs1Pem(key: CryptoKey | KeyObject): string {
  const k = keyObject(key);
  if (k.asymmetricKeyType !== "rsa") throw new TypeError(`PKCS#1 holds RSA keys only, got ${k.asymmetricKeyType}`);
  return k.export({ type: "pkcs1", format: "pem" }).toString();
}

/** PKCS#8 PEM ("PRIVATE KEY"), for tools that want it instead. */
export function toPkcs8Pem(privateKey: CryptoKey | KeyObject): string {
  return keyObject(privateKey).export({ type: "pkcs8", format: "pem" }).toString();
}

/** SubjectPublicKeyInfo PEM ("PUBLIC KEY"). */
export function toSpkiPem(publicKey: CryptoKey | KeyObject): string {
  return keyObject(publicKey).export({ type: "spki", format: "pem" }).toString();
}

/**
 * Imports an RSA private key PEM (PKCS#1 or PKCS#8) as a WebCrypto signing pair,
 * so a CA kept on disk can issue certificates.
 */
export async function importRsaPrivateKeyPem(pem: string): Promise<CryptoKeyPair> {
  const priv = createPrivateKey(pem);
  if (priv.asymmetricKeyType !== "rsa") throw new TypeError(`expected an RSA private key, got ${priv.asymmetricKeyType}`);
  const pkcs8 = priv.export({ type: "pkcs8", format: "der" });
  const spki = createPublicKey(priv).export({ type: "spki", format: "der" });
  const privateKey = await webcrypto.subtle.importKey("pkcs8", pkcs8, RSA_ALGORITHM, true, ["sign"]);
  const publicKey = await webcrypto.subtle.importKey("spki", spki, RSA_ALGORITHM, true, ["verify"]);
  return { privateKey, publicKey };
}
