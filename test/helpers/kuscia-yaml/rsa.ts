/**
 * RSA keys for the node-configuration generator, made from a seed (so a seed reproduces
 * every key), written as Kuscia reads them (PKCS#1 / PKCS#8 DER in PEM in base64), and the
 * ways a key goes wrong: a changed modulus, exponent, prime or CRT value, a body under the
 * wrong label, trailing or missing bytes, a non-minimal integer.
 */
import { checkPrimeSync } from "node:crypto";
import type { Rng } from "./rng";

export interface RsaKey {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qinv: bigint;
}

const SMALL_PRIMES: number[] = (() => {
  const out: number[] = [];
  for (let i = 3; out.length < 300; i += 2) if (out.every((p) => i % p !== 0)) out.push(i);
  return out;
})();

function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [m, ((a % m) + m) % m, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error("not invertible");
  return ((s0 % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Primality by OpenSSL (crypto.checkPrimeSync): the candidates come from the seed, and whether
 * a number is prime does not depend on how it is tested, so keys stay reproducible.
 */
function isPrime(n: bigint): boolean {
  for (const p of SMALL_PRIMES) if (n % BigInt(p) === 0n) return n === BigInt(p);
  return checkPrimeSync(n, { checks: 32 });
}

function prime(bits: number, rng: Rng, e: bigint): bigint {
  for (;;) {
    // Top two bits set, so the product of two has exactly 2*bits bits; odd.
    let c = rng.bits(bits) | (3n << BigInt(bits - 2)) | 1n;
    for (let i = 0; i < 4096; i++, c += 2n) {
      if (gcd(c - 1n, e) !== 1n) continue;
      if (isPrime(c)) return c;
    }
  }
}

/** A `bits`-bit RSA key with e = 65537, from `rng` alone. */
export function makeRsaKey(bits: number, rng: Rng): RsaKey {
  const e = 65537n;
  for (;;) {
    const p = prime(bits / 2, rng, e);
    const q = prime(bits / 2, rng, e);
    if (p === q) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInv(e, lambda);
    return { n: p * q, e, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qinv: modInv(q, p) };
  }
}

// DER writing.
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

/** A DER INTEGER, minimal two's complement; `pad` adds a needless leading 0x00 (non-minimal). */
export function derInt(v: bigint, pad = false): Buffer {
  let hex = (v < 0n ? -v : v).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, "hex");
  if (v >= 0n && b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  if (v < 0n) {
    // two's complement of the magnitude
    const width = BigInt(b.length * 8 + 8);
    let t = ((1n << width) + v).toString(16);
    if (t.length % 2) t = `0${t}`;
    b = Buffer.from(t, "hex");
    while (b.length > 1 && b[0] === 0xff && b[1] & 0x80) b = b.subarray(1);
  }
  if (pad) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export function derSeq(...parts: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

export type KeyField = keyof RsaKey;
export const KEY_FIELDS: readonly KeyField[] = ["n", "e", "d", "p", "q", "dp", "dq", "qinv"];

/** PKCS#1 RSAPrivateKey DER; `padField` encodes that one integer non-minimally. */
export function pkcs1Der(k: RsaKey, o: { version?: bigint; padField?: KeyField; omitCrt?: boolean } = {}): Buffer {
  const int = (f: KeyField) => derInt(k[f], o.padField === f);
  const crt = o.omitCrt ? [] : [int("dp"), int("dq"), int("qinv")];
  return derSeq(derInt(o.version ?? 0n), int("n"), int("e"), int("d"), int("p"), int("q"), ...crt);
}

const RSA_ALGORITHM = Buffer.from("300d06092a864886f70d0101010500", "hex");

/** PKCS#8 PrivateKeyInfo wrapping a PKCS#1 body. */
export function pkcs8Der(pkcs1: Buffer): Buffer {
  return derSeq(derInt(0n), RSA_ALGORITHM, tlv(0x04, pkcs1));
}

/** PEM armour: base64 lines of `width` characters, `eol` line ends, optional headers. */
export function pem(label: string, der: Buffer, o: { width?: number; eol?: string; headers?: string[]; endLabel?: string } = {}): string {
  const eol = o.eol ?? "\n";
  const b64 = der.toString("base64");
  const width = o.width ?? 64;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  const headers = o.headers?.length ? [...o.headers, ""] : [];
  return [`-----BEGIN ${label}-----`, ...headers, ...lines, `-----END ${o.endLabel ?? label}-----`].join(eol) + eol;
}

/** The key with one bit of one of its numbers flipped. */
export function alterKey(k: RsaKey, field: KeyField, bit: number): RsaKey {
  const v = k[field];
  const width = Math.max(2, v.toString(2).length);
  const b = BigInt(Math.min(bit, width - 2)); // keep the value positive and its size
  return { ...k, [field]: v ^ (1n << b) };
}
