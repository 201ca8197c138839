/** SARIF 2.1.0, for code-scanning UIs: every rule of the rule book, and one result per finding. */
import { rules } from "../../policy";
import type { Report } from "../run";

export function formatSarif(report: Report, version: string): string {
  const all = rules();
  const index = new Map(all.map((r, i) => [r.id, i]));
  const results = report.results.flatMap((r) =>
    [
      ...r.violations.map((v) => ({ f: v, level: "error" })),
      ...r.warnings.map((w) => ({ f: w, level: "warning" })),
      // SARIF's "note": recorded, not acted on (action audit, or an exception).
      ...r.audits.map((a) => ({ f: { ...a, message: `${a.message} (${a.reason})` }, level: "note" })),
    ].map(({ f, level }) => ({
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
              defaultConfiguration: { level: r.severity === "error" ? "error" : "warning" },
              properties: { kind: r.kind },
            })),
          },
        },
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
