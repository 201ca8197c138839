import type { ObjectResult, Report } from "../run";
import type { ReportStream } from "./stream";

/** One result as JSON.stringify(report, null, 2) writes it inside `results`: indented by two levels. */
function resultJson(r: ObjectResult): string {
  return "    " + JSON.stringify(r, null, 2).split("\n").join("\n    ");
}

/**
 * JSON.stringify(report, null, 2) + "\n", written result by result: `results` comes first in
 * every report review builds, then the rest of the report (summary, skipped files).
 */
export function jsonStream(): ReportStream {
  let count = 0;
  return {
    head: () => '{\n  "results": [',
    result: (r) => (count++ === 0 ? "\n" : ",\n") + resultJson(r),
    tail: (report) => {
      const { results: _results, ...rest } = report;
      const more = JSON.stringify(rest, null, 2);
      return (count > 0 ? "\n  ]" : "]") + (more === "{}" ? "\n}" : ",\n" + more.slice(2)) + "\n";
    },
  };
}

export function formatJson(report: Report): string {
  // The streamed form only where `results` is the first key, as JSON.stringify would write it.
  if (Object.keys(report)[0] !== "results") return JSON.stringify(report, null, 2) + "\n";
  const s = jsonStream();
  let out = s.head();
  for (const r of report.results) out += s.result(r);
  return out + s.tail(report);
}
