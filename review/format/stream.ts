/**
 * A report format written object by object as the review goes, so that review's memory does
 * not grow with the number of objects reviewed: `head()`, then `result(r)` for each result in
 * order, then `tail(report)` with the final summary (its `results` are ignored). The three
 * concatenated are exactly what the format's whole-report function writes (each format
 * builds the latter from the former).
 */
import type { ObjectResult, Report } from "../run";

export interface ReportStream {
  head(): string;
  result(r: ObjectResult): string;
  tail(report: Report): string;
}
