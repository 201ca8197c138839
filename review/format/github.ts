/**
 * GitHub Actions workflow commands: each finding becomes an annotation on its file and line
 * in the run and the pull request (`::error file=...,line=...,title=...::message`), with no
 * upload step; a notice lists what was skipped. Syntax and escaping as GitHub's toolkit
 * (@actions/core command.ts) writes them: `%`, CR and LF in the message; also `:` and `,`
 * in property values.
 */
import { INPUT_ERROR_ID, inputErrorText, type ObjectResult, type Report } from "../run";
import { SKIP_REASONS } from "../select";
import { plural } from "../../policy/plural";
import type { ReportStream } from "./stream";

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function command(level: "error" | "warning" | "notice", props: Record<string, string | number | undefined>, message: string): string {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== "" && v !== 0)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${level}${p ? ` ${p}` : ""}::${escapeData(message)}`;
}

/** A file as an annotation's `file` property: forward slashes; none for standard input. */
function githubPath(file: string): string | undefined {
  return file === "-" ? undefined : file.split("\\").join("/");
}

function resultLines(r: ObjectResult): string {
  let out = "";
  const file = githubPath(r.file);
  const what = `${r.kind}/${r.namespace ? r.namespace + "/" : ""}${r.name}`;
  for (const v of r.violations) out += command("error", { file, line: v.line, title: `kuscia-iac ${v.rule}` }, `${what}: ${v.message}`) + "\n";
  for (const w of r.warnings) out += command("warning", { file, line: w.line, title: `kuscia-iac ${w.rule}` }, `${what}: ${w.message}`) + "\n";
  for (const a of r.audits) out += command("notice", { file, line: a.line, title: `kuscia-iac ${a.rule} (${a.reason})` }, `${what}: ${a.message}`) + "\n";
  return out;
}

/** The github format written result by result (review/format/stream.ts). */
export function githubStream(): ReportStream {
  return { head: () => "", result: resultLines, tail: (report) => tailLines(report).join("\n") + "\n" };
}

export function formatGithub(report: Report): string {
  const s = githubStream();
  let out = s.head();
  for (const r of report.results) out += s.result(r);
  return out + s.tail(report);
}

function tailLines(report: Report): string[] {
  const lines: string[] = [];
  // A file or document that could not be read or parsed: an error annotation where it is.
  for (const e of report.errors ?? []) lines.push(command("error", { file: githubPath(e.file), line: e.line, title: `kuscia-iac ${INPUT_ERROR_ID}` }, inputErrorText(e)));
  const s = report.summary;
  const skipped = report.skippedFiles ?? [];
  if (skipped.length > 0) {
    const byReason = Object.entries(s.skippedFilesByReason ?? {}).map(([k, n]) => `${n} ${k}`).join(", ");
    const list = skipped.map((x) => `${x.path}: ${SKIP_REASONS[x.reason]}${x.detail ? ` (${x.detail})` : ""}`).join("\n");
    lines.push(command("notice", { title: `kuscia-iac: ${plural(skipped.length, "file or folder", "files or folders")} not reviewed (${byReason})` }, list));
  }
  // A plain line for the log; GitHub shows it as text, not as an annotation.
  const errors = s.inputErrors ? `, ${plural(s.inputErrors, "input error")}` : "";
  lines.push(`kuscia-iac: ${plural(s.files, "file")}, ${plural(s.objects, "object")}: ${s.refused} refused, ${plural(s.warnings, "warning")}, ${s.audits} audited, ${plural(s.skipped, "object")} of kinds not reviewed, ${plural(skipped.length, "file or folder", "files or folders")} skipped${errors}`);
  return lines;
}
