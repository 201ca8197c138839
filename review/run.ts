/** Reviews loaded documents with the rule book and summarises the outcome. */
import { review, type AuditRecord, type PatchOperation, type PolicyConfig, type Violation, type Warning } from "../policy";
import type { SourceDoc } from "./load";
import { at } from "../policy/checks/values";

export interface Finding extends Violation {
  /** 1-based line of the field in the file. */
  line: number;
}

export interface ObjectResult {
  file: string;
  index: number;
  line: number;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  allowed: boolean;
  violations: Finding[];
  warnings: Finding[];
  /** Findings the policy configuration records without acting on them (action audit, or an exception). */
  audits: (Finding & Pick<AuditRecord, "reason">)[];
  patch: PatchOperation[];
}

export interface Summary {
  files: number;
  objects: number;
  refused: number;
  warnings: number;
  audits: number;
  skipped: number;
}

export interface Report {
  results: ObjectResult[];
  summary: Summary;
}

/** Reviews every document under `config` (default: every rule at its severity's action). */
export function reviewDocs(docs: SourceDoc[], files: number, now?: Date, config?: PolicyConfig): Report {
  const results: ObjectResult[] = [];
  let skipped = 0;
  for (const d of docs) {
    const r = review(d.object, { now, config });
    if (!r.known) {
      skipped++;
      continue;
    }
    const locate = (f: Violation | Warning): Finding => ({ ...f, line: d.lineOf(f.path) });
    const ns = at(d.object, "metadata", "namespace");
    results.push({
      file: d.file,
      index: d.index,
      line: d.line,
      apiVersion: String(at(d.object, "apiVersion")),
      kind: String(at(d.object, "kind")),
      name: String(at(d.object, "metadata", "name") ?? ""),
      namespace: typeof ns === "string" ? ns : undefined,
      allowed: r.allowed,
      violations: r.violations.map(locate),
      warnings: r.warnings.map(locate),
      audits: r.audits.map((a) => ({ ...locate(a), reason: a.reason })),
      patch: r.patch,
    });
  }
  return {
    results,
    summary: {
      files,
      objects: docs.length,
      refused: results.filter((r) => !r.allowed).length,
      warnings: results.reduce((n, r) => n + r.warnings.length, 0),
      audits: results.reduce((n, r) => n + r.audits.length, 0),
      skipped,
    },
  };
}
