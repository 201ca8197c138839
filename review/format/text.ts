/** Output for people: one line per finding, file:line first so terminals and editors can jump to it. */
import type { ObjectResult, Report } from "../run";
import { SKIP_REASONS } from "../select";
import { plural } from "../../policy/plural";
import type { ReportStream } from "./stream";

const paint = (color: boolean) => (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);

/** The text format written result by result (review/format/stream.ts). */
export function textStream(color: boolean): ReportStream {
  const c = paint(color);
  // Objects read from a cluster (audit) have no line: line 0.
  const loc = (file: string, line: number) => (line > 0 ? `${file}:${line}` : file);
  return {
    head: () => "",
    result: (r: ObjectResult) => {
      let out = "";
      const what = `${r.kind}/${r.namespace ? r.namespace + "/" : ""}${r.name}`;
      for (const v of r.violations) out += `${loc(r.file, v.line)}: ${c("31", "error")} ${what}: ${v.message} [${v.rule}]\n`;
      for (const w of r.warnings) out += `${loc(r.file, w.line)}: ${c("33", "warning")} ${what}: ${w.message} [${w.rule}]\n`;
      for (const a of r.audits) out += `${loc(r.file, a.line)}: ${c("36", "audit")} ${what}: ${a.message} [${a.rule}] (${a.reason})\n`;
      return out;
    },
    tail: (report) => tailLines(report, c).join("\n") + "\n",
  };
}

export function formatText(report: Report, color: boolean): string {
  const s = textStream(color);
  let out = s.head();
  for (const r of report.results) out += s.result(r);
  return out + s.tail(report);
}

function tailLines(report: Report, c: (code: string, s: string) => string): string[] {
  const lines: string[] = [];
  // What review did not read, and why: one line each, so nothing is left out silently.
  for (const x of report.skippedFiles ?? []) lines.push(`${x.path}: ${c("2", "skipped")} ${SKIP_REASONS[x.reason]}${x.detail ? `: ${x.detail}` : ""}`);
  const s = report.summary;
  const verdict = s.refused > 0 ? c("31", `${s.refused} refused`) : c("32", "0 refused");
  const byReason = Object.entries(s.skippedFilesByReason ?? {}).map(([k, n]) => `${k} ${n}`).join(", ");
  const files = s.skippedFiles !== undefined ? `; ${plural(s.skippedFiles, "file or folder", "files or folders")} skipped${byReason ? ` (${byReason})` : ""}` : "";
  // Each is on standard error (the command writes them there, for every format), where it was before this summary.
  const inputErrors = s.inputErrors ? `; ${c("31", plural(s.inputErrors, "input error"))} (on standard error)` : "";
  lines.push(`${plural(s.files, "file")}, ${plural(s.objects, "object")}: ${verdict}, ${plural(s.warnings, "warning")}, ${s.audits ? `${s.audits} audited, ` : ""}${s.skipped} skipped (kinds the rule book does not review)${files}${inputErrors}`);
  return lines;
}
