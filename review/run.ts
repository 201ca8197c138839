/** Reviews loaded documents with the rule book and summarises the outcome. */
import { review, type PatchOperation, type Violation, type Warning } from "../policy";
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
  patch: PatchOperation[];
}

export interface Summary {
  files: number;
  objects: number;
  refused: number;
  warnings: number;
  skipped: number;
}

export interface Report {
  results: ObjectResult[];
  summary: Summary;
}

export function reviewDocs(docs: SourceDoc[], files: number, now?: Date): Report {
  const results: ObjectResult[] = [];
  let skipped = 0;
  for (const d of docs) {
    const r = review(d.object, { now });
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
      skipped,
    },
  };
}
