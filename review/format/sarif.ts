/** SARIF 2.1.0, for code-scanning UIs: every rule of the rule book, and one result per finding. */
import { createHash } from "node:crypto";
import { rules } from "../../policy";
import { ruleDocUrl } from "../../policy/ruledocs";
import { SKIP_REASONS } from "../select";
import type { PolicyConfig } from "../../policy/config/types";
import type { Action } from "../../policy/config/types";
import { EXCEPTION_PREFIX } from "../../policy/config/apply";
import { INPUT_ERROR_ID, inputErrorText, type Report } from "../run";

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
export function formatSarif(report: Report, version: string, config?: PolicyConfig, docsBase?: string): string {
  const all = rules(config);
  const index = new Map(all.map((r, i) => [r.id, i]));
  const fingerprints = new Fingerprints();
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
            artifactLocation: { uri: artifactUri(r.file) },
            ...(f.line > 0 ? { region: { startLine: f.line } } : {}),
          },
        },
      ],
      partialFingerprints: { [FINGERPRINT]: fingerprints.of(f.rule, r, (f as { path?: string }).path ?? "") },
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
              ...(docsBase ? { helpUri: ruleDocUrl(r.id, docsBase) } : {}),
              defaultConfiguration: configuration(r.action ?? (r.severity === "error" ? "deny" : "warn")),
              properties: { kind: r.kind, severity: r.severity, ...(r.action ? { action: r.action } : {}) },
            })),
          },
        },
        results,
        // What review did not read, and why: one notification per file or folder skipped; and
        // what it could not read or parse: an error notification each, and the run marked failed.
        ...(report.skippedFiles || report.errors
          ? {
              invocations: [
                {
                  executionSuccessful: (report.errors ?? []).length === 0,
                  toolExecutionNotifications: [
                    ...(report.errors ?? []).map((e) => ({
                      level: "error",
                      descriptor: { id: INPUT_ERROR_ID },
                      message: { text: inputErrorText(e) },
                      locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(e.file) }, ...(e.line ? { region: { startLine: e.line } } : {}) } }],
                    })),
                    ...(report.skippedFiles ?? []).map((s) => ({
                      level: "note",
                      descriptor: { id: `skipped.${s.reason}` },
                      message: { text: `skipped: ${SKIP_REASONS[s.reason]}${s.detail ? `: ${s.detail}` : ""}` },
                      locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(s.path) } } }],
                    })),
                  ],
                },
              ],
              properties: {
                skippedFiles: report.summary.skippedFiles ?? report.skippedFiles?.length ?? 0,
                skippedFilesByReason: report.summary.skippedFilesByReason ?? {},
                inputErrors: (report.errors ?? []).length,
              },
            }
          : {}),
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

/** The partialFingerprints key: its version changes if what the fingerprint hashes ever does. */
export const FINGERPRINT = "kusciaIacFinding/v1";

/**
 * Stable fingerprints: the rule, the file, the object (apiVersion, kind, namespace, name) and
 * the field path, so a finding keeps its identity when lines move or its message changes
 * (messages quote values); a second finding with the same identity gets its ordinal.
 */
class Fingerprints {
  private readonly seen = new Map<string, number>();
  of(rule: string, r: { file: string; apiVersion: string; kind: string; namespace?: string; name: string }, path: string): string {
    const key = [rule, r.file.split("\\").join("/"), r.apiVersion, r.kind, r.namespace ?? "", r.name, path].join("\u0000");
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return createHash("sha256").update(`${key}\u0000${n}`).digest("hex");
  }
}

/**
 * A file name as a SARIF artifactLocation.uri (RFC 3986): a relative path stays relative with
 * each segment percent-encoded (`#`, `%`, spaces, non-ASCII), an absolute path becomes a
 * `file:` URI; standard input is `stdin`, and audit's `cluster:<context>` keeps its scheme.
 */
export function artifactUri(file: string): string {
  if (file === "-") return "stdin";
  if (file.startsWith("cluster:")) return `cluster:${encodeURIComponent(file.slice("cluster:".length))}`;
  const p = file.split("\\").join("/");
  const segments = (q: string) => q.split("/").map(encodeURIComponent).join("/");
  if (/^[A-Za-z]:\//.test(p)) return `file:///${p.slice(0, 2)}${segments(p.slice(2))}`;
  if (p.startsWith("/")) return `file://${segments(p)}`;
  return segments(p.replace(/^(\.\/)+/, ""));
}
