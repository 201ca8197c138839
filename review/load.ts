/**
 * Finds manifest files and parses them into documents that remember where they
 * came from, so every finding can be reported as file:line. Parsing is bounded
 * (policy/yaml.ts) and lazy: `readDocs` yields one document at a time, so a caller
 * that drops each after use holds one document's tree, not the whole tree's.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Document, LineCounter, Node } from "yaml";
import { yamlLib as Y } from "../policy/yaml-lib";
import { dotted, parseDotted, type Segment } from "../policy/paths";
import { DEFAULT_YAML_LIMITS, canSplitYamlStream, depthExceeds, parseYamlDocuments, splitYamlStream, type StreamDoc, type YamlLimits } from "../policy/yaml";
import { lineOfPath, lineTree, type LineNode } from "../policy/yaml-lines";

export const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

export interface SourceDoc {
  file: string;
  /** Position of the document in its file, from 0 (items of a List count each). */
  index: number;
  /** 1-based line where the document (or the List item) starts. */
  line: number;
  object: unknown;
  /** Comment lines just before the document (examples use `# rule: <id>`). */
  comment?: string;
  /** 1-based line of a dotted path inside this document, or the document's line. */
  lineOf(dottedPath: string): number;
}

export class LoadError extends Error {
  /**
   * `detail`: the problem, without the file and line; `document`: the 1-based number of the
   * document in its file, when the problem names it (review --jobs renumbers chunks' documents).
   */
  constructor(readonly file: string, readonly line: number | undefined, readonly detail: string, readonly document?: number) {
    super(`${file}${line ? `:${line}` : ""}: ${document !== undefined ? `document ${document} ` : ""}${detail}`);
  }
}

export interface LoadOptions {
  /** Parsing limits; unset fields take DEFAULT_YAML_LIMITS. */
  limits?: Partial<YamlLimits>;
  /**
   * The file was found by walking a directory (select.ts), not named by the user: when it
   * turns out not to be a Kubernetes manifest at all, readDocs throws NotAManifest (the
   * caller reports it as skipped) instead of a plain LoadError (exit 2).
   */
  discovered?: boolean;
  /**
   * Parse the whole text with the `yaml` package (no split, no fast path): the slow, exact
   * path the fast one is held equal to (benchmarks check their verdicts against it).
   */
  exact?: boolean;
}

/**
 * A file found by walking a directory that is not a Kubernetes manifest: no document has
 * apiVersion or kind (package.json, Pulumi.yaml, a Helm values file), or a Go/Jinja template
 * that is not YAML until rendered. Review reports it as skipped, with `reason` and `detail`.
 */
export class NotAManifest extends LoadError {
  constructor(file: string, readonly reason: "not-a-manifest" | "template", detail: string) {
    super(file, undefined, detail);
    this.name = "NotAManifest";
  }
}

/** Reads a file (or standard input for `-`) as bytes. Throws LoadError when it cannot be read. */
export async function readBytes(file: string): Promise<Buffer> {
  if (file === "-") {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await fs.readFile(file);
  } catch (e) {
    throw new LoadError(file, undefined, `cannot read: ${(e as Error).message}`);
  }
}

/**
 * The text of a manifest file. Throws LoadError naming the file when the bytes are not
 * text a manifest can be: compressed, binary (NUL bytes) or not UTF-8.
 */
export function decodeManifest(file: string, bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) throw new LoadError(file, undefined, "is gzip-compressed data, not a manifest: decompress it first (gunzip -c)");
  if (bytes.includes(0)) throw new LoadError(file, undefined, "is binary data (it holds NUL bytes), not a YAML or JSON manifest");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LoadError(file, undefined, "is not UTF-8 text, so not a YAML or JSON manifest");
  }
}

export async function readSource(file: string): Promise<string> {
  return decodeManifest(file, await readBytes(file));
}

/**
 * The objects of a List, depth first: a `List` inside a `List` is unwrapped too, and the items
 * of a typed list (`DomainList`, as the API returns it) get the list's apiVersion and the kind
 * it lists when they lack them. Iterative: a hostile nesting of Lists costs no stack.
 */
function* listItems(list: Record<string, unknown>): Generator<{ item: unknown; segs: Segment[]; listKind: string }> {
  const stack: { list: Record<string, unknown>; segs: Segment[]; next: number }[] = [{ list, segs: [], next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const items = top.list.items as unknown[];
    if (top.next >= items.length) {
      stack.pop();
      continue;
    }
    const n = top.next++;
    const segs = [...top.segs, "items", n];
    let item = items[n];
    const listKind = String(top.list.kind);
    if (item !== null && typeof item === "object" && !Array.isArray(item)) {
      const o = item as Record<string, unknown>;
      if (listKind !== "List" && o.apiVersion === undefined && o.kind === undefined) item = { apiVersion: top.list.apiVersion, kind: listKind.slice(0, -"List".length), ...o };
      else if (isListKind(o)) {
        stack.push({ list: o, segs, next: 0 });
        continue;
      }
    }
    yield { item, segs, listKind };
  }
}

function isListKind(o: Record<string, unknown>): boolean {
  // kubectl's `-o yaml` of several objects is `v1/List`; typed lists are `<Kind>List`.
  return typeof o.kind === "string" && o.kind.endsWith("List") && typeof o.apiVersion === "string" && Array.isArray(o.items);
}

function kubernetesObjectProblem(v: unknown): string | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return `is not a Kubernetes object: expected a mapping with apiVersion and kind, found ${v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "string" ? "plain text" : typeof v}`;
  const o = v as Record<string, unknown>;
  const missing = ["apiVersion", "kind"].filter((k) => typeof o[k] !== "string" || o[k] === "");
  if (missing.length > 0) return `is not a Kubernetes object: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing`;
  return undefined;
}

/**
 * Line of `segs` inside a YAML document, walking down to the deepest node that exists
 * (a missing field is reported at its parent). When the path descends into a literal
 * block scalar (`data["kuscia.yaml"]: |`), the embedded text is parsed (bounded) to
 * find the key's own line; quoted and folded strings fall back to the scalar's line.
 */
function lineIn(doc: Document.Parsed, lc: { linePos(offset: number): { line: number } }, segs: Segment[], fallback: number, limits: Partial<YamlLimits> | undefined): number {
  let node: unknown = doc.contents;
  let i = 0;
  for (; i < segs.length; i++) {
    if (!Y().isNode(node) || Y().isScalar(node)) break;
    const next = (node as unknown as { get(k: unknown, keepScalar: boolean): unknown }).get(segs[i], true);
    if (!Y().isNode(next)) break;
    node = next;
  }
  if (!Y().isNode(node) || !node.range) return fallback;
  const here = lc.linePos(node.range[0]).line;
  if (i < segs.length && Y().isScalar(node) && typeof node.value === "string" && node.type === Y().Scalar.BLOCK_LITERAL) {
    // Content starts on the line after the `|` header, line for line.
    const inner = embeddedLine(node.value, segs.slice(i), limits);
    if (inner !== undefined) return here + inner;
  }
  return here;
}

/** 1-based line of `segs` inside a YAML text, or undefined when it cannot be parsed or the path is absent. */
function embeddedLine(text: string, segs: Segment[], limits: Partial<YamlLimits> | undefined): number | undefined {
  const lc = new (Y().LineCounter)();
  for (const d of parseYamlDocuments(text, limits, lc)) {
    if (!d.doc || d.empty) return undefined;
    let node: unknown = d.doc.contents;
    let found: Node | undefined;
    for (const s of segs) {
      if (!Y().isMap(node) && !(Y().isNode(node) && !Y().isScalar(node))) break;
      const next = (node as unknown as { get(k: unknown, keepScalar: boolean): unknown }).get(s, true);
      if (!Y().isNode(next)) break;
      node = next;
      found = next;
    }
    // Point at the key when the value is found: where people look for it.
    return found?.range ? lc.linePos(found.range[0]).line : Y().isNode(d.doc.contents) && d.doc.contents.range ? lc.linePos(d.doc.contents.range[0]).line : undefined;
  }
  return undefined;
}

/**
 * Yields the documents of one file, lazily; `kind: List` (and any `*List`) yields its
 * items. Empty documents are dropped. Throws LoadError (naming file and line) at the
 * first document that cannot be parsed, exceeds a limit, or is not a Kubernetes
 * object; documents before it have been yielded.
 */
export function* readDocs(file: string, text: string, opts: LoadOptions = {}): Generator<SourceDoc> {
  if (!opts.discovered) {
    yield* readDocsStrict(file, text, opts);
    return;
  }
  let yielded = false;
  try {
    for (const d of readDocsStrict(file, text, opts)) {
      yielded = true;
      yield d;
    }
  } catch (e) {
    // A file that yielded an object is a manifest: a bad document in it is an error.
    if (yielded || !(e instanceof LoadError)) throw e;
    throw notAManifest(file, text, opts.limits) ?? e;
  }
}

function* readDocsStrict(file: string, text: string, opts: LoadOptions): Generator<SourceDoc> {
  const limits = opts.limits;
  const jsonDoc = jsonFastPath(file, text, limits);
  if (!jsonDoc && !opts.exact && canSplitYamlStream(text)) {
    yield* readSplitDocs(file, text, limits);
    return;
  }
  const lc = new (Y().LineCounter)();
  let index = 0;
  let prevEnd = 0;
  const stream = jsonDoc ? [jsonDoc] : parseYamlDocuments(text, limits, lc);
  for (const d of stream) {
    const gapStart = prevEnd;
    if (d.doc) prevEnd = d.doc.range[2];
    if (d.problem) {
      const line = jsonDoc ? 1 : lc.linePos(d.problem.offset).line;
      throw new LoadError(file, line, d.problem.limit ? `${d.problem.message}; raise it with --limit ${d.problem.limit}=N if this input is trusted` : d.problem.message);
    }
    if (d.empty) continue;
    const doc = d.doc;
    const getDoc = jsonDoc ? lazyDoc(text, limits) : () => ({ doc: doc!, lc });
    const line = jsonDoc ? 1 : lc.linePos(d.offset).line;
    const problem = kubernetesObjectProblem(d.value);
    if (problem) throw new LoadError(file, line, problem, index + 1);
    // The yaml library attaches a leading comment to the document, the map or its first key
    // depending on blank lines; reading the comment lines between documents is simpler and exact.
    const comment = jsonDoc ? undefined : leadingComment(text, gapStart, d.offset);
    const value = d.value as Record<string, unknown>;
    const lineAt = (segs: Segment[], fallback: number): number => {
      const g = getDoc();
      return g ? lineIn(g.doc, g.lc, segs, fallback, limits) : fallback;
    };
    if (isListKind(value)) {
      let first = true;
      for (const { item, segs, listKind } of listItems(value)) {
        const itemLine = lineAt(segs, line);
        const p = kubernetesObjectProblem(item);
        if (p) throw new LoadError(file, itemLine, `${dotted(segs)} of the ${listKind} ${p}`);
        yield { file, index: index++, line: itemLine, object: item, comment: first ? comment : undefined, lineOf: (dp) => lineAt([...segs, ...parseDotted(dp)], itemLine) };
        first = false;
      }
      continue;
    }
    yield { file, index: index++, line, object: value, comment, lineOf: (dp) => lineAt(parseDotted(dp), line) };
  }
}

/**
 * 1-based line numbers of increasing offsets, counting newlines from the last offset
 * asked: linear over a whole stream, and no table of line starts held in memory.
 */
export function lineCursor(text: string): (offset: number) => number {
  let pos = 0;
  let line = 1;
  return (offset) => {
    if (offset < pos) {
      pos = 0;
      line = 1;
    }
    for (let nl = text.indexOf("\n", pos); nl >= 0 && nl < offset; nl = text.indexOf("\n", nl + 1)) line++;
    pos = offset;
    return line;
  };
}

/**
 * readDocs over a stream cut at its `---` markers (policy/yaml.ts splitYamlStream): values
 * come from the fast path, and a document's own text is parsed again, exactly, only when
 * a finding asks for a line inside it.
 */
function* readSplitDocs(file: string, text: string, limits: Partial<YamlLimits> | undefined): Generator<SourceDoc> {
  const lineAt = lineCursor(text);
  const index = { n: 0 };
  for (const d of splitYamlStream(text, limits)) yield* splitDocs(file, text, d, lineAt, index, limits);
}

/**
 * The SourceDocs of one document `d` of `text` (a List yields its items). `lineAt` gives the
 * file's line of an offset in `text`, asked in increasing order; `index` counts the file's
 * documents so far and is advanced. Throws LoadError as readDocs.
 */
export function* splitDocs(file: string, text: string, d: StreamDoc, lineAt: (offset: number) => number, index: { n: number }, limits: Partial<YamlLimits> | undefined): Generator<SourceDoc> {
  // Offsets asked in increasing order: the cursor never goes back.
  const firstLine = lineAt(d.start);
  if (d.problem) {
    const line = lineAt(d.problem.offset);
    throw new LoadError(file, line, d.problem.limit ? `${d.problem.message}; raise it with --limit ${d.problem.limit}=N if this input is trusted` : d.problem.message);
  }
  if (d.empty) return;
  const line = lineAt(d.offset);
  const problem = kubernetesObjectProblem(d.value);
  if (problem) throw new LoadError(file, line, problem, index.n + 1);
  const comment = leadingComment(text, d.start, d.offset);
  let cached: { doc: Document.Parsed; lc: { linePos(o: number): { line: number } } } | undefined | null = null;
  const getDoc = () => {
    if (cached === null) {
      const lc = new (Y().LineCounter)();
      const first = parseYamlDocuments(text.slice(d.start, d.end), limits, lc).next();
      cached = !first.done && first.value.doc ? { doc: first.value.doc, lc: { linePos: (o: number) => ({ line: lc.linePos(o).line + firstLine - 1 }) } } : undefined;
    }
    return cached;
  };
  // A document the fast path read is placed without the `yaml` package when its shape allows
  // (policy/yaml-lines.ts); the exact parse above answers the rest.
  let tree: LineNode | undefined | null = null;
  const fastLine = (segs: Segment[]): number | undefined => {
    if (!d.fast) return undefined;
    if (tree === null) tree = lineTree(text.slice(d.start, d.end));
    const l = tree && lineOfPath(tree, d.value, segs, { ...DEFAULT_YAML_LIMITS, ...(limits ?? {}) });
    return l === undefined ? undefined : l + firstLine - 1;
  };
  const value = d.value as Record<string, unknown>;
  const at = (segs: Segment[], fallback: number): number => {
    const fl = fastLine(segs);
    if (fl !== undefined) return fl;
    const g = getDoc();
    return g ? lineIn(g.doc, g.lc, segs, fallback, limits) : fallback;
  };
  if (isListKind(value)) {
    let first = true;
    for (const { item, segs, listKind } of listItems(value)) {
      const itemLine = at(segs, line);
      const p = kubernetesObjectProblem(item);
      if (p) throw new LoadError(file, itemLine, `${dotted(segs)} of the ${listKind} ${p}`);
      yield { file, index: index.n++, line: itemLine, object: item, comment: first ? comment : undefined, lineOf: (dp) => at([...segs, ...parseDotted(dp)], itemLine) };
      first = false;
    }
    return;
  }
  yield { file, index: index.n++, line, object: value, comment, lineOf: (dp) => at(parseDotted(dp), line) };
}

function leadingComment(text: string, from: number, to: number): string | undefined {
  if (to - from > 64 * 1024) from = to - 64 * 1024; // only the lines just before matter
  return (
    text
      .slice(from, to)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("#"))
      .map((l) => l.replace(/^#\s?/, ""))
      .join("\n") || undefined
  );
}

/**
 * JSON input (`kubectl get -o json`) parsed with JSON.parse, about 20 times faster than a
 * YAML parser; lines are computed only when a finding asks for one. Returns undefined
 * when the text is not JSON, and the YAML path then reports the problem with its line.
 */
function jsonFastPath(file: string, text: string, limits: Partial<YamlLimits> | undefined) {
  const t = text.trimStart();
  if (!(t.startsWith("{") || (file.toLowerCase().endsWith(".json") && t.startsWith("[")))) return undefined;
  const l = { ...DEFAULT_YAML_LIMITS, ...(limits ?? {}) };
  if (text.length > l.maxDocumentBytes) return { offset: 0, empty: false, problem: { offset: 0, limit: "maxDocumentBytes" as const, message: `document is larger than maxDocumentBytes (${l.maxDocumentBytes} bytes)` } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (depthExceeds(value, l.maxDepth)) return { offset: 0, empty: false, problem: { offset: 0, limit: "maxDepth" as const, message: `nesting is deeper than maxDepth (${l.maxDepth} levels)` } };
  return { offset: 0, empty: false, value, doc: undefined as Document.Parsed | undefined };
}

function lazyDoc(text: string, limits: Partial<YamlLimits> | undefined): () => { doc: Document.Parsed; lc: LineCounter } | undefined {
  let cached: { doc: Document.Parsed; lc: LineCounter } | undefined | null = null;
  return () => {
    if (cached === null) {
      const lc = new (Y().LineCounter)();
      const first = parseYamlDocuments(text, limits, lc).next();
      cached = !first.done && first.value.doc ? { doc: first.value.doc, lc } : undefined;
    }
    return cached;
  };
}

/** Every document of a file, as an array (render, tests). Throws LoadError as readDocs. */
export function parseSource(file: string, text: string, opts: LoadOptions = {}): SourceDoc[] {
  const out: SourceDoc[] = [];
  for (const d of readDocs(file, text, opts)) out.push(d);
  return out;
}

/**
 * Whether a file whose strict reading failed before its first object is simply not a
 * manifest (NotAManifest), or a manifest with a problem (undefined: the LoadError stands).
 * Not a manifest: every document lacks both apiVersion and kind (a `Chart.yaml`, which has
 * an apiVersion and no kind, too), including JSON with comments (tsconfig.json); or a text
 * that is not valid YAML and holds `{{` (a Go or Jinja template). A document with apiVersion
 * or kind, or YAML past a parsing limit, keeps the error: it may be a broken manifest.
 */
export function notAManifest(file: string, text: string, limits?: Partial<YamlLimits>): NotAManifest | undefined {
  const base = path.basename(file);
  const looksLikeObject = (v: unknown): boolean =>
    v !== null && typeof v === "object" && !Array.isArray(v) && ("apiVersion" in v || "kind" in v) && !(base === "Chart.yaml" && !("kind" in v));
  const notObject = (v: unknown, n: number) =>
    new NotAManifest(
      file,
      "not-a-manifest",
      v === null || typeof v !== "object" ? `document ${n} is plain text, and no document has apiVersion or kind`
        : Array.isArray(v) ? `document ${n} is a list, and no document has apiVersion or kind`
        : base === "Chart.yaml" && "apiVersion" in v ? "a Helm Chart.yaml (apiVersion, no kind)"
        : "no document has apiVersion or kind",
    );
  const t = text.trimStart();
  if (t.startsWith("{") || t.startsWith("[") || path.extname(file).toLowerCase() === ".json") {
    // JSON.parse is linear in the text: no limit needed to look at the top level.
    for (const candidate of [text, withoutJsonComments(text)]) {
      let v: unknown;
      try {
        v = JSON.parse(candidate);
      } catch {
        continue;
      }
      return looksLikeObject(v) ? undefined : notObject(v, 1);
    }
  }
  let n = 0;
  let first: NotAManifest | undefined;
  const lc = new (Y().LineCounter)();
  for (const d of parseYamlDocuments(text, limits, lc)) {
    if (d.problem) {
      if (d.problem.limit || !text.includes("{{")) return undefined;
      return new NotAManifest(file, "template", `line ${lc.linePos(d.problem.offset).line}: ${d.problem.message}, and the file holds {{ }}`);
    }
    if (d.empty) continue;
    n++;
    if (looksLikeObject(d.value)) return undefined;
    first ??= notObject(d.value, n);
  }
  return first;
}

/**
 * JSON text with `//` and `/* *\/` comments and trailing commas blanked (tsconfig.json and
 * other JSONC files), strings left as they are; offsets are kept.
 */
function withoutJsonComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      const j = text.indexOf("\n", i);
      const end = j < 0 ? text.length : j;
      out += " ".repeat(end - i);
      i = end;
    } else if (c === "/" && text[i + 1] === "*") {
      const j = text.indexOf("*/", i + 2);
      const end = j < 0 ? text.length : j + 2;
      out += text.slice(i, end).replace(/[^\n]/g, " ");
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, " $1");
}
