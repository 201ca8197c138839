/**
 * Kubernetes resource quantities, only as far as the expansion needs them: Kuscia's
 * `SplitRSC` (secretflow/kuscia pkg/utils/resources/common.go at e909d9f6), which divides a
 * party's requests and limits over the pods of its task, writes the parts as Go's
 * `resource.Quantity` prints them, and those strings end up in the KusciaTask as stored.
 */

interface Parsed {
  /** The value in milli-units (cpu "1" = 1000), as a bigint so nothing rounds. */
  milli: bigint;
  format: "DecimalSI" | "BinarySI" | "DecimalExponent";
}

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Parses a quantity string; undefined when it is not one (Kuscia would then fail too). */
export function parseQuantity(s: string): Parsed | undefined {
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/.exec(s.trim());
  if (!m) return undefined;
  const [, sign, num, bin, exp, dec] = m;
  const [int, frac = ""] = num.split(".");
  // value = digits * 10^-frac.length * multiplier; in milli units
  let digits = BigInt((int || "0") + frac);
  let scale = -frac.length + 3; // power of ten to multiply digits by, for milli units
  let factor = 1n;
  let format: Parsed["format"] = "DecimalSI";
  if (bin) {
    factor = BINARY[bin];
    format = "BinarySI";
  } else if (exp) {
    scale += Number(exp.slice(1));
    format = "DecimalExponent";
  } else {
    scale += DECIMAL[dec ?? ""];
  }
  digits *= factor;
  // Go rounds up to the nearest milli-unit (resource.Quantity keeps at most milli precision for MilliValue).
  let milli: bigint;
  if (scale >= 0) milli = digits * 10n ** BigInt(scale);
  else {
    const d = 10n ** BigInt(-scale);
    milli = digits / d + (digits % d === 0n ? 0n : 1n);
  }
  return { milli: sign === "-" ? -milli : milli, format };
}

/** Go's canonical String() of a DecimalSI quantity of `milli` milli-units. */
export function formatDecimalMilli(milli: bigint): string {
  if (milli === 0n) return "0";
  if (milli % 1000n !== 0n) return `${milli}m`;
  let v = milli / 1000n;
  const suffixes = ["", "k", "M", "G", "T", "P", "E"];
  let i = 0;
  while (i < suffixes.length - 1 && v % 1000n === 0n) {
    v /= 1000n;
    i++;
  }
  return `${v}${suffixes[i]}`;
}

/** Go's canonical String() of a BinarySI quantity of `v` units (small values print as decimal, as Go does). */
function formatBinary(v: bigint): string {
  if (v > -1024n && v < 1024n) return formatDecimalMilli(v * 1000n);
  const suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
  let i = 0;
  while (i < suffixes.length - 1 && v % 1024n === 0n) {
    v /= 1024n;
    i++;
  }
  return `${v}${suffixes[i]}`;
}

/**
 * SplitRSC(rsc, n), then resource.MustParse and the Quantity's canonical form, which is what
 * buildPartyTemplate stores: a decimal quantity is divided in milli-units (`2` over 2 is `1`,
 * `1` over 3 is `333m`); any other in whole units, printed by upstream's switch with the next
 * smaller binary suffix above 1Mi and then canonicalised (`8Gi` over 2: `4096Mi`, stored as
 * `4Gi`; `3Gi` over 2: `1536Mi`). Undefined when `rsc` is not a quantity.
 */
export function splitQuantity(rsc: string, n: number): string | undefined {
  const q = parseQuantity(rsc);
  if (!q || n <= 0) return undefined;
  const parts = BigInt(n);
  if (q.format === "DecimalSI") return formatDecimalMilli(q.milli / parts);
  // quantity.Value(): whole units, rounded up.
  const value = q.milli / 1000n + (q.milli % 1000n > 0n ? 1n : 0n);
  const per = value / parts;
  // "%.0f<unit>", parsed again: a BinarySI quantity, stored in its canonical form.
  const f = (div: bigint) => formatBinary(BigInt(roundHalfEven(Number(per) / Number(div))) * div);
  if (per >= 1n << 60n) return f(1n << 50n);
  if (per >= 1n << 50n) return f(1n << 40n);
  if (per >= 1n << 40n) return f(1n << 30n);
  if (per >= 1n << 30n) return f(1n << 20n);
  if (per >= 1n << 20n) return f(1n << 10n);
  // quantity.Set(bytesPerPart) keeps the parsed format.
  return q.format === "BinarySI" ? formatBinary(per) : formatDecimalExponent(per);
}

function formatDecimalExponent(v: bigint): string {
  if (v === 0n) return "0";
  let e = 0;
  while (v % 1000n === 0n) {
    v /= 1000n;
    e += 3;
  }
  return e === 0 ? `${v}` : `${v}e${e}`;
}

/** Go's `%.0f`: to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
