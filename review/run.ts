/** Reviews loaded documents with the rule book and summarises the outcome. */
import { review, type AuditRecord, type PatchOperation, type PolicyConfig, type Violation, type Warning } from "../policy";
import type { SourceDoc } from "./load";
import type { SkippedInput, SkipReason } from "./select";
import { at } from "../policy/checks/values";
import { redactSecrets, redactValue } from "../policy/redact";

/**
 * A field every output format names the object by (kind, name...): the user's value with its
 * secrets masked, as in messages; a value that is no string as JSON (never String(): an
 * object whose `toString` key is not a function makes it throw).
 */
function subject(v: unknown, absent: string): string {
  if (v === undefined) return absent;
  return redactValue(typeof v === "string" ? v : (JSON.stringify(v) ?? absent));
}

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
  /** Objects of kinds the rule book does not review. */
  skipped: number;
  /** Files and folders not reviewed (review only; see review/select.ts), and how many per reason. */
  skippedFiles?: number;
  skippedFilesByReason?: Partial<Record<SkipReason, number>>;
  /** Input errors (review only): files or documents that could not be read or parsed; any makes the exit status 2. */
  inputErrors?: number;
}

/**
 * The id every output format files an input error under (SARIF's notification descriptor,
 * JUnit's error type, the text and github formats' bracket): not a rule of the rule book,
 * like `review.truncated`.
 */
export const INPUT_ERROR_ID = "review.input";

/**
 * A file, or a document of it, that could not be read or parsed (review/load.ts LoadError):
 * nothing in it past this point was reviewed, and the exit status is 2.
 */
export interface InputError {
  file: string;
  /** 1-based line of the problem, when known. */
  line?: number;
  /** 1-based number of the document in its file, when the problem is one document's. */
  document?: number;
  /** The problem, without the file and line: `not valid YAML: ...`, `document 2 is not a Kubernetes object: ...`. */
  message: string;
}

export interface Report {
  results: ObjectResult[];
  summary: Summary;
  /** What review did not read, and why (review only; audit reads a cluster, not files). */
  skippedFiles?: SkippedInput[];
  /** Files or documents that could not be read or parsed (review only). */
  errors?: InputError[];
}

/** `file:line` of an input error (the file alone when the line is unknown). */
export function inputErrorLocation(e: InputError): string {
  return e.line ? `${e.file}:${e.line}` : e.file;
}

/** An input error's message as people read it: `document 2 ` first when the problem is one document's. */
export function inputErrorText(e: InputError): string {
  return `${e.document !== undefined ? `document ${e.document} ` : ""}${e.message}`;
}

/**
 * Most findings kept per object (violations and warnings each). A hostile 0.5 MB object
 * can produce 100,000+ schema findings; nobody reads past the first screen, and output
 * formats must not grow without bound. The count of the rest is reported.
 */
export const MAX_FINDINGS_PER_OBJECT = 100;

function capped(d: SourceDoc, list: readonly (Violation | Warning)[], kind: string, omitted = 0): Finding[] {
  const n = Math.min(list.length, MAX_FINDINGS_PER_OBJECT);
  const out: Finding[] = [];
  // A loop, not map/spread: the input list may be huge.
  for (let i = 0; i < n; i++) {
    const f = list[i];
    out.push({ ...f, message: redactSecrets(f.message), line: d.lineOf(f.path) });
  }
  // The rule book caps its own lists too (policy MAX_FINDINGS) and counts what it left out.
  if (list.length > n || omitted > 0) {
    out.push({ path: "", rule: "review.truncated", message: `${list.length - n + omitted} more ${kind} not shown (at most ${MAX_FINDINGS_PER_OBJECT} per object); fix these first`, line: d.line });
  }
  return out;
}

/**
 * Reviews documents as they come (an array or a lazy iterable: each document can be
 * dropped once reviewed) and summarises. Throws whatever the iterable throws (LoadError).
 */
export function reviewDocs(docs: Iterable<SourceDoc>, files: number, now?: Date, config?: PolicyConfig): Report {
  const acc = new ReportBuilder(now, config);
  for (const d of docs) acc.add(d);
  return acc.report(files);
}

/**
 * A copy of a result that shares no string with the input. Strings cut from a parsed
 * document (a name, a value quoted in a message) keep that document's whole text alive;
 * kept for every object of a 10,000-document stream, that was most of review's memory.
 * Results are small (capped findings), so the copy is cheap.
 */
function detached(r: ObjectResult): ObjectResult {
  return JSON.parse(JSON.stringify(r)) as ObjectResult;
}

/**
 * Accumulates results one document at a time, keeping only the (capped) findings; or, given
 * a `sink`, hands each result to it and keeps none (review's streamed output: memory then
 * does not grow with the number of objects).
 */
export class ReportBuilder {
  /** The results so far; always empty with a sink. */
  readonly results: ObjectResult[] = [];
  private objects = 0;
  private skipped = 0;
  private refused = 0;
  private warnings = 0;
  private audits = 0;
  /** `config`: the policy configuration (default: every rule at its severity's action). */
  constructor(
    private readonly now?: Date,
    private readonly config?: PolicyConfig,
    private readonly sink?: (r: ObjectResult) => void,
  ) {}

  private keep(r: ObjectResult): void {
    if (!r.allowed) this.refused++;
    this.warnings += r.warnings.length;
    this.audits += r.audits.length;
    if (this.sink) this.sink(r);
    else this.results.push(r);
  }

  add(d: SourceDoc): void {
    this.objects++;
    const r = review(d.object, { now: this.now, config: this.config });
    if (!r.known) {
      this.skipped++;
      return;
    }
    const ns = at(d.object, "metadata", "namespace");
    const result: ObjectResult = {
      file: d.file,
      index: d.index,
      line: d.line,
      apiVersion: subject(at(d.object, "apiVersion"), "undefined"),
      kind: subject(at(d.object, "kind"), "undefined"),
      name: subject(at(d.object, "metadata", "name"), ""),
      namespace: typeof ns === "string" ? redactValue(ns) : undefined,
      allowed: r.allowed,
      violations: capped(d, r.violations, "violations", r.omitted?.violations),
      warnings: capped(d, r.warnings, "warnings", r.omitted?.warnings),
      audits: r.audits.slice(0, MAX_FINDINGS_PER_OBJECT).map((a) => ({ ...a, message: redactSecrets(a.message), line: d.lineOf(a.path) })),
      patch: r.patch,
    };
    // A sink formats the result at once and drops it: nothing to detach from the document.
    this.keep(this.sink ? result : detached(result));
  }

  /** Results reviewed elsewhere (review --jobs: a worker's chunk), in input order, with that chunk's counts. */
  merge(results: readonly ObjectResult[], objects: number, skipped: number): void {
    for (const r of results) this.keep(r);
    this.objects += objects;
    this.skipped += skipped;
  }

  /** The report so far (with a sink: its summary, and no results). */
  report(files: number): Report {
    return { results: this.results, summary: { files, objects: this.objects, refused: this.refused, warnings: this.warnings, audits: this.audits, skipped: this.skipped } };
  }
}
