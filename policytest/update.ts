/**
 * `kuscia-iac test --update`: the rule book's observed verdicts become the cases'
 * expectations, written into the test file with its comments and layout kept (the yaml
 * library's Document), atomically: a temporary file in the same folder renamed over the old
 * one, so a reader never sees half a file and a failed write leaves the old one whole.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import * as path from "node:path";
import type { TestSuite } from "./load";
import type { Observation } from "./observe";
import type { Expectation } from "./schema";

/** The expectation that records `o`: the outcome, every non-empty list, and the patch when there is one. */
export function expectationOf(o: Observation): Expectation {
  return {
    outcome: o.outcome,
    ...(o.violations.length ? { violations: o.violations } : {}),
    ...(o.warnings.length ? { warnings: o.warnings } : {}),
    ...(o.audits.length ? { audits: o.audits } : {}),
    ...(o.exceptions.length ? { exceptions: o.exceptions } : {}),
    ...(o.patch.length ? { patch: o.patch } : {}),
  };
}

/** Writes `text` to `file` atomically (same folder, same mode). */
export function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  let mode = 0o644;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    // a new file
  }
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Sets each case's `expect` to what the rule book observed (`observed`, by case index) and
 * writes the file when anything changed. Returns the number of cases whose expectation changed.
 */
export function updateSuite(suite: TestSuite, observed: ReadonlyMap<number, Observation>): number {
  let changed = 0;
  for (const c of suite.cases) {
    const o = observed.get(c.index);
    if (!o) continue;
    const next = expectationOf(o);
    if (canonical(next) === canonical(c.expect)) continue;
    suite.document.setIn(["cases", c.index, "expect"], suite.document.createNode(next));
    changed++;
  }
  if (changed > 0) writeAtomically(suite.file, suite.document.toString({ lineWidth: 0, flowCollectionPadding: false }));
  return changed;
}

/** An expectation as one string: lists sorted, an absent list as an empty one, fields in one order. */
function canonical(e: Expectation): string {
  const list = (xs?: readonly string[]) => [...(xs ?? [])].sort();
  return JSON.stringify([e.outcome, list(e.violations), list(e.warnings), list(e.audits), list(e.exceptions), e.patch ?? []]);
}
