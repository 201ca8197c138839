/**
 * `review --references`: the cross-object checks (policy/references.ts, policy/preflight.ts)
 * over every document given, taken as one set (like conftest --combine). Each document is
 * still dropped once reviewed: only names, small facts and the lines of the referring fields
 * are kept.
 */
import { ReferenceIndex, referencePaths, refKey, refOf, type PolicyConfig } from "../policy";
import type { SourceDoc } from "./load";
import type { ObjectResult, Report } from "./run";

export class ReviewReferences {
  private readonly index = new ReferenceIndex();
  private readonly where = new Map<string, { result: ObjectResult; lines: Map<string, number> }>();

  /** `result`: what the review made of the document (undefined for kinds it does not review). */
  add(d: SourceDoc, result: ObjectResult | undefined): void {
    this.index.add(d.object);
    const ref = refOf(d.object);
    if (!ref || !result) return;
    const lines = new Map<string, number>();
    for (const path of referencePaths(d.object)) lines.set(path, d.lineOf(path));
    if (lines.size) this.where.set(refKey(ref), { result, lines });
  }

  /** Adds the reference findings to `report`'s results and summary. */
  apply(report: Report, config: PolicyConfig, now?: Date): void {
    for (const r of this.index.results({ config, now })) {
      const w = this.where.get(refKey(r.object));
      if (!w) continue;
      const line = (p: string) => w.lines.get(p) ?? w.result.line;
      const wasAllowed = w.result.allowed;
      w.result.violations.push(...r.violations.map((f) => ({ ...f, line: line(f.path) })));
      w.result.warnings.push(...r.warnings.map((f) => ({ ...f, line: line(f.path) })));
      w.result.audits.push(...r.audits.map((f) => ({ ...f, line: line(f.path) })));
      w.result.allowed = w.result.violations.length === 0;
      if (wasAllowed && !w.result.allowed) report.summary.refused++;
      report.summary.warnings += r.warnings.length;
      report.summary.audits += r.audits.length;
    }
  }
}
