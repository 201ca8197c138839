/**
 * The rule book over arguments some of which are not known yet: a preview on a fresh stack, where
 * a component is given `alice.domainId` (unknown until alice's objects exist). Everything known is
 * judged at preview even when other fields are unknown; only a finding that holds whatever the
 * unknown values turn out to be refuses.
 *
 * How: every Output among the arguments is awaited; a known one gives its value, an unknown one
 * a placeholder. The component builds its object from them and the rule book reviews it several
 * times: once with a distinct placeholder per unknown value (`kuscia-iac-unknown-<n>`, a valid
 * DNS label), and once per string the known values hold, every unknown value being that string
 * (so "the initiator must be a party" or "listed twice" cannot fire when the unknown initiator may
 * well be the party). A finding is kept when it fires in every run, at a path that holds no
 * placeholder (nor contains one, nor lies inside one) and with a message that quotes none.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Violation } from "../policy/types";

/** Prefix of the placeholders: a valid DNS label once a number follows it. */
export const UNKNOWN_PREFIX = "kuscia-iac-unknown-";

/** A value not known yet, at its place in the arguments. */
class Unknown {
  constructor(readonly index: number) {}
}

// Output's value and known-ness have no public accessor; the SDK's own serializer reads them this way.
interface OutputInternals {
  isKnown: Promise<boolean>;
  isSecret: Promise<boolean>;
  promise(): Promise<unknown>;
}

/** The arguments resolved as far as they can be: known values, and {@link Unknown} where an Output is unknown. */
export interface Resolved {
  tree: unknown;
  /** How many values are unknown. */
  unknowns: number;
  /** Some value read was a secret: findings must quote no value. */
  secret: boolean;
}

/** Resolves every Output and promise in `v`, at any depth (see the module comment). */
export async function resolveKnown(v: unknown): Promise<Resolved> {
  const state = { unknowns: 0, secret: false };
  const walk = async (x: unknown): Promise<unknown> => {
    if (pulumi.Output.isInstance(x)) {
      const o = x as unknown as OutputInternals;
      if (!(await o.isKnown)) return new Unknown(state.unknowns++);
      if ((await o.isSecret) === true) state.secret = true;
      return walk(await o.promise());
    }
    if (x && typeof (x as { then?: unknown }).then === "function") return walk(await (x as Promise<unknown>));
    if (Array.isArray(x)) return Promise.all(x.map(walk));
    if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
      const entries = await Promise.all(Object.entries(x).map(async ([k, y]) => [k, await walk(y)] as const));
      return Object.fromEntries(entries);
    }
    return x;
  };
  const tree = await walk(v);
  return { tree, ...state };
}

/** `tree` with every unknown value replaced by `fill(index)`. */
function substitute(tree: unknown, fill: (index: number) => unknown): unknown {
  if (tree instanceof Unknown) return fill(tree.index);
  if (Array.isArray(tree)) return tree.map((x) => substitute(x, fill));
  if (tree && typeof tree === "object" && Object.getPrototypeOf(tree) === Object.prototype) return Object.fromEntries(Object.entries(tree).map(([k, x]) => [k, substitute(x, fill)]));
  return tree;
}

/** The arguments with a distinct placeholder (`kuscia-iac-unknown-<n>`) for each unknown value. */
export function withPlaceholders(r: Resolved): unknown {
  return substitute(r.tree, (i) => `${UNKNOWN_PREFIX}${i}`);
}

/** Paths (the rule book's `a.b[0].c` syntax) of `o`'s strings that hold a placeholder, and the other strings it holds. */
function scan(o: unknown): { placeholders: string[]; strings: Set<string> } {
  const placeholders: string[] = [];
  const strings = new Set<string>();
  const walk = (x: unknown, at: string) => {
    if (typeof x === "string") {
      if (x.includes(UNKNOWN_PREFIX)) placeholders.push(at);
      else if (x !== "" && x.length <= 253) strings.add(x);
    } else if (Array.isArray(x)) x.forEach((y, i) => walk(y, `${at}[${i}]`));
    else if (x && typeof x === "object") for (const [k, y] of Object.entries(x)) walk(y, at ? `${at}.${k}` : k);
  };
  walk(o, "");
  return { placeholders, strings };
}

/** True when a finding at `path` may be about a value at `p` (one contains the other). */
function touches(path: string, p: string): boolean {
  if (path === "" || path === p) return true;
  const under = (a: string, b: string) => a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return under(p, path) || under(path, p);
}

/** A finding of a review: a violation, or an expansion error (no path: only its message can be judged). */
export type Finding = Pick<Violation, "message"> & Partial<Pick<Violation, "path" | "rule">>;

/** Most other values tried in place of the unknown ones (each costs one review). */
const MAX_TRIALS = 24;

/**
 * The findings that hold whatever the unknown values of `r` turn out to be (see the module
 * comment). `review(args)` builds the object from the arguments and returns the rule book's
 * findings about it and the object itself; a build that throws on a placeholder (an unknown list,
 * say) proves nothing, so it gives no findings.
 */
export function certainFindings(r: Resolved, review: (args: unknown) => { object: unknown; findings: readonly Finding[] }): Finding[] {
  const attempt = (args: unknown): { object: unknown; findings: readonly Finding[] } | undefined => {
    try {
      return review(args);
    } catch {
      return undefined;
    }
  };
  const first = attempt(withPlaceholders(r));
  if (!first) return [];
  const { placeholders, strings } = scan(first.object);
  const key = (f: Finding) => `${f.rule ?? ""}\u0000${f.path ?? f.message}`;
  let kept = first.findings.filter((f) => !f.message.includes(UNKNOWN_PREFIX) && (f.path === undefined || !placeholders.some((p) => touches(f.path!, p))));
  // Names (domain IDs, aliases) first: the values an unknown one is most likely to equal.
  const label = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
  const trials = [...strings].sort((a, b) => Number(label.test(b)) - Number(label.test(a))).slice(0, MAX_TRIALS);
  for (const s of trials) {
    if (kept.length === 0) break;
    const other = attempt(substitute(r.tree, () => s));
    if (!other) return [];
    const seen = new Set(other.findings.map(key));
    kept = kept.filter((f) => seen.has(key(f)));
  }
  return kept;
}
