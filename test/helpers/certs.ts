/**
 * Test-time key and certificate factory: every shape the rule book must accept
 * or refuse (RSA 2048/1024, EC, expired, not yet valid, any CN), made fresh in
 * each run so no test depends on a committed secret or on today's date.
 */
// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs the Reflect metadata polyfill.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPrivateKey, webcrypto } from "node:crypto";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = webcrypto.CryptoKeyPair;

export interface CertOptions {
  cn: string;
  key?: "rsa" | "ec";
  bits?: number;
  notBefore?: Date;
  notAfter?: Date;
}

export interface Made {
  /** PEM certificate. */
  certPem: string;
  /** base64 of the PEM, as Domain.spec.cert wants it. */
  certB64: string;
  /** PKCS#8 PEM private key. */
  keyPkcs8Pem: string;
}

const DAY = 86_400_000;
const cache = new Map<string, KeyPair>();

async function keyPair(kind: "rsa" | "ec", bits: number): Promise<{ keys: KeyPair; alg: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams }> {
  const alg =
    kind === "rsa"
      ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: bits }
      : { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  // Key generation dominates the cost of these fixtures; one key per shape is enough.
  const id = `${kind}:${bits}`;
  let keys = cache.get(id);
  if (!keys) {
    keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as KeyPair;
    cache.set(id, keys);
  }
  return { keys, alg: alg as webcrypto.RsaHashedKeyGenParams };
}

export async function makeCert(o: CertOptions): Promise<Made> {
  const now = Date.now();
  const { keys, alg } = await keyPair(o.key ?? "rsa", o.bits ?? 2048);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Math.floor(Math.random() * 1e12).toString(16).padStart(2, "0"),
    name: `CN=${o.cn}`,
    notBefore: o.notBefore ?? new Date(now - DAY),
    notAfter: o.notAfter ?? new Date(now + 3650 * DAY),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const certPem = cert.toString("pem");
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPkcs8Pem = createPrivateKey({ key: der, format: "der", type: "pkcs8" }).export({ type: "pkcs8", format: "pem" }) as string;
  return { certPem, certB64: Buffer.from(certPem).toString("base64"), keyPkcs8Pem };
}

export const b64 = (s: string) => Buffer.from(s).toString("base64");

/** The same private key in PKCS#1 (BEGIN RSA PRIVATE KEY), base64, as domainKeyData wants it. */
export function pkcs1B64(pkcs8Pem: string): string {
  return b64(createPrivateKey(pkcs8Pem).export({ type: "pkcs1", format: "pem" }) as string);
}

/** An EC key in SEC1 form (BEGIN EC PRIVATE KEY), base64. */
export function sec1B64(pkcs8Pem: string): string {
  return b64(createPrivateKey(pkcs8Pem).export({ type: "sec1", format: "pem" }) as string);
}

export { DAY };
