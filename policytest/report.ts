/** `kuscia-iac test` results as text (people), JSON (tools) or JUnit XML (CI test tabs). */
import type { RunSummary, SuiteResult } from "./run";
import { plural } from "../policy/plural";

export type TestFormat = "text" | "json" | "junit";
export const TEST_FORMATS: readonly TestFormat[] = ["text", "json", "junit"];

export function formatResults(suites: readonly SuiteResult[], summary: RunSummary, format: TestFormat, color = false): string {
  if (format === "json") return JSON.stringify({ suites, summary }, null, 2) + "\n";
  if (format === "junit") return junit(suites, summary);
  return text(suites, summary, color);
}

function failureLines(c: SuiteResult["cases"][number]): string[] {
  const lines = c.failures.map((f) => `expected: ${f}`);
  for (const f of c.frontends) for (const d of f.disagreements) lines.push(`${f.frontend} disagrees with the rule book: ${d}`);
  if (lines.length > 0) for (const m of c.observed.messages) lines.push(`rule book: ${m}`);
  return lines;
}

function text(suites: readonly SuiteResult[], summary: RunSummary, color: boolean): string {
  const c = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const out: string[] = [];
  for (const s of suites) {
    const failed = s.cases.filter((x) => !x.passed);
    out.push(`${s.file}: ${plural(s.cases.length, "case")}, ${failed.length ? c("31", `${failed.length} failed`) : c("32", "all passed")}`);
    for (const x of failed) {
      out.push(`  ${c("31", "FAIL")} ${x.name} (${x.where})`);
      for (const l of failureLines(x)) out.push(`    ${l}`);
    }
  }
  for (const [name, t] of Object.entries(summary.frontends)) {
    out.push(`front end ${name}: ${plural(t.compared, "case")} compared, ${t.agreed} agree with the rule book, ${t.disagreed} disagree${t.notApplicable ? `, ${t.notApplicable} not applicable` : ""}`);
  }
  out.push(`${plural(summary.files, "file")}, ${plural(summary.cases, "case")}: ${summary.passed} passed, ${summary.failed ? c("31", `${summary.failed} failed`) : "0 failed"}`);
  return out.join("\n") + "\n";
}

function esc(s: string): string {
  return s
    .replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

function junit(suites: readonly SuiteResult[], summary: RunSummary): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="kuscia-iac test" tests="${summary.cases}" failures="${summary.failed}">`);
  for (const s of suites) {
    const failed = s.cases.filter((x) => !x.passed).length;
    out.push(`  <testsuite name="${esc(s.name)}" file="${esc(s.file)}" tests="${s.cases.length}" failures="${failed}">`);
    for (const x of s.cases) {
      out.push(`    <testcase classname="${esc(s.file)}" name="${esc(x.name)}">`);
      if (!x.passed) {
        const lines = failureLines(x);
        out.push(`      <failure message="${esc(lines[0] ?? "failed")}" type="${x.failures.length ? "expectation" : "frontend-disagreement"}">${esc(lines.join("\n"))}</failure>`);
      }
      const na = x.frontends.filter((f) => f.notApplicable).map((f) => `${f.frontend}: not applicable: ${f.notApplicable}`);
      if (na.length) out.push(`      <system-out>${esc(na.join("\n"))}</system-out>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}
