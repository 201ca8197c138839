/**
 * Comparisons: a case's expectation against the rule book's observation, and a front end's
 * observation against the rule book's, seen through what that front end can show (its
 * `FrontendView`). Each returns the differences as sentences; none means agreement.
 */
import { jsonEqual } from "../policy/walk";
import type { Observation } from "./observe";
import type { Expectation } from "./schema";

const LISTS = ["violations", "warnings", "audits", "exceptions"] as const;
type ListName = (typeof LISTS)[number];

function show(xs: readonly string[]): string {
  return xs.length ? `[${xs.join(", ")}]` : "none";
}

/** How `got` differs from `want` as a sentence, or undefined when they are equal. */
function listDiff(name: string, want: readonly string[], got: readonly string[]): string | undefined {
  const w = [...new Set(want)].sort();
  const g = [...new Set(got)].sort();
  if (jsonEqual(w, g)) return undefined;
  const missing = w.filter((x) => !g.includes(x));
  const extra = g.filter((x) => !w.includes(x));
  return `${name}: expected ${show(w)}, got ${show(g)}${missing.length ? ` (missing ${missing.join(", ")})` : ""}${extra.length ? ` (unexpected ${extra.join(", ")})` : ""}`;
}

/** Differences between what a case expects and what the rule book observed. Lists and patch are compared only when the expectation gives them. */
export function compareExpectation(want: Expectation, got: Observation): string[] {
  const out: string[] = [];
  if (want.outcome !== got.outcome) out.push(`outcome: expected ${want.outcome}, got ${got.outcome}${got.exempt ? ` (${got.exempt} is exempt)` : ""}`);
  for (const k of LISTS) {
    const w = want[k];
    if (w === undefined) continue;
    const d = listDiff(k, w, got[k]);
    if (d) out.push(d);
  }
  if (want.patch !== undefined && !jsonEqual(want.patch, got.patch)) out.push(`patch: expected ${JSON.stringify(want.patch)}, got ${JSON.stringify(got.patch)}`);
  return out;
}

/**
 * What a front end can show of a verdict, so it is compared on that alone:
 * - `rules`: the rule ids it can report at all (undefined: every rule);
 * - `firstViolationOnly`: it names one refusing rule, not all (the API server stops at the
 *   first ValidatingAdmissionPolicy that denies);
 * - `sees`: which lists it shows (the API server shows no audit records or exceptions);
 * - `patch`: whether it shows the object after mutation, compared as `patched` (the case's
 *   object with the rule book's patch applied) rather than as a patch;
 * - `existingSilent`: an UPDATE that keeps an existing violation passes without the warning
 *   the rule book gives (the ValidatingAdmissionPolicies' allowExistingViolations, vap/generate.ts).
 */
export interface FrontendView {
  rules?: ReadonlySet<string>;
  firstViolationOnly?: boolean;
  existingSilent?: boolean;
  sees: ReadonlySet<ListName>;
  patch: "patch" | "object" | "none";
}

export const FULL_VIEW: FrontendView = { sees: new Set(LISTS), patch: "patch" };

/**
 * Differences between a front end's observation and the rule book's, restricted to the
 * front end's view. `patched`: for a view that compares objects, the object the front end
 * returned after mutation (`got`) and the one the rule book's patch makes (`want`), each
 * reduced to the fields the patch may touch.
 */
export function compareFrontend(view: FrontendView, book: Observation, front: Observation, patched?: { want: unknown; got: unknown }): string[] {
  const out: string[] = [];
  const inView = (xs: readonly string[]) => (view.rules ? xs.filter((x) => view.rules!.has(x)) : [...xs]);
  const bookViolations = inView(book.violations);
  // The outcome, as far as the front end can decide it: refused or not.
  const bookRefuses = bookViolations.length > 0;
  const frontRefuses = front.outcome === "refused";
  if (bookRefuses !== frontRefuses) {
    out.push(`outcome: the rule book ${bookRefuses ? `refuses (${show(bookViolations)})` : "admits"}, the front end ${frontRefuses ? `refuses (${show(front.violations)})` : "admits"}`);
  } else if (view.firstViolationOnly) {
    const stray = front.violations.filter((v) => !bookViolations.includes(v));
    if (stray.length) out.push(`violations: the front end refuses with ${show(stray)}, which the rule book does not report (it reports ${show(bookViolations)})`);
  } else if (view.sees.has("violations")) {
    const d = listDiff("violations", bookViolations, inView(front.violations));
    if (d) out.push(d.replace("expected", "the rule book has").replace(", got", ", the front end"));
  }
  if (!bookRefuses && !frontRefuses) {
    // Outcomes below refused (warned, audited, allowed) only where the front end shows them all.
    if (view.sees.has("warnings") && view.sees.has("audits") && !view.rules && book.outcome !== front.outcome) out.push(`outcome: the rule book ${book.outcome}, the front end ${front.outcome}`);
    for (const k of ["warnings", "audits", "exceptions"] as const) {
      if (!view.sees.has(k)) continue;
      const want = k === "exceptions" ? book[k] : inView(book[k]).filter((r) => !(k === "warnings" && view.existingSilent && book.existing?.includes(r)));
      const d = listDiff(k, want, k === "exceptions" ? front[k] : inView(front[k]));
      if (d) out.push(d.replace("expected", "the rule book has").replace(", got", ", the front end"));
    }
    // Defaults only on what the rule book admits (a refused object gets no patch from the webhook).
    if (book.outcome === "refused") return out;
    if (view.patch === "patch" && !jsonEqual(book.patch, front.patch)) out.push(`patch: the rule book ${JSON.stringify(book.patch)}, the front end ${JSON.stringify(front.patch)}`);
    if (view.patch === "object" && patched && !jsonEqual(patched.want, patched.got)) out.push(`object after admission: expected ${JSON.stringify(patched.want)}, the front end made ${JSON.stringify(patched.got)}`);
  }
  return out;
}
