import type { Report } from "../run";

export function formatJson(report: Report): string {
  return JSON.stringify(report, null, 2) + "\n";
}
