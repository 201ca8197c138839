/** A review report in the format asked for: what `review` and `audit` print on standard output. */
import type { PolicyConfig } from "../../policy/config/types";
import type { Report } from "../run";
import { formatJson } from "./json";
import { formatJunit } from "./junit";
import { formatSarif } from "./sarif";
import { formatText } from "./text";

export type ReportFormat = "text" | "json" | "junit" | "sarif";

/** `color` applies to text only (a terminal, and NO_COLOR unset); `config` sets SARIF's per-rule default levels. */
export function formatReport(report: Report, format: ReportFormat, color: boolean, config?: PolicyConfig): string {
  switch (format) {
    case "json":
      return formatJson(report);
    case "junit":
      return formatJunit(report);
    case "sarif":
      return formatSarif(report, require("../../../package.json").version as string, config);
    default:
      return formatText(report, color);
  }
}
