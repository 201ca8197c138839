/**
 * bench/glob: the cost of matching an exception's name glob, as the policy configuration
 * compiles it (policy/config/glob.ts compileGlob), for the hostile case, `*a*a*a*a*b`
 * against a name of 253 `a`s (the longest DNS subdomain; no match), against a plain `t-*`
 * against the same name, in the same run. Before, globs were regular expressions
 * (`^[\s\S]*a[\s\S]*a...b$`) that backtrack: over 120 s for that name. That form is timed too,
 * on names short enough to finish (BENCH_OLD_MAX, default 40 characters), to show how it grows.
 * Run: `npm run bench:glob` (BENCH_ROUNDS, default 5).
 */
import { compileGlob } from "../policy/config/glob";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OLD_MAX = Number(process.env.BENCH_OLD_MAX ?? 40);
const HOSTILE = "*a*a*a*a*b";
const NAME = "a".repeat(253);

/** The glob as a regular expression, as policy/config/glob.ts compiled it before: backtracks. */
function oldRegExp(glob: string): RegExp {
  let re = "";
  for (const ch of glob) re += ch === "*" ? "[\\s\\S]*" : ch === "?" ? "[\\s\\S]" : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  return new RegExp(`^${re}$`);
}

/** Median microseconds per call of `fn`, each round long enough (>= 20 ms) to measure. */
function perCall(fn: () => boolean): number {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    let ns = 0n;
    do {
      if (fn()) throw new Error("the benchmark's subjects never match");
      n++;
      ns = process.hrtime.bigint() - t0;
    } while (ns < 20_000_000n);
    rounds.push(Number(ns) / 1e3 / n);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
}

function main(): void {
  const hostile = compileGlob(HOSTILE);
  const plain = compileGlob("t-*");
  const hostileUs = perCall(() => hostile.test(NAME));
  const plainUs = perCall(() => plain.test(NAME));
  const old = oldRegExp(HOSTILE);
  const before: Record<string, number> = {};
  for (let n = 10; n <= OLD_MAX; n += 10) {
    const name = "a".repeat(n);
    const t0 = process.hrtime.bigint();
    old.test(name);
    before[`${n} characters`] = Math.round(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  const out = {
    glob: HOSTILE,
    nameLength: NAME.length,
    hostileMicroseconds: Math.round(hostileUs * 100) / 100,
    plainMicroseconds: Math.round(plainUs * 100) / 100,
    ratio: Math.round((hostileUs / plainUs) * 10) / 10,
    beforeRegExpMicroseconds: before,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  // Target: the hostile case costs under a millisecond (it took over 120 s before).
  if (hostileUs >= 1000) process.exitCode = 1;
}

main();
