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
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  let done = 0;
  const out: SuiteResult[] = [];
  const summary: RunSummary = { files: suites.length, cases: 0, passed: 0, failed: 0, frontends: Object.fromEntries(frontends.map((f) => [f.name, { compared: 0, agreed: 0, disagreed: 0, notApplicable: 0 }])) };
  for (const s of suites) {
    const results: CaseResult[] = [];
    for (const c of s.cases) {
      const observed = observeBook(c);
      const failures = compareExpectation(c.expect, observed);
      const fronts: FrontendResult[] = [];
      for (const f of frontends) {
        const tally = summary.frontends[f.name];
        const got = await f.observe(c);
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
      progress(++done, total);
    }
    out.push({ file: s.file, name: s.name, cases: results });
  }
  return { suites: out, summary };
}
