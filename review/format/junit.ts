/** JUnit XML: one suite per file, one test case per reviewed object; what CI test tabs ingest. */
import { INPUT_ERROR_ID, inputErrorLocation, inputErrorText, type Report, type ObjectResult } from "../run";
import { SKIP_REASONS } from "../select";

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]!)
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

export function formatJunit(report: Report): string {
  const byFile = new Map<string, ObjectResult[]>();
  for (const r of report.results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const inputErrors = report.errors ?? [];
  out.push(`<testsuites name="kuscia-iac review" tests="${report.results.length + (report.skippedFiles?.length ?? 0) + inputErrors.length}" failures="${report.summary.refused}" errors="${inputErrors.length}">`);
  // What could not be read or parsed: JUnit's <error/> (the run broke there), one test case each.
  if (inputErrors.length > 0) {
    out.push(`  <testsuite name="input errors" tests="${inputErrors.length}" failures="0" errors="${inputErrors.length}">`);
    for (const e of inputErrors) {
      out.push(`    <testcase classname="${esc(e.file)}" name="${esc(`${inputErrorLocation(e)} (cannot be read or parsed)`)}">`);
      out.push(`      <error message="${esc(inputErrorText(e))}" type="${INPUT_ERROR_ID}">${esc(`${inputErrorLocation(e)}: ${inputErrorText(e)}`)}</error>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  for (const [file, results] of byFile) {
    const failures = results.filter((r) => !r.allowed).length;
    out.push(`  <testsuite name="${esc(file)}" tests="${results.length}" failures="${failures}">`);
    for (const r of results) {
      const name = `${r.kind} ${r.namespace ? r.namespace + "/" : ""}${r.name} (document ${r.index + 1}, line ${r.line})`;
      out.push(`    <testcase classname="${esc(file)}" name="${esc(name)}">`);
      if (!r.allowed) {
        const body = r.violations.map((v) => `${file}:${v.line}: ${v.message} [${v.rule}]`).join("\n");
        out.push(`      <failure message="${esc(r.violations[0]?.message ?? "refused")}" type="${esc(r.violations[0]?.rule ?? "")}">${esc(body)}</failure>`);
      }
      const notes = [...r.warnings.map((w) => `warning: ${w.message} [${w.rule}]`), ...r.audits.map((a) => `audit: ${a.message} [${a.rule}] (${a.reason})`)];
      if (notes.length) out.push(`      <system-out>${esc(notes.join("\n"))}</system-out>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  // What review did not read: JUnit's own <skipped/>, one test case per file or folder.
  const skipped = report.skippedFiles ?? [];
  if (skipped.length > 0) {
    out.push(`  <testsuite name="skipped files" tests="${skipped.length}" failures="0" skipped="${skipped.length}">`);
    for (const x of skipped) {
      out.push(`    <testcase classname="skipped" name="${esc(x.path)}">`);
      out.push(`      <skipped message="${esc(`${SKIP_REASONS[x.reason]}${x.detail ? `: ${x.detail}` : ""}`)}" type="${esc(x.reason)}"/>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}
