/** SARIF 2.1.0, for code-scanning UIs: every rule of the rule book, and one result per finding. */
import { rules } from "../../policy";
import type { PolicyConfig } from "../../policy/config/types";
import type { Action } from "../../policy/config/types";
import { EXCEPTION_PREFIX } from "../../policy/config/apply";
import type { Report } from "../run";

/**
 * SARIF's level for a policy action: what a code-scanning UI shows a rule as by default.
 * `off` rules stay listed (a result may still name them) but are `enabled: false`.
 */
const LEVEL: Record<Action, "error" | "warning" | "note" | "none"> = { deny: "error", warn: "warning", audit: "note", off: "none" };

/**
 * Formats `report` as SARIF 2.1.0. Each rule's `defaultConfiguration` is the action the
 * policy configuration gives it (`config`, else the defaults: deny for error-severity rules,
 * warn for warnings), so a rule relaxed to `warn` is not shown as an error.
 */
export function formatSarif(report: Report, version: string, config?: PolicyConfig): string {
  const all = rules(config);
  const index = new Map(all.map((r, i) => [r.id, i]));
  const results = report.results.flatMap((r) =>
    [
      ...r.violations.map((v) => ({ f: v, level: "error" })),
      ...r.warnings.map((w) => ({ f: w, level: "warning" })),
      // SARIF's "note": recorded, not acted on (action audit, or an exception).
      ...r.audits.map((a) => ({ f: { ...a, message: `${a.message} (${a.reason})` }, level: "note", suppression: suppressionOf(a.reason) })),
    ].map(({ f, level, suppression }: { f: { rule: string; message: string; line: number }; level: string; suppression?: object }) => ({
      ruleId: f.rule,
      ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
      level,
      message: { text: `${r.kind}/${r.name}: ${f.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: r.file === "-" ? "stdin" : r.file.split("\\").join("/") },
            ...(f.line > 0 ? { region: { startLine: f.line } } : {}),
          },
        },
      ],
      ...(suppression ? { suppressions: [suppression] } : {}),
    })),
  );
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "kuscia-iac",
            version,
            rules: all.map((r) => ({
              id: r.id,
              shortDescription: { text: r.summary },
              defaultConfiguration: configuration(r.action ?? (r.severity === "error" ? "deny" : "warn")),
              properties: { kind: r.kind, severity: r.severity, ...(r.action ? { action: r.action } : {}) },
            })),
          },
        },
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}

function configuration(action: Action): { level: string; enabled?: false } {
  return action === "off" ? { level: LEVEL.off, enabled: false } : { level: LEVEL[action] };
}

/**
 * SARIF 2.1.0 §3.35: a finding an exception of the policy configuration covers is suppressed
 * "external"ly (outside the source: in the configuration), with the exception's name and
 * reason as justification, so code-scanning UIs file it as dismissed, not as an open note.
 * A finding of a rule whose action is audit is no suppression: it stays a plain note.
 */
function suppressionOf(reason: string): { kind: "external"; justification: string } | undefined {
  return reason.startsWith(EXCEPTION_PREFIX) ? { kind: "external", justification: reason } : undefined;
}
