/** A review report in the format asked for: what `review` and `audit` print on standard output. */
import type { Report } from "../run";
import { formatJson } from "./json";
import { formatJunit } from "./junit";
import { formatSarif } from "./sarif";
import { formatText } from "./text";

export type ReportFormat = "text" | "json" | "junit" | "sarif";

/** `color` applies to text only (a terminal, and NO_COLOR unset). */
export function formatReport(report: Report, format: ReportFormat, color: boolean): string {
  switch (format) {
    case "json":
      return formatJson(report);
    case "junit":
      return formatJunit(report);
    case "sarif":
      return formatSarif(report, require("../../../package.json").version as string);
    default:
      return formatText(report, color);
  }
}
