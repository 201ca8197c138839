/**
 * Finding and reading `kuscia-iac test` files (schema.ts): YAML checked against the schema,
 * then every reference resolved (the policy configuration, manifest files, documents), so a
 * run starts only when every case can run. All errors of a file are collected, each naming
 * the file, the line, the case and the field.
 */
import { promises as fs, readFileSync } from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument, isMap, isSeq, type Document } from "yaml";
import { compile, schemaViolations } from "../policy/schema";
import { policyConfigurationOf, defaultPolicyConfiguration, rules, type PolicyConfig } from "../policy";
import { dotted } from "../policy/paths";
import { plural } from "../policy/plural";
import { Suggestions } from "../policy/suggest";
import { parseSource, readSource, LoadError, type SourceDoc } from "../review/load";
import { TEST_FILE_SCHEMA, type Expectation, type TestCaseDocument, type TestFileDocument, type UserInfo } from "./schema";

/** Names a directory walk picks up: `kuscia-iac-test.yaml` and `<anything>.kuscia-iac-test.yaml` (also .yml). */
export const TEST_FILE_NAME = /(^|\.)kuscia-iac-test\.ya?ml$/;

/** A test file that cannot run; `errors` are one line each. */
export class TestFileError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(errors.join("\n"));
    this.name = "TestFileError";
  }
}

export interface TestCase {
  /** Position in the file's `cases`, from 0. */
  index: number;
  name: string;
  /** `file:line` of the case, for messages. */
  where: string;
  object: Record<string, unknown>;
  operation: "CREATE" | "UPDATE" | "DELETE";
  oldObject?: Record<string, unknown>;
  userInfo?: UserInfo;
  config: PolicyConfig;
  /** The pinned clock; undefined: the real one. */
  now?: Date;
  /** Kubernetes version `vap` generates for (--frontend vap); undefined: the cluster's. */
  kubernetesVersion?: string;
  /** Extra objects for the reference rules; undefined: reference rules do not run. */
  references?: Record<string, unknown>[];
  expect: Expectation;
}

export interface TestSuite {
  file: string;
  name: string;
  /** The parsed file, comments kept, for --update. */
  document: Document.Parsed;
  cases: TestCase[];
}

const validate = compile(TEST_FILE_SCHEMA as unknown as Record<string, unknown>);

/**
 * The test files under `inputs`: files as given, directories walked for TEST_FILE_NAME
 * (hidden folders and node_modules left out), sorted per directory. Throws TestFileError
 * for a path that does not exist.
 */
export async function findTestFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const st = await fs.stat(input).catch(() => undefined);
    if (!st) throw new TestFileError([`${input}: no such file or directory`]);
    if (st.isFile()) {
      out.push(input);
      continue;
    }
    const pending = [input];
    while (pending.length > 0) {
      const d = pending.shift()!;
      const entries = (await fs.readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.name.startsWith(".") || e.name === "node_modules") continue;
        const p = path.join(d, e.name);
        if (e.isDirectory()) pending.push(p);
        else if (TEST_FILE_NAME.test(e.name)) out.push(p);
      }
    }
  }
  return out;
}

/** Reads, checks and resolves one test file. Throws TestFileError listing every problem. */
export async function loadTestFile(file: string): Promise<TestSuite> {
  let text: string;
  try {
    text = await readSource(file);
  } catch (e) {
    throw new TestFileError([e instanceof LoadError ? e.message : `${file}: ${(e as Error).message}`]);
  }
  const lc = new LineCounter();
  const document = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) throw new TestFileError(document.errors.map((e) => `${file}:${lc.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split("\n")[0]}`));
  const doc = document.toJS({ maxAliasCount: 100 }) as unknown;
  const lineOf = (segs: (string | number)[]): number => {
    let node: unknown = document.contents;
    for (const s of segs) {
      const next = isMap(node) || isSeq(node) ? (node as unknown as { get(k: unknown, keep: boolean): unknown }).get(s, true) : undefined;
      if (!next || typeof next !== "object" || !("range" in (next as object))) break;
      node = next;
    }
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lc.linePos(range[0]).line : 1;
  };
  const caseName = (i: number): string => {
    const c = (doc as { cases?: unknown[] })?.cases?.[i] as { name?: unknown } | undefined;
    return typeof c?.name === "string" ? ` (${c.name})` : "";
  };
  // Every problem of the file, schema and semantic alike, reported together in line order.
  const errors: { line: number; text: string }[] = [];
  const schemaErrorPaths: string[] = [];
  for (const v of schemaViolations(validate, doc, "policytest.schema")) {
    const segs = v.path.match(/[^.[\]]+|\[\d+\]/g)?.map((s) => (s.startsWith("[") ? Number(s.slice(1, -1)) : s)) ?? [];
    const where = segs[0] === "cases" && typeof segs[1] === "number" ? `cases[${segs[1]}]${caseName(segs[1])}: ` : "";
    const line = lineOf(segs);
    errors.push({ line, text: `${file}:${line}: ${where}${v.message}` });
    schemaErrorPaths.push(v.path);
  }
  /** Whether the schema found a problem at or inside the field at `segs`: its value is not read again. */
  const schemaFailed = (segs: (string | number)[]): boolean => {
    const p = dotted(segs);
    return schemaErrorPaths.some((e) => e === p || e.startsWith(`${p}.`) || e.startsWith(`${p}[`));
  };
  /** `o` without the fields the schema found a problem in, so the checks below read only well-typed values. */
  const sound = <T>(o: unknown, at: (string | number)[]): Partial<T> => {
    if (o === null || typeof o !== "object" || Array.isArray(o)) return {};
    return Object.fromEntries(Object.entries(o).filter(([k]) => k === "cases" || k === "expect" || !schemaFailed([...at, k]))) as Partial<T>;
  };

  const t = sound<TestFileDocument>(doc, []);
  const dir = path.dirname(file);
  const docsOf = new Map<string, SourceDoc[] | string>();
  /** The documents of a manifest file named relative to the test file, or the reason it cannot be read. */
  const manifest = (rel: string): SourceDoc[] | string => {
    const p = path.resolve(dir, rel);
    let got = docsOf.get(p);
    if (got === undefined) {
      try {
        got = parseSource(path.join(dir, rel), readFileSync(p, "utf8"));
      } catch (e) {
        got = e instanceof LoadError ? e.message : `${rel}: cannot read: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`;
      }
      docsOf.set(p, got);
    }
    return got;
  };
  const configs = new Map<string, PolicyConfig | string>();
  const seenNames = new Map<string, number>();
  const cases: TestCase[] = [];
  const known = knownRuleIds();
  const suggestions = new Suggestions([...known]);
  (Array.isArray(t.cases) ? t.cases : []).forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return; // the schema said so
    const c = sound<TestCaseDocument>(raw, ["cases", i]);
    const label = `cases[${i}]${typeof c.name === "string" ? ` (${c.name})` : ""}`;
    /** A problem with the case's field `field` (its first segment names the line). */
    const fail = (field: string, text: string, segs: (string | number)[] = [field.replace(/[[ ].*$/, "")]) => {
      const line = lineOf(["cases", i, ...segs]);
      errors.push({ line, text: `${file}:${line}: ${label}: ${field}: ${text}` });
    };
    if (typeof c.name === "string") {
      if (seenNames.has(c.name)) fail("name", `is also the name of cases[${seenNames.get(c.name)}]; names identify cases in reports and must be unique`);
      else seenNames.set(c.name, i);
    }
    const pick = (inline: Record<string, unknown> | undefined, rel: string | undefined, n: number | undefined, field: "object" | "oldObject"): Record<string, unknown> | undefined => {
      const fileField = field === "object" ? "file" : "oldFile";
      const documentField = field === "object" ? "document" : "oldDocument";
      if (inline && rel) return fail(field, `give the object inline or from a file, not both`), undefined;
      if (inline) return inline;
      if (!rel) return undefined;
      const docs = manifest(rel);
      if (typeof docs === "string") return fail(fileField, docs), undefined;
      if (n === undefined && docs.length !== 1) return fail(documentField, `${rel} holds ${plural(docs.length, "document")}: say which with ${documentField}: 1..${docs.length}`, [fileField]), undefined;
      const d = docs[(n ?? 1) - 1];
      if (!d) return fail(documentField, `${rel} holds ${plural(docs.length, "document")}, not ${n}`), undefined;
      return d.object as Record<string, unknown>;
    };
    const objectGiven = c.object !== undefined || c.file !== undefined || schemaFailed(["cases", i, "object"]) || schemaFailed(["cases", i, "file"]);
    const object = pick(c.object, c.file, schemaFailed(["cases", i, "document"]) ? 1 : c.document, "object");
    if (!objectGiven) fail("object", "is required: give the object inline (object:) or from a manifest (file:, document:)", []);
    const operation = schemaFailed(["cases", i, "operation"]) ? undefined : (c.operation ?? "CREATE");
    const oldObject = pick(c.oldObject, c.oldFile, schemaFailed(["cases", i, "oldDocument"]) ? 1 : c.oldDocument, "oldObject");
    const oldGiven = c.oldObject !== undefined || c.oldFile !== undefined || schemaFailed(["cases", i, "oldObject"]) || schemaFailed(["cases", i, "oldFile"]);
    if (operation === "UPDATE" && !oldGiven) fail("oldObject", "is required for an UPDATE: the stored object the update replaces (oldObject: or oldFile:)", ["operation"]);
    if (operation !== undefined && operation !== "UPDATE" && (c.oldObject || c.oldFile)) fail("oldObject", `is only read for an UPDATE; this case is a ${operation}`, [c.oldObject ? "oldObject" : "oldFile"]);

    const configuration = c.configuration ?? t.configuration;
    const kusciaVersion = c.kusciaVersion ?? t.kusciaVersion;
    const nowText = c.now ?? t.now;
    const now = nowText ? new Date(nowText) : undefined;
    const key = JSON.stringify([configuration ?? null, kusciaVersion ?? null, nowText ?? null]);
    let config = configs.get(key);
    if (config === undefined) {
      config = compileConfig(configuration, kusciaVersion, dir, now);
      configs.set(key, config);
    }
    if (typeof config === "string") fail(c.configuration !== undefined || (c.kusciaVersion !== undefined && t.configuration === undefined) ? "configuration" : "configuration (of the file)", config, c.configuration !== undefined ? ["configuration"] : c.kusciaVersion !== undefined ? ["kusciaVersion"] : []);

    const refSources = c.references ?? t.references;
    let references: Record<string, unknown>[] | undefined;
    if (refSources) {
      references = [];
      refSources.forEach((r, k) => {
        const field = `references[${k}]`;
        const segs = c.references ? ["references", k] : [];
        if (typeof r.file === "string" && r.apiVersion === undefined && r.kind === undefined) {
          if (Object.keys(r).length > 1) return fail(field, `a file reference has only file:, found ${Object.keys(r).join(", ")}`, segs);
          const docs = manifest(r.file);
          if (typeof docs === "string") return fail(field, docs, segs);
          for (const d of docs) references!.push(d.object as Record<string, unknown>);
        } else if (typeof r.apiVersion === "string" && typeof r.kind === "string") references!.push(r);
        else fail(field, "expected {file: <manifest file>} or an inline object with apiVersion and kind", segs);
      });
    }

    // Rule ids an expectation names must be rules: a typo would otherwise fail every run with a confusing difference, or pass an empty list.
    const expect = sound<Expectation>(c.expect, ["cases", i, "expect"]);
    for (const list of ["violations", "warnings", "audits"] as const) {
      (expect[list] ?? []).forEach((id, k) => {
        if (!known.has(id)) fail(`expect.${list}[${k}]`, `${JSON.stringify(id)} is no rule of the rule book${suggestions.hint(id)}; \`kuscia-iac rules\` lists them all`, ["expect", list, k]);
      });
    }

    if (object && typeof config !== "string" && operation !== undefined && typeof c.name === "string" && c.expect) {
      cases.push({
        index: i,
        name: c.name,
        where: `${file}:${lineOf(["cases", i])}`,
        object,
        operation,
        ...(oldObject && operation === "UPDATE" ? { oldObject } : {}),
        ...(c.userInfo ?? t.userInfo ? { userInfo: c.userInfo ?? t.userInfo } : {}),
        config,
        ...(now ? { now } : {}),
        ...(c.kubernetesVersion ?? t.kubernetesVersion ? { kubernetesVersion: c.kubernetesVersion ?? t.kubernetesVersion } : {}),
        ...(references ? { references } : {}),
        expect: c.expect,
      });
    }
  });
  if (errors.length > 0) throw new TestFileError(errors.sort((a, b) => a.line - b.line).map((e) => e.text));
  return { file, name: t.metadata?.name ?? path.basename(file), document, cases };
}

let ruleIdSet: Set<string> | undefined;
/** Every rule id the rule book can report (`kuscia-iac rules`), in its order. */
function knownRuleIds(): Set<string> {
  return (ruleIdSet ??= new Set(rules().map((r) => r.id)));
}

/**
 * The compiled policy configuration of a case: a file (relative to the test file) or an
 * inline document, with the test's kusciaVersion; or the message saying why it cannot be used.
 */
function compileConfig(source: string | Record<string, unknown> | undefined, kusciaVersion: string | undefined, dir: string, now: Date | undefined): PolicyConfig | string {
  let doc: Record<string, unknown> = {};
  let origin = "the test file's configuration";
  if (typeof source === "string") {
    const p = path.resolve(dir, source);
    origin = path.join(dir, source);
    let parsed: unknown;
    try {
      const d = parseDocument(readFileSync(p, "utf8"), { prettyErrors: false });
      if (d.errors.length > 0) return `${origin}: not valid YAML: ${d.errors[0].message.split("\n")[0]}`;
      parsed = d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      return `${origin}: cannot read the policy configuration: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return `${origin}: expected a PolicyConfiguration mapping`;
    doc = parsed as Record<string, unknown>;
  } else if (source) doc = source;
  if (kusciaVersion !== undefined) {
    if (doc.kusciaVersion !== undefined && doc.kusciaVersion !== kusciaVersion) return `${origin} sets kusciaVersion ${JSON.stringify(doc.kusciaVersion)}, the test ${JSON.stringify(kusciaVersion)}: give it in one place`;
    doc = { ...doc, kusciaVersion };
  }
  if (source === undefined && kusciaVersion === undefined) return defaultPolicyConfiguration();
  const r = policyConfigurationOf(doc, origin, now);
  return "errors" in r ? r.errors.join("; ") : r.config;
}
