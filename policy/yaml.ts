/**
 * Bounded YAML (and JSON) parsing for input nobody vouched for: manifests given to
 * `review`/`render`, and the `kuscia.yaml` embedded in a node ConfigMap. Pure: no I/O.
 *
 * Why not `yaml.parse` as it comes: its duplicate-key check is quadratic in the keys of
 * a mapping (40,000 keys: 13 s), its composer recurses once per nesting level (about
 * 1,000 levels overflow the stack, and the error it then formats can abort the process
 * out of memory), and aliases of a large anchor multiply the work of every walk after it.
 * Here every document's concrete syntax tree is checked against explicit limits with an
 * iterative walk BEFORE it is composed, duplicates are found with one Set per mapping,
 * and alias expansion is measured before the value is built. Time and memory are linear
 * in the input size; an exceeded limit is an ordinary error naming the limit.
 */
import type { CST, Document, LineCounter, Node } from "yaml";
import { yamlLib as Y } from "./yaml-lib";
import { fastYamlValue } from "./yaml-fast";
import { DEFAULT_YAML_LIMITS, type YamlLimits } from "./yaml-limits";

export { DEFAULT_YAML_LIMITS, LIMIT_NAMES, type YamlLimits } from "./yaml-limits";

export interface YamlProblem {
  /** Offset in the text where the problem is (0-based). */
  offset: number;
  /** One line, never quoting the input beyond a key name. */
  message: string;
  /** Set when a limit was exceeded: which one. */
  limit?: keyof YamlLimits;
}

export interface ParsedYamlDoc {
  /** Offset of the document's first content character (or of the document when empty). */
  offset: number;
  /** Absent when the document has a problem. */
  doc?: Document.Parsed;
  /** The document as plain JSON-like data; undefined for an empty document. */
  value?: unknown;
  /** The document's first problem; the rest of the stream is still parsed. */
  problem?: YamlProblem;
  /** True when the document has no content (comments only, or `---` alone). */
  empty: boolean;
}

// logLevel "error": the package would otherwise print process warnings for some inputs
// (a flow mapping used as a key is "stringified"), which nobody asked for on a server.
const COMPOSE_OPTIONS = { uniqueKeys: false, prettyErrors: false, keepSourceTokens: false, logLevel: "error" } as const;

function limitsOf(l?: Partial<YamlLimits>): YamlLimits {
  return { ...DEFAULT_YAML_LIMITS, ...(l ?? {}) };
}

/**
 * Checks one document's CST against the limits, iteratively. Returns the first
 * problem or undefined. Offsets index the text the CST came from.
 */
function checkCst(token: CST.Document, limits: YamlLimits): YamlProblem | undefined {
  let aliases = 0;
  let end = token.offset;
  const stack: [CST.Token | undefined, number][] = [[token.value, 1]];
  while (stack.length > 0) {
    const [t, depth] = stack.pop()!;
    if (!t) continue;
    if ("source" in t && typeof t.source === "string") end = Math.max(end, t.offset + t.source.length);
    else end = Math.max(end, t.offset);
    if (end - token.offset > limits.maxDocumentBytes) {
      return { offset: token.offset, limit: "maxDocumentBytes", message: `document is larger than maxDocumentBytes (${limits.maxDocumentBytes} bytes)` };
    }
    switch (t.type) {
      case "alias":
        if (++aliases > limits.maxAliases) return { offset: t.offset, limit: "maxAliases", message: `document has more than maxAliases (${limits.maxAliases}) aliases` };
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection": {
        if (depth > limits.maxDepth) return { offset: t.offset, limit: "maxDepth", message: `nesting is deeper than maxDepth (${limits.maxDepth} levels)` };
        const isMapping = t.type === "block-map" || (t.type === "flow-collection" && t.start.source === "{");
        if (isMapping && t.items.length > limits.maxKeys) {
          return { offset: t.offset, limit: "maxKeys", message: `a mapping has ${t.items.length} keys, more than maxKeys (${limits.maxKeys})` };
        }
        for (const it of t.items as CST.CollectionItem[]) {
          // In a flow sequence, `[a: b]` is a one-pair mapping: one level deeper.
          const inner = t.type === "flow-collection" && !isMapping && it.sep ? depth + 2 : depth + 1;
          if (it.key) stack.push([it.key, inner]);
          if (it.value) stack.push([it.value, inner]);
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/**
 * Checks the composed document: duplicate keys (one Set per mapping, linear) and the
 * size of the value once aliases are expanded. Iterative; the CST check has already
 * bounded depth, keys and alias count.
 */
function checkDoc(doc: Document.Parsed, limits: YamlLimits): YamlProblem | undefined {
  // Expanded size of every node, filled in post-order so an anchor's size is known
  // before any alias to it (YAML anchors precede their aliases).
  const size = new Map<Node, number>();
  const root = doc.contents as Node | null;
  if (!root) return undefined;
  // yaml's Alias.resolve searches the whole document per alias (quadratic); anchors are
  // recorded here as the walk meets them, in document order, the latest one winning.
  const anchors = new Map<string, Node>();
  const stack: [Node, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [n, done] = stack.pop()!;
    if (!done && !Y().isAlias(n) && (n as { anchor?: string }).anchor) anchors.set((n as { anchor?: string }).anchor!, n);
    if (Y().isAlias(n)) {
      const target = anchors.get(n.source);
      if (!target) return { offset: n.range?.[0] ?? 0, message: `alias *${n.source} names no anchor before it` };
      const s = size.get(target);
      // Not sized yet: the alias sits inside the node it names, a cycle no JSON value can hold.
      if (s === undefined) return { offset: n.range?.[0] ?? 0, message: `alias *${n.source} refers to a node that contains it (a cycle)` };
      size.set(n, s);
      continue;
    }
    if (Y().isScalar(n)) {
      size.set(n, 1);
      continue;
    }
    if (!Y().isMap(n) && !Y().isSeq(n)) {
      size.set(n, 1);
      continue;
    }
    const children: Node[] = [];
    for (const it of n.items as unknown[]) {
      if (Y().isPair(it)) {
        if (it.key && typeof it.key === "object") children.push(it.key as Node);
        if (it.value && typeof it.value === "object") children.push(it.value as Node);
      } else if (it && typeof it === "object") children.push(it as Node);
    }
    if (!done) {
      if (Y().isMap(n)) {
        const seen = new Set<string>();
        for (const it of n.items) {
          const k = Y().isScalar(it.key) ? it.key.value : it.key;
          if (k === null || typeof k !== "object") {
            const key = String(k);
            if (seen.has(key)) {
              return { offset: (it.key as Node | null)?.range?.[0] ?? n.range?.[0] ?? 0, message: `duplicate key ${JSON.stringify(key.length > 80 ? key.slice(0, 80) + "..." : key)}: a mapping's keys must be unique` };
            }
            seen.add(key);
          }
        }
      }
      stack.push([n, true]);
      // Reversed so children are visited in document order: anchors before their aliases.
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], false]);
      continue;
    }
    let total = 1;
    for (const c of children) total += size.get(c) ?? 1;
    if (total > limits.maxExpandedNodes) {
      return { offset: n.range?.[0] ?? 0, limit: "maxExpandedNodes", message: `document expands to more than maxExpandedNodes (${limits.maxExpandedNodes}) nodes once its aliases are expanded` };
    }
    size.set(n, total);
  }
  return undefined;
}

function problemOf(doc: Document.Parsed): YamlProblem | undefined {
  const err = doc.errors[0];
  if (!err) return undefined;
  return { offset: err.pos[0], message: `not valid YAML: ${err.message.split("\n")[0]}` };
}

/**
 * No content: nothing at all, or the empty plain scalar yaml composes for a document
 * that has only a `---` marker and comments (`---\n# note\n---`). kubectl skips such
 * documents; an explicit `~` or `null` is content (and not a Kubernetes object).
 */
function isEmptyContents(c: unknown): boolean {
  if (c === null || c === undefined) return true;
  if (!Y().isScalar(c)) return false;
  const s = c as { source?: string; value: unknown; tag?: string; anchor?: string };
  return s.value === null && s.source === "" && !s.tag && !s.anchor;
}

function finish(doc: Document.Parsed, limits: YamlLimits): ParsedYamlDoc {
  const offset = doc.contents?.range?.[0] ?? doc.range[0];
  const problem = problemOf(doc) ?? checkDoc(doc, limits);
  if (problem) return { offset, problem, empty: false };
  if (isEmptyContents(doc.contents)) return { offset, doc, empty: true };
  try {
    // Aliases are already bounded above; yaml's own alias heuristic would only refuse more.
    return { offset, doc, value: doc.toJS({ maxAliasCount: -1 }), empty: false };
  } catch (e) {
    return { offset, problem: { offset, message: `cannot be read: ${(e as Error).message.split("\n")[0]}` }, empty: false };
  }
}

/**
 * Parses a stream of YAML documents lazily, one at a time, so a caller that drops each
 * document after use holds one document's tree at a time. `lineCounter`, when given,
 * is filled with the text's line starts (for line numbers of offsets).
 * Never throws for bad input: problems come back per document.
 */
export function* parseYamlDocuments(text: string, limits?: Partial<YamlLimits>, lineCounter?: LineCounter): Generator<ParsedYamlDoc> {
  const l = limitsOf(limits);
  // Documents nested deeper than maxDepth in flow style are refused before the parser
  // builds thousands of levels it would only throw away: their text is blanked (same
  // length, same lines, so every offset holds) and their problem takes their place.
  const deep = blankDeepDocuments(text, l);
  text = deep.text;
  const pending = [...deep.problems];
  const blanked = (offset: number) => deep.problems.some((p) => offset >= p.start && offset < p.end);
  function* emit(d: ParsedYamlDoc): Generator<ParsedYamlDoc> {
    const at = d.doc?.range[0] ?? d.offset;
    while (pending.length > 0 && pending[0].start <= at) yield { offset: pending[0].problem.offset, problem: pending.shift()!.problem, empty: false };
    if (!(d.empty && blanked(at))) yield d;
  }
  yield* parseDocuments(text, l, lineCounter, emit);
  for (const p of pending) yield { offset: p.problem.offset, problem: p.problem, empty: false };
}

function* parseDocuments(text: string, l: YamlLimits, lineCounter: LineCounter | undefined, emit: (d: ParsedYamlDoc) => Generator<ParsedYamlDoc>): Generator<ParsedYamlDoc> {
  const parser = new (Y().Parser)(lineCounter?.addNewLine);
  const composer = new (Y().Composer)(COMPOSE_OPTIONS);
  for (const token of parser.parse(text)) {
    if (token.type === "document") {
      const problem = checkCst(token, l);
      if (problem) {
        // The composer holds the previous document until it sees the next one.
        for (const d of composer.end()) yield* emit(finish(d, l));
        yield* emit({ offset: token.offset, problem, empty: false });
        continue;
      }
    }
    for (const d of composer.next(token)) yield* emit(finish(d, l));
  }
  for (const d of composer.end()) yield* emit(finish(d, l));
  // Errors outside any document (a stray `...`) are kept on the composer, not on a document.
  for (const e of (composer as unknown as { errors: { pos: [number, number]; message: string }[] }).errors) yield* emit({ offset: e.pos[0], problem: { offset: e.pos[0], message: `not valid YAML: ${e.message.split("\n")[0]}` }, empty: false });
}

/**
 * Flow nesting (`[[[[...`) deeper than maxDepth, found before parsing: a count of
 * brackets over the characters (linear, no allocation) and, only when that count is over
 * the limit, the lexer's tokens, which tell brackets from the same characters inside
 * strings, comments and block scalars. Block nesting costs the parser little per level
 * and is left to checkCst.
 */
function flowDepthProblem(text: string, limits: YamlLimits): YamlProblem | undefined {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  if (max <= limits.maxDepth) return undefined;
  depth = 0;
  let offset = 0;
  for (const tok of new (Y().Lexer)().lex(text)) {
    if (tok === "[" || tok === "{") {
      if (++depth > limits.maxDepth) return { offset, limit: "maxDepth", message: `nesting is deeper than maxDepth (${limits.maxDepth} levels)` };
    } else if (tok === "]" || tok === "}") depth = Math.max(0, depth - 1);
    else if (tok === "---" || tok === "...") depth = 0;
    // Control tokens (document start, scalar, flow end) stand for no source text.
    if (tok.length !== 1 || tok > "\x1f") offset += tok.length;
  }
  return undefined;
}

/**
 * `text` with every document whose flow nesting is deeper than maxDepth blanked (spaces,
 * newlines kept), and those documents' problems in order. Linear; `text` itself when no
 * bracket count is over the limit (the common case: one pass, no allocation).
 */
function blankDeepDocuments(text: string, limits: YamlLimits): { text: string; problems: { start: number; end: number; problem: YamlProblem }[] } {
  const problems: { start: number; end: number; problem: YamlProblem }[] = [];
  if (!flowDepthProblem(text, limits)) return { text, problems };
  const cuts = [0];
  if (canSplitYamlStream(text)) for (const m of text.matchAll(new RegExp(DOCUMENT_START.source, "gm"))) if (m.index! > 0) cuts.push(m.index!);
  cuts.push(text.length);
  const parts: string[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i], cuts[i + 1]];
    const slice = text.slice(start, end);
    const p = flowDepthProblem(slice, limits);
    if (!p) {
      parts.push(slice);
      continue;
    }
    problems.push({ start, end, problem: { ...p, offset: p.offset + start } });
    const marker = slice.startsWith("---") ? 3 : 0;
    parts.push(slice.slice(0, marker) + slice.slice(marker).replace(/[^\n]/g, " "));
  }
  return { text: parts.join(""), problems };
}

/** A document of a stream, by position: what `splitYamlStream` yields. */
export interface StreamDoc {
  /** The document's text is `text.slice(start, end)`, its `---` marker included. */
  start: number;
  end: number;
  /** Offset of its first content character (where its line is counted from). */
  offset: number;
  value?: unknown;
  problem?: YamlProblem;
  empty: boolean;
  /** True when the fast path read it (policy/yaml-fast.ts): policy/yaml-lines.ts can place its paths. */
  fast?: boolean;
}

/** Directives and document end markers change how later documents read: such streams are parsed whole. */
const UNSPLITTABLE = /^(?:%|\.\.\.(?:[ \t\r\n]|$))/m;
/** A `---` document marker at the start of a line: where splitYamlStream cuts. */
export const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/m;

/** True when `splitYamlStream` can read `text` (no directives, no `...` markers). */
export function canSplitYamlStream(text: string): boolean {
  return !UNSPLITTABLE.test(text);
}

/** Offset of the first character that is not blank, a comment or the `---` marker, from `i`; `end` when none. */
function contentStart(text: string, i: number, end: number): number {
  if (text.startsWith("---", i)) i += 3;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 /* # */) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 || nl > end ? end : nl + 1;
    } else break;
  }
  return Math.min(i, end);
}

/**
 * Parses a stream of YAML documents one at a time, as parseYamlDocuments does, but
 * cutting it at its `---` markers first (a marker at the start of a line ends any
 * scalar, so the cut is YAML's own), then reading each document by the fast path
 * (yaml-fast.ts) and, when that declines, exactly. Yields positions, not Documents:
 * a caller that needs a node's position parses that document's text again. Only for
 * texts `canSplitYamlStream` accepts. Never throws for bad input.
 */
export function* splitYamlStream(text: string, limits?: Partial<YamlLimits>): Generator<StreamDoc> {
  const l = limitsOf(limits);
  const re = new RegExp(DOCUMENT_START.source, "gm");
  let start = 0;
  for (;;) {
    const m = re.exec(text);
    let end = m ? m.index : text.length;
    if (m && end === 0) continue; // the stream opens with a marker
    yield readOne(text, start, end, l);
    if (!m) return;
    start = end;
  }
}

/**
 * The document `text.slice(start, end)` of a stream that splitYamlStream would cut there
 * (`start` is 0 or a `---` marker, `end` the next marker or the text's end), read as
 * splitYamlStream reads it: for a reader that cuts the stream itself (review's streaming
 * reader). Never throws for bad input.
 */
export function readYamlStreamDocument(text: string, start: number, end: number, limits?: Partial<YamlLimits>): StreamDoc {
  return readOne(text, start, end, limitsOf(limits));
}

function readOne(text: string, start: number, end: number, limits: YamlLimits): StreamDoc {
  const offset = contentStart(text, start, end);
  if (offset >= end) return { start, end, offset: start, empty: true };
  const slice = text.slice(start, end);
  const fast = fastYamlValue(slice, limits);
  if (fast) return { start, end, offset, value: fast.value, empty: false, fast: true };
  for (const d of parseYamlDocuments(slice, limits)) {
    if (d.problem) return { start, end, offset, problem: { ...d.problem, offset: d.problem.offset + start }, empty: false };
    // Where the exact parse puts the content: past properties (`!!map`, `&a`) and comments
    // after them, which contentStart does not skip (the fast path reads no properties).
    if (!d.empty) return { start, end, offset: start + d.offset, value: d.value, empty: false };
  }
  return { start, end, offset, empty: true };
}

/**
 * One document's value, for embedded texts (kuscia.yaml). Returns `{ value }` (undefined
 * for an empty text) or `{ error }`: one line naming the exceeded limit or the YAML error
 * and its 1-based line. Several documents are an error. Never throws.
 */
export function parseYamlValue(text: string, limits?: Partial<YamlLimits>): { value: unknown } | { error: string; limit?: keyof YamlLimits } {
  const l = limitsOf(limits);
  if (text.length > l.maxDocumentBytes) return { error: `is larger than maxDocumentBytes (${l.maxDocumentBytes} bytes)`, limit: "maxDocumentBytes" };
  if (!DOCUMENT_START.test(text) && canSplitYamlStream(text)) {
    const fast = fastYamlValue(text, l);
    if (fast) return fast;
  }
  const lc = new (Y().LineCounter)();
  let value: unknown;
  let count = 0;
  for (const d of parseYamlDocuments(text, l, lc)) {
    if (d.problem) return { error: `${d.problem.message} (line ${lc.linePos(d.problem.offset).line})`, ...(d.problem.limit ? { limit: d.problem.limit } : {}) };
    if (d.empty) continue;
    if (++count > 1) return { error: "holds more than one YAML document" };
    value = d.value;
  }
  return { value };
}

/**
 * Depth of a parsed JSON value, measured iteratively; stops early once `max` is passed.
 * For JSON.parse results, which V8 builds without a depth limit.
 */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) return true;
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (c !== null && typeof c === "object") stack.push([c, d + 1]);
  }
  return false;
}
