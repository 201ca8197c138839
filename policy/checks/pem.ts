/**
 * Certificates and keys as Kuscia stores them: base64 of a PEM document.
 * Decoding follows Go (gopem.ts, gorsa.ts), as Kuscia reads these values; certificates are
 * parsed by node:crypto from the DER Go would hand x509.ParseCertificate. No message ever
 * quotes key material.
 */
import { X509Certificate, createHash } from "node:crypto";
import { goPemDecode, goStdBase64Decode, type GoPemBlock } from "./gopem";
import { goParsePkcs1, goParsePkcs8, type GoRsaOptions, type ParsedKey } from "./gorsa";

export type Decoded = { pem: string; block: GoPemBlock } | { error: string };

/**
 * Decodes a value the way Kuscia does (base64.StdEncoding, then pem.Decode: see gopem.ts) and
 * returns the PEM text and its first block, explaining the usual mistakes (raw PEM pasted,
 * spaces in the base64, the URL-safe alphabet, no padding, not PEM at all).
 */
export function decodeBase64Pem(value: string, what: string): Decoded {
  if (value.trimStart().startsWith("-----BEGIN")) {
    const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(value.trimStart())?.[1] ?? "";
    const wanted = what.includes("certificate") ? "CERTIFICATE" : "PRIVATE KEY";
    if (label.includes(wanted)) return { error: `is a PEM ${what} but must be base64 of it: encode it with \`base64 -w0 FILE\`` };
    // A private key pasted where a certificate belongs must not be answered with "base64 it".
    if (label.includes("PRIVATE KEY")) return { error: `is a PEM private key, not a ${what}: put the ${what} here (base64 of it), and keep the private key out of this object` };
    return { error: `is a PEM "${label || "unknown"}" block, not a ${what}: expected base64 of a PEM ${what}` };
  }
  if (value.replace(/[\r\n]/g, "").length === 0) return { error: "is empty" };
  const decoded = goStdBase64Decode(value);
  if ("error" in decoded) return { error: `is not base64 as Kuscia reads it (${base64Problem(value)}): expected base64 of a PEM ${what} (\`base64 -w0 FILE\`)` };
  const block = goPemDecode(decoded.bytes);
  if (!block) {
    const text = decoded.bytes.toString("latin1");
    if (!text.includes("-----BEGIN ")) return { error: `is base64, but of something that is not PEM: expected a PEM ${what} (-----BEGIN ...-----)` };
    return { error: `is base64 of a PEM text Go's pem.Decode finds no whole block in (its BEGIN and END lines must match, each on a line of its own, around base64): expected a PEM ${what}` };
  }
  return { pem: decoded.bytes.toString("utf8"), block };
}

/** Why Go's base64.StdEncoding refuses a value, in words (the value is never quoted). */
function base64Problem(value: string): string {
  const data = value.replace(/[\r\n]/g, "");
  if (/[ \t]/.test(data)) return "it contains spaces or tabs; Go skips only line breaks";
  if (/[-_]/.test(data) && !/[+/]/.test(data)) return "it uses the URL-safe alphabet (- and _); Kuscia needs the standard one (+ and /)";
  if (/[^A-Za-z0-9+/=]/.test(data)) return "it contains characters outside the base64 alphabet";
  if (/=[^=]|={3,}/.test(data) || /^=/.test(data)) return "'=' appears before the end";
  return "its length is not a multiple of 4: the '=' padding is missing or wrong";
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
  if (d.block.type !== "CERTIFICATE") {
    return { error: `decodes to a PEM "${d.block.type || "unknown"}" block, not a certificate: expected -----BEGIN CERTIFICATE-----` };
  }
  let x: X509Certificate;
  try {
    x = new X509Certificate(d.block.bytes);
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

// Parsing and checking an RSA key costs about a millisecond and a node's configuration is
// re-applied unchanged; remember results by a digest of the value (and the checks' settings),
// so no key material is kept beyond the request.
const keyCache = new Map<string, KeyInfo>();

/**
 * domainKeyData: base64 of a PEM private key, read as Kuscia reads it
 * (pkg/utils/tls/crypt.go: ParseEncodedKey -> ParseRSAPrivateKeyData: base64.StdEncoding,
 * pem.Decode, then x509.ParsePKCS1PrivateKey for `RSA PRIVATE KEY` or ParsePKCS8PrivateKey
 * for `PRIVATE KEY`, with Go's key validation). Reports the PEM form, key type and size, or
 * why Kuscia cannot use it. `crtStrict` (see GoRsaOptions) follows the target release.
 */
export function inspectPrivateKey(value: string, o: GoRsaOptions = { crtStrict: true }): KeyInfo {
  const digest = createHash("sha256").update(value).update(o.crtStrict ? "1" : "0").digest("base64");
  const hit = keyCache.get(digest);
  if (hit !== undefined) return hit;
  const res = inspectPrivateKeyUncached(value, o);
  if (keyCache.size >= CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(digest, res);
  return res;
}

function inspectPrivateKeyUncached(value: string, o: GoRsaOptions): KeyInfo {
  const d = decodeBase64Pem(value, "RSA private key");
  if ("error" in d) return d;
  const { type, headers } = d.block;
  const encrypted = "is an encrypted private key: Kuscia needs an unencrypted RSA key (BEGIN RSA PRIVATE KEY); decrypt it with `openssl rsa -in key.pem -traditional`";
  if (type === "ENCRYPTED PRIVATE KEY") return { error: encrypted };
  if (type === "EC PRIVATE KEY") return { error: "is an EC private key: Kuscia needs an RSA key; generate one with `openssl genrsa -traditional 2048 | base64 -w0`" };
  let parsed: ParsedKey;
  if (type === "RSA PRIVATE KEY") parsed = goParsePkcs1(d.block.bytes, o);
  else if (type === "PRIVATE KEY") parsed = goParsePkcs8(d.block.bytes, o);
  else return { error: `decodes to a PEM "${type}" block: Kuscia reads only RSA PRIVATE KEY (PKCS#1) and PRIVATE KEY (PKCS#8); expected -----BEGIN RSA PRIVATE KEY-----` };
  const format = type === "PRIVATE KEY" ? "pkcs8" : "pkcs1";
  if (parsed.ok) return { format, keyType: "rsa", bits: parsed.bits };
  if (parsed.notRsa) return { format: "pkcs8", keyType: parsed.notRsa.toLowerCase() };
  // Go ignores PEM headers and reads the body: a Proc-Type ENCRYPTED header matters only when the body is not a key.
  if (/ENCRYPTED/.test(headers["Proc-Type"] ?? "")) return { error: encrypted };
  return { error: `is not a private key Kuscia can read: Go refuses it (${parsed.error}); ${keyFix(parsed.error)}` };
}

/** What to do about a key Go refuses. */
function keyFix(goError: string): string {
  if (/^crypto\/rsa|^modulus|overflows/.test(goError)) return "its numbers do not belong to one RSA key (altered or corrupted): generate a new one with `openssl genrsa -traditional 2048 | base64 -w0`";
  if (/ParsePKCS8PrivateKey instead/.test(goError)) return "its body is PKCS#8 under a PKCS#1 label (BEGIN RSA PRIVATE KEY); convert it with `openssl rsa -in key.pem -traditional`";
  if (/ParsePKCS1PrivateKey instead/.test(goError)) return "its body is PKCS#1 under a PKCS#8 label (BEGIN PRIVATE KEY); use the label BEGIN RSA PRIVATE KEY";
  return "re-export it with `openssl rsa -in key.pem -traditional | base64 -w0`";
}
