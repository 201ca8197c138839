/**
 * RSA private keys as Go reads them (crypto/x509 ParsePKCS1PrivateKey and
 * ParsePKCS8PrivateKey, crypto/rsa key validation), for domainKeyData: Kuscia parses it
 * with pkg/utils/tls/crypt.go: ParseRSAPrivateKeyData. OpenSSL (Node's createPrivateKey)
 * loads a key without checking that its numbers belong together, so a key whose modulus
 * was altered loads in Node and makes Kuscia exit; and it reads a PKCS#8 body under a
 * PKCS#1 label and the reverse, which Go refuses. Ported from Go 1.26 (crypto/x509/pkcs1.go,
 * pkcs8.go, crypto/rsa/rsa.go, crypto/internal/fips140/rsa/rsa.go) with the DER rules of
 * encoding/asn1 these structures need. Pure; BigInt arithmetic (a 2048-bit key: ~1 ms).
 */

/** One DER element: tag byte, its content, and where it ends. */
interface Der {
  tag: number;
  content: Buffer;
  end: number;
}

class DerError extends Error {}

/** Reads one element at `off` with encoding/asn1's DER rules (definite, minimal lengths; low tag numbers). */
function readDer(b: Buffer, off: number): Der {
  if (off + 2 > b.length) throw new DerError("asn1: syntax error: data truncated");
  const tag = b[off];
  if ((tag & 0x1f) === 0x1f) throw new DerError("asn1: high-tag-number form is not used by RSA keys");
  let len = b[off + 1];
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError("asn1: syntax error: indefinite length found (not DER)");
    if (n > 4) throw new DerError("asn1: structure error: length too large");
    if (p + n > b.length) throw new DerError("asn1: syntax error: data truncated");
    if (b[p] === 0) throw new DerError("asn1: structure error: superfluous leading zeros in length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i];
    p += n;
    if (len < 0x80) throw new DerError("asn1: structure error: non-minimal length");
  }
  if (p + len > b.length) throw new DerError("asn1: syntax error: data truncated");
  return { tag, content: b.subarray(p, p + len), end: p + len };
}

const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const OID = 0x06;
const SEQUENCE = 0x30;

/** A DER INTEGER as encoding/asn1 parses it into a *big.Int (two's complement, minimally encoded). */
function derBigInt(e: Der): bigint {
  const c = e.content;
  if (c.length === 0) throw new DerError("asn1: syntax error: empty integer");
  if (c.length > 1 && ((c[0] === 0 && (c[1] & 0x80) === 0) || (c[0] === 0xff && (c[1] & 0x80) === 0x80))) {
    throw new DerError("asn1: structure error: integer not minimally-encoded");
  }
  let v = BigInt(`0x${c.toString("hex")}`);
  if (c[0] & 0x80) v -= 1n << BigInt(c.length * 8);
  return v;
}

/** A DER INTEGER into a Go int (int64 on the 64-bit machines Kuscia runs on). */
function derInt(e: Der): bigint {
  if (e.content.length > 8) throw new DerError("asn1: structure error: integer too large");
  return derBigInt(e);
}

/** The elements of a SEQUENCE's content, in order. */
function children(content: Buffer): Der[] {
  const out: Der[] = [];
  let off = 0;
  while (off < content.length) {
    const e = readDer(content, off);
    out.push(e);
    off = e.end;
  }
  return out;
}

export interface RsaNumbers {
  version: bigint;
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp?: bigint;
  dq?: bigint;
  qinv?: bigint;
  /** Multi-prime keys (version 1): the additional primes. */
  extraPrimes: bigint[];
}

/** asn1.Unmarshal into pkcs1PrivateKey; throws DerError. `rest` is what follows the top-level SEQUENCE. */
function unmarshalPkcs1(der: Buffer): { key: RsaNumbers; rest: number } {
  const top = readDer(der, 0);
  if (top.tag !== SEQUENCE) throw new DerError("asn1: structure error: tags don't match");
  const els = children(top.content);
  const need = (i: number, tag: number) => {
    const e = els[i];
    if (!e) throw new DerError("asn1: syntax error: sequence truncated");
    if (e.tag !== tag) throw new DerError("asn1: structure error: tags don't match");
    return e;
  };
  const key: RsaNumbers = {
    version: derInt(need(0, INTEGER)),
    n: derBigInt(need(1, INTEGER)),
    e: derInt(need(2, INTEGER)),
    d: derBigInt(need(3, INTEGER)),
    p: derBigInt(need(4, INTEGER)),
    q: derBigInt(need(5, INTEGER)),
    extraPrimes: [],
  };
  // Dp, Dq, Qinv are `asn1:"optional"`: taken when the next element is an INTEGER.
  let i = 6;
  for (const f of ["dp", "dq", "qinv"] as const) {
    if (els[i]?.tag === INTEGER) key[f] = derBigInt(els[i++]);
  }
  // AdditionalPrimes `asn1:"optional,omitempty"`: a SEQUENCE OF SEQUENCE {prime, exp, coeff}.
  if (els[i]?.tag === SEQUENCE) {
    for (const a of children(els[i].content)) {
      if (a.tag !== SEQUENCE) throw new DerError("asn1: structure error: tags don't match");
      const parts = children(a.content);
      if (parts.length < 3 || parts.slice(0, 3).some((x) => x.tag !== INTEGER)) throw new DerError("asn1: syntax error: sequence truncated");
      key.extraPrimes.push(derBigInt(parts[0]));
      derBigInt(parts[1]);
      derBigInt(parts[2]);
    }
    i++;
  }
  // encoding/asn1 allows elements after the last field of a SEQUENCE.
  return { key, rest: der.length - top.end };
}

const OID_RSA = "2a864886f70d010101"; // 1.2.840.113549.1.1.1
const OID_EC = "2a8648ce3d0201"; // 1.2.840.10045.2.1
const OID_ED25519 = "2b6570"; // 1.3.101.112
const OID_X25519 = "2b656e"; // 1.3.101.110

export type ParsedKey = { ok: true; numbers: RsaNumbers; bits: number } | { ok: false; error: string; notRsa?: string };

/**
 * How Go's key checks are set. `crtStrict`: GODEBUG x509rsacrt=1 (the default of a main
 * module whose go line is 1.24 or later: Kuscia v1.1), where the CRT values stored in the
 * key must be right; with 0 (go 1.22 line: Kuscia v1.0 and older) Go recomputes them when
 * they are not.
 */
export interface GoRsaOptions {
  crtStrict: boolean;
}

/** x509.ParsePKCS1PrivateKey. */
export function goParsePkcs1(der: Buffer, o: GoRsaOptions): ParsedKey {
  let parsed: { key: RsaNumbers; rest: number };
  try {
    parsed = unmarshalPkcs1(der);
  } catch (e) {
    if (looksLikePkcs8(der)) return { ok: false, error: "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)" };
    return { ok: false, error: (e as Error).message };
  }
  if (parsed.rest > 0) return { ok: false, error: "asn1: syntax error: trailing data" };
  return validate(parsed.key, o);
}

function looksLikePkcs8(der: Buffer): boolean {
  try {
    return pkcs8Parts(der) !== undefined;
  } catch {
    return false;
  }
}

/** asn1.Unmarshal into pkcs8 {Version int, Algo AlgorithmIdentifier, PrivateKey []byte}; throws DerError. */
function pkcs8Parts(der: Buffer): { algo: string; key: Buffer } | undefined {
  const top = readDer(der, 0);
  if (top.tag !== SEQUENCE) throw new DerError("asn1: structure error: tags don't match");
  const els = children(top.content);
  if (els.length < 3) throw new DerError("asn1: syntax error: sequence truncated");
  if (els[0].tag !== INTEGER || els[1].tag !== SEQUENCE || els[2].tag !== OCTET_STRING) throw new DerError("asn1: structure error: tags don't match");
  derInt(els[0]);
  const algo = children(els[1].content);
  if (algo.length < 1 || algo[0].tag !== OID) throw new DerError("asn1: structure error: tags don't match");
  return { algo: algo[0].content.toString("hex"), key: els[2].content };
}

/** x509.ParsePKCS8PrivateKey, as far as Kuscia needs: an RSA key, or which other key it is. */
export function goParsePkcs8(der: Buffer, o: GoRsaOptions): ParsedKey {
  let parts: { algo: string; key: Buffer } | undefined;
  try {
    parts = pkcs8Parts(der);
  } catch (e) {
    try {
      unmarshalPkcs1(der);
      return { ok: false, error: "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)" };
    } catch {
      return { ok: false, error: (e as Error).message };
    }
  }
  if (!parts) return { ok: false, error: "x509: failed to parse private key" };
  if (parts.algo === OID_RSA) {
    const r = goParsePkcs1(parts.key, o);
    return r.ok ? r : { ok: false, error: `x509: failed to parse RSA private key embedded in PKCS#8: ${r.error}` };
  }
  const other = { [OID_EC]: "EC", [OID_ED25519]: "Ed25519", [OID_X25519]: "X25519" }[parts.algo];
  if (other) return { ok: false, notRsa: other, error: `is a PKCS#8 ${other} key` };
  return { ok: false, error: "x509: PKCS#8 wrapping contained private key with unknown algorithm" };
}

function bitLen(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/**
 * The largest modulus checked, in bits. Go sets no limit, so Kuscia loads a larger key; the
 * rule book refuses it (a product decision, stricter than Kuscia): validating a key as Go does
 * costs a modular exponentiation in BigInt arithmetic, cubic in the key's size (a crafted
 * 32,768-bit key held a review worker for over 15 s), and whoever may create a ConfigMap or
 * Domain chooses the key. Kuscia generates 2,048-bit keys; 8,192 bits is four times that.
 */
export const MAX_CHECKED_RSA_BITS = 8192;

/** ParsePKCS1PrivateKey after the ASN.1: value checks, then rsa.PrivateKey.Precompute + Validate. */
function validate(k: RsaNumbers, o: GoRsaOptions): ParsedKey {
  if (k.version > 1n) return { ok: false, error: "x509: unsupported private key version" };
  if (k.n <= 0n || k.d <= 0n || k.p <= 0n || k.q <= 0n || (k.dp !== undefined && k.dp <= 0n) || (k.dq !== undefined && k.dq <= 0n) || (k.qinv !== undefined && k.qinv <= 0n)) {
    return { ok: false, error: "x509: private key contains zero or negative value" };
  }
  if (k.extraPrimes.some((p) => p <= 0n)) return { ok: false, error: "x509: private key contains zero or negative prime" };
  const bits = bitLen(k.n);
  if (bits > MAX_CHECKED_RSA_BITS) return { ok: false, error: `is a ${bits}-bit RSA key; kuscia-iac checks keys of at most ${MAX_CHECKED_RSA_BITS} bits (checking a larger one as Go does costs seconds; Kuscia itself would load it): use a 2048- to 4096-bit key` };
  if (k.extraPrimes.length > 0) {
    // Multi-prime keys (precomputeLegacy): only the public part and the primes are checked.
    const err = checkPublicKey(k.n, k.e) ?? ([k.p, k.q, ...k.extraPrimes].some((p) => p <= 1n) ? "crypto/rsa: prime factor is <= 1" : undefined);
    return err ? { ok: false, error: err } : { ok: true, numbers: k, bits };
  }
  const withCrt = k.dp !== undefined && k.dq !== undefined && k.qinv !== undefined;
  let err = withCrt ? withPrecomputation(k, k.dp!, k.dq!, k.qinv!) : withoutCrt(k);
  // x509rsacrt=0: Go drops the stored CRT values and tries again.
  if (err && withCrt && !o.crtStrict) err = withoutCrt(k);
  return err ? { ok: false, error: err } : { ok: true, numbers: k, bits };
}

/** fips140/rsa checkPublicKey. */
function checkPublicKey(n: bigint, e: bigint): string | undefined {
  if (n % 2n === 0n) return "crypto/rsa: public modulus is even";
  if (e < 2n) return "crypto/rsa: public exponent too small or negative";
  if (e % 2n === 0n) return "crypto/rsa: public exponent is even";
  if (e > 2n ** 31n - 1n) return "crypto/rsa: public exponent too large";
  return undefined;
}

/** bigmod.NewModulus: > 1. */
function badModulus(m: bigint): boolean {
  return m <= 1n;
}

/** rsa.NewPrivateKeyWithPrecomputation (the stored CRT values are used as they are). */
function withPrecomputation(k: RsaNumbers, dp: bigint, dq: bigint, qinv: bigint): string | undefined {
  if (badModulus(k.n) || badModulus(k.p) || badModulus(k.q)) return "modulus must be > 1";
  if (k.d >= k.n) return "input overflows the modulus";
  if (qinv >= k.p) return "input overflows the modulus";
  return checkPrivateKey(k, dp, dq, qinv);
}

/** rsa.NewPrivateKey (dP, dQ and qInv computed from d, p and q). */
function withoutCrt(k: RsaNumbers): string | undefined {
  if (badModulus(k.n) || badModulus(k.p) || badModulus(k.q)) return "modulus must be > 1";
  if (k.d >= k.n) return "input overflows the modulus";
  if (badModulus(k.p - 1n) || badModulus(k.q - 1n)) return "modulus must be > 1";
  const dp = k.d % (k.p - 1n);
  const dq = k.d % (k.q - 1n);
  if (k.p % 2n === 0n) return "crypto/rsa: p is even";
  // checkPrivateKey's first checks do not need qInv: made first, they give the same error
  // without the exponentiation below, whose cost follows p's size, which they bound by n's.
  const early = checkPublicKey(k.n, k.e) ?? (k.p >= k.n || k.q >= k.n ? "crypto/rsa: invalid prime" : (k.p * k.q) % k.n !== 0n ? "crypto/rsa: p * q != n" : undefined);
  if (early) return early;
  // qInv = q^(p-2) mod p (Fermat), as Go computes it: right only when p is prime.
  const qinv = modPow(k.q % k.p, k.p - 2n, k.p);
  return checkPrivateKey(k, dp, dq, qinv);
}

/** fips140/rsa checkPrivateKey. */
function checkPrivateKey(k: RsaNumbers, dp: bigint, dq: bigint, qinv: bigint): string | undefined {
  const pub = checkPublicKey(k.n, k.e);
  if (pub) return pub;
  const { n, p, q, e, d } = k;
  if (p >= n || q >= n) return "crypto/rsa: invalid prime";
  if ((p * q) % n !== 0n) return "crypto/rsa: p * q != n";
  if (badModulus(p - 1n)) return "crypto/rsa: invalid prime";
  if (dp >= p - 1n) return "crypto/rsa: invalid CRT exponent";
  if ((e * dp) % (p - 1n) !== 1n) return "crypto/rsa: invalid CRT exponent";
  if (badModulus(q - 1n)) return "crypto/rsa: invalid prime";
  if (dq >= q - 1n) return "crypto/rsa: invalid CRT exponent";
  if ((e * dq) % (q - 1n) !== 1n) return "crypto/rsa: invalid CRT exponent";
  if (((q % p) * qinv) % p !== 1n) return "crypto/rsa: invalid CRT coefficient";
  if (d % (p - 1n) !== dp) return "crypto/rsa: d does not match dP";
  if (d % (q - 1n) !== dq) return "crypto/rsa: d does not match dQ";
  if (p === q) return "crypto/rsa: p == q";
  const diff = p > q ? p - q : q - p;
  if (bitLen(diff) <= Math.trunc(bitLen(n) / 2) - 100) return "crypto/rsa: |p - q| too small";
  if (bitLen(d) <= Math.trunc(bitLen(n) / 2)) return "crypto/rsa: d too small";
  return undefined;
}
