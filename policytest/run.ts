/**
 * Runs test suites: each case through the rule book (compared with its expectation) and
 * through every front end asked for (compared with the rule book, within what the front end
 * can show). Pure of output: returns the results; report.ts formats them.
 */
import type { Operation } from "fast-json-patch";
import type { TestCase, TestSuite } from "./load";
import { observeBook, type Observation } from "./observe";
import { compareExpectation, compareFrontend } from "./compare";
import { patchedObject } from "./frontends/pack";
import type { Frontend } from "./frontends/types";

export interface FrontendResult {
  frontend: string;
  /** Set when the front end cannot give a verdict on this case (and why): not compared. */
  notApplicable?: string;
  observed?: Observation;
  /** Differences with the rule book; empty when they agree. */
  disagreements: string[];
}

export interface CaseResult {
  name: string;
  where: string;
  passed: boolean;
  expected: TestCase["expect"];
  observed: Observation;
  /** Differences between the expectation and the rule book. */
  failures: string[];
  frontends: FrontendResult[];
}

export interface SuiteResult {
  file: string;
  name: string;
  cases: CaseResult[];
}

export interface FrontendTally {
  compared: number;
  agreed: number;
  disagreed: number;
  notApplicable: number;
}

export interface RunSummary {
  files: number;
  cases: number;
  passed: number;
  failed: number;
  frontends: Record<string, FrontendTally>;
}

/** Runs `suites` through the rule book and `frontends`, reporting progress per case. Throws when a front end fails (not a disagreement: a crash, a cluster that cannot be reached). */
export async function runSuites(suites: readonly TestSuite[], frontends: readonly Frontend[], progress: (done: number, total: number) => void = () => undefined): Promise<{ suites: SuiteResult[]; summary: RunSummary }> {
  const total = suites.reduce((n, s) => n + s.cases.length, 0) * Math.max(1, frontends.length);
  let done = 0;
  const out: SuiteResult[] = [];
  const summary: RunSummary = { files: suites.length, cases: 0, passed: 0, failed: 0, frontends: Object.fromEntries(frontends.map((f) => [f.name, { compared: 0, agreed: 0, disagreed: 0, notApplicable: 0 }])) };
  for (const s of suites) {
    const book = s.cases.map((c) => observeBook(c));
    // Each front end in the order its set-ups allow (grouped), results kept by case.
    const byFrontend = new Map<string, Map<number, (Observation & { patched?: unknown }) | { notApplicable: string }>>();
    for (const f of frontends) {
      const got = new Map<number, (Observation & { patched?: unknown }) | { notApplicable: string }>();
      const order = s.cases.map((c, i) => ({ c, i, key: f.groupKey?.(c) ?? "" }));
      const firstSeen = new Map<string, number>();
      for (const x of order) if (!firstSeen.has(x.key)) firstSeen.set(x.key, x.i);
      order.sort((a, b) => firstSeen.get(a.key)! - firstSeen.get(b.key)! || a.i - b.i);
      for (const x of order) {
        got.set(x.i, await f.observe(x.c));
        progress(++done, total);
      }
      byFrontend.set(f.name, got);
    }
    const results: CaseResult[] = [];
    s.cases.forEach((c, i) => {
      const observed = book[i];
      const failures = compareExpectation(c.expect, observed);
      const fronts: FrontendResult[] = [];
      for (const f of frontends) {
        const tally = summary.frontends[f.name];
        const got = byFrontend.get(f.name)!.get(i)!;
        if ("notApplicable" in got) {
          tally.notApplicable++;
          fronts.push({ frontend: f.name, notApplicable: got.notApplicable, disagreements: [] });
          continue;
        }
        const { patched, ...observation } = got;
        const want = f.view.patch === "object" ? (f.expectedObject ? f.expectedObject(c, observed.patch) : patchedObject(c.object, observed.patch as Operation[])) : undefined;
        const disagreements = compareFrontend(f.view, observed, observation, f.view.patch === "object" ? { want, got: patched } : undefined);
        tally.compared++;
        if (disagreements.length > 0) tally.disagreed++;
        else tally.agreed++;
        fronts.push({ frontend: f.name, observed: observation, disagreements });
      }
      const passed = failures.length === 0 && fronts.every((f) => f.disagreements.length === 0);
      summary.cases++;
      if (passed) summary.passed++;
      else summary.failed++;
      results.push({ name: c.name, where: c.where, passed, expected: c.expect, observed, failures, frontends: fronts });
      if (frontends.length === 0) progress(++done, total);
    });
    out.push({ file: s.file, name: s.name, cases: results });
  }
  return { suites: out, summary };
}
