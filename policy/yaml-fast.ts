/**
 * The fast path of bounded YAML parsing (policy/yaml.ts), for the plain block YAML that
 * manifests almost always are. The `yaml` package builds a concrete syntax tree and a
 * Document AST for every document, about 7 MB/s; js-yaml builds the plain value directly,
 * about 50 MB/s. Positions are needed only for the few documents with findings, and those
 * are parsed again, exactly, by the caller.
 *
 * The fast path must never give a different answer from the exact one. It therefore
 * declines (returns undefined, and the caller takes the exact path) whenever a document
 * holds anything where the two libraries could differ or where the limits need the
 * concrete syntax tree: anchors, aliases, tags, directives, complex or collection keys,
 * tabs, null or non-string keys, over-long keys, and anything past a limit. Plain scalars
 * are resolved with the YAML 1.2 core schema's own expressions, as the `yaml` package does.
 * The differential test (test/unit/policy/yaml-fast.test.ts) holds the two paths equal.
 */
import type { YamlLimits } from "./yaml-limits";

interface JsYamlType {
  new (tag: string, opts: { kind: "scalar"; resolve: (s: string | null) => boolean; construct: (s: string | null) => unknown }): unknown;
}
interface JsYaml {
  Type: JsYamlType;
  FAILSAFE_SCHEMA: { extend(types: { implicit: unknown[] }): unknown };
  load(text: string, opts: { schema: unknown; json: boolean }): unknown;
}

/**
 * Stands for a plain null scalar (`~`, `null`, empty) while js-yaml builds the value, so a
 * null used as a key shows up as the key "[object Object]" (the `yaml` package reads it as
 * "") and the fast path declines; values are put back to null by the walk.
 */
const NULL = Object.freeze({});

// The `yaml` package's YAML 1.2 core schema (yaml/dist/schema/core), expression for expression.
const CORE_NULL = /^(?:~|[Nn]ull|NULL)?$/;
const CORE_BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const CORE_INT = /^0o[0-7]+$|^[-+]?[0-9]+$|^0x[0-9a-fA-F]+$/;
const CORE_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$|^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** Whether a plain scalar reads as a string under the core schema (not null, a boolean or a number). */
export function plainIsString(s: string): boolean {
  return !(CORE_NULL.test(s) || CORE_BOOL.test(s) || CORE_INT.test(s) || CORE_FLOAT.test(s));
}

let schema: unknown;
function jsyaml(): { lib: JsYaml; schema: unknown } {
  const lib = require("js-yaml") as JsYaml;
  if (!schema) {
    const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown) =>
      new lib.Type(tag, { kind: "scalar", resolve: (s) => s !== null && test.test(s), construct: (s) => construct(s ?? "") });
    schema = lib.FAILSAFE_SCHEMA.extend({
      implicit: [
        scalar("tag:yaml.org,2002:null", CORE_NULL, () => NULL),
        scalar("tag:yaml.org,2002:bool", CORE_BOOL, (s) => s[0] === "t" || s[0] === "T"),
        scalar("tag:yaml.org,2002:int", CORE_INT, (s) => (s.startsWith("0o") ? parseInt(s.substring(2), 8) : s.startsWith("0x") ? parseInt(s.substring(2), 16) : parseInt(s, 10))),
        scalar(
          "tag:yaml.org,2002:float",
          CORE_FLOAT,
          (s) => (s.slice(-3).toLowerCase() === "nan" ? NaN : /inf$/i.test(s) ? (s[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY) : parseFloat(s)),
        ),
      ],
    });
  }
  return { lib, schema };
}

/**
 * Syntax the fast path leaves to the exact one: an anchor, alias or tag (`&a`, `*a`, `!t`
 * after a separator), a complex key (`? `), a flow collection used as a key (`]:`, `}:`),
 * tabs, a directive or document end marker, a byte order mark, a lone carriage return.
 * False alarms (`a && b` in a string) only cost speed.
 */
const DECLINE = /(?:^|[\s,[\]{}:])[&*!](?=\S)|(?:^|[\s,[{])\?(?=[ \t]|$)|[\]}][ \t]*:(?=[ \t]|$)|\t|^%|^\.\.\.|\uFEFF|\r(?!\n)/m;

/** Keys the `yaml` package would spell differently (null, collection keys) or refuse (over 1024 characters). */
function oddKey(k: string): boolean {
  return k === "[object Object]" || k === "null" || k.includes(",") || k.length > 1024;
}

/**
 * Upper bound of the nesting depth, from the text alone: indentation, `- ` entries that
 * open a sequence on the same line, and flow brackets (counted even inside strings, so
 * only ever too high). Keeps js-yaml's recursion far from the stack's end.
 */
function depthBound(text: string): number {
  let maxIndent = 0;
  let maxDashes = 0;
  let brackets = 0;
  let maxBrackets = 0;
  let lineStart = true;
  let indent = 0;
  let dashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      indent = 0;
      dashes = 0;
      continue;
    }
    if (lineStart) {
      if (c === 32) {
        indent++;
        continue;
      }
      if (c === 45 /* - */ && text.charCodeAt(i + 1) === 32) {
        dashes++;
        indent++;
        continue;
      }
      lineStart = false;
      if (indent > maxIndent) maxIndent = indent;
      if (dashes > maxDashes) maxDashes = dashes;
    }
    if (c === 91 || c === 123) {
      if (++brackets > maxBrackets) maxBrackets = brackets;
    } else if (c === 93 || c === 125) brackets--;
  }
  return maxIndent + maxDashes + maxBrackets + 2;
}

/** A block entry's key and what follows it: a plain key that cannot be mistaken for anything else, or a one-line quoted one. */
export const KEY = /^(?:[A-Za-z0-9_./$][^:#'"]*?|"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')[ ]*:(?: +|$)/;
export const BLOCK_HEADER = /^[|>][1-9]?[+-]?[1-9]?[ ]*(?:#.*)?$/;

/** After a value: nothing, spaces, or a comment separated from it by a space (`'x'#c` is an error). */
const LINE_TAIL = /^(?:[ ]+#.*|[ ]*)$/;

/**
 * Escapes of a double-quoted scalar both libraries read alike (YAML 1.2's JSON escapes, `\0`,
 * `\e`, `\xHH`, `\uHHHH`); a document with any other escape, even a valid one, is left to
 * the exact path.
 */
const DOUBLE_QUOTED = /"(?:[^"\\\n]|\\(?:["\\/bfnrt0e]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}))*"/y;
const SINGLE_QUOTED = /'(?:[^'\n]|'')*'/y;

/** Length of the quoted scalar at `v[at]` (sticky: no copy of the line), or -1 when it is not one of the forms above. */
function quotedLength(v: string, at: number): number {
  const re = v.charCodeAt(at) === 34 ? DOUBLE_QUOTED : SINGLE_QUOTED;
  re.lastIndex = at;
  return re.test(v) ? re.lastIndex - at : -1;
}

/** True when a value that starts a line's remainder ends on that line (quotes closed, brackets balanced). */
function oneLineValue(v: string): boolean {
  if (v === "" || v[0] === "#") return true;
  const q = v[0];
  if (q === "'" || q === '"') {
    const len = quotedLength(v, 0);
    return len > 0 && LINE_TAIL.test(v.slice(len));
  }
  if (q === "[" || q === "{") {
    const end = flowEnd(v);
    return end > 0 && LINE_TAIL.test(v.slice(end));
  }
  return true;
}

const enum Flow {
  /** After `[` or `,` in a sequence: an entry. */
  Entry,
  /** After an entry in a sequence: `,` or `]`. */
  AfterEntry,
  /** After `{` or `,` in a mapping: a key or `}` (only right after `{`). */
  Key,
  /** After a key and its `: `: the value. */
  Value,
  /** After a value in a mapping: `,` or `}`. */
  AfterValue,
}

/** Characters that end a plain scalar inside a flow collection, or that it may not hold. */
function flowStop(c: number): boolean {
  return c === 44 /* , */ || c === 91 || c === 93 || c === 123 || c === 125 || c === 35 /* # */ || c === 34 || c === 39;
}

/**
 * Length of the one-line flow collection `v` opens (`v[0]` is `[` or `{`), or -1 when it
 * does not close on the line or holds anything outside the narrow form both libraries read
 * alike: entries and values that are plain scalars, quoted scalars (the escapes above) or
 * flow collections; keys that are plain or quoted scalars followed at once by `: `; no empty
 * entries, no trailing comma, no `key: value` pair inside a sequence, no comments, no
 * explicit keys (`?`), no plain scalar starting with an indicator or holding `: `, ` #`,
 * brackets or quotes. One pass over `v`: linear.
 */
function flowEnd(v: string): number {
  const stack: Flow[] = [];
  let state: Flow = Flow.Entry;
  let i = 0;
  const n = v.length;
  const skipSpaces = () => {
    while (i < n && v.charCodeAt(i) === 32) i++;
  };
  while (i < n) {
    skipSpaces();
    if (i >= n) return -1;
    const c = v.charCodeAt(i);
    if (state === Flow.AfterEntry || state === Flow.AfterValue) {
      const close = state === Flow.AfterEntry ? 93 : 125;
      if (c === 44) {
        i++;
        state = state === Flow.AfterEntry ? Flow.Entry : Flow.Key;
        skipSpaces();
        // No empty entry and no trailing comma.
        if (i >= n || v.charCodeAt(i) === 44 || v.charCodeAt(i) === 93 || v.charCodeAt(i) === 125) return -1;
        continue;
      }
      if (c !== close) return -1;
      i++;
      if (stack.length === 0) return i;
      state = stack.pop()!;
      continue;
    }
    // An entry, a key or a value.
    if (i === 0 || c === 91 || c === 123) {
      if (state === Flow.Key) return -1; // a collection as a key
      if (i === 0 && c !== 91 && c !== 123) return -1;
      if (i > 0) stack.push(state === Flow.Entry ? Flow.AfterEntry : Flow.AfterValue);
      i++;
      skipSpaces();
      const empty = c === 91 ? 93 : 125;
      if (v.charCodeAt(i) === empty) {
        i++;
        if (stack.length === 0) return i;
        state = stack.pop()!;
        continue;
      }
      state = c === 91 ? Flow.Entry : Flow.Key;
      continue;
    }
    if (c === 93 || c === 125 || c === 44 || c === 35) return -1;
    let isKey = false;
    if (c === 34 || c === 39) {
      const len = quotedLength(v, i);
      if (len < 0) return -1;
      i += len;
      if (state === Flow.Key) {
        // `"k": v`, the colon right after the quote and a space after it.
        if (v.charCodeAt(i) !== 58 || v.charCodeAt(i + 1) !== 32) return -1;
        i += 2;
        isKey = true;
      }
    } else {
      // A plain scalar: not starting with an indicator, and no `-`, `?` or `:` followed by a space.
      if (c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 37 || c === 64 || c === 96 || c === 63 || c === 58) return -1;
      if (c === 45 && (i + 1 >= n || v.charCodeAt(i + 1) === 32 || flowStop(v.charCodeAt(i + 1)))) return -1;
      for (; i < n; i++) {
        const d = v.charCodeAt(i);
        if (d === 58) {
          const e = v.charCodeAt(i + 1);
          if (e === 32) {
            if (state !== Flow.Key) return -1; // `[a: b]`, `{a: b: c}`: the exact path
            i += 2;
            isKey = true;
            break;
          }
          // `a:b` is one scalar; `a:`, `a:,` and `a:]` are left to the exact path.
          if (i + 1 >= n || flowStop(e) || e === 58) return -1;
          continue;
        }
        if (d === 32 && v.charCodeAt(i + 1) === 35) return -1; // ` #`: a comment
        if (d === 44 || d === 93 || d === 125) break;
        if (flowStop(d)) return -1;
      }
      if (state === Flow.Key && !isKey) return -1; // `{a}`, `{a, b}`: a key without a value
    }
    if (isKey) {
      skipSpaces();
      // The value must be there: `{a: }` is left to the exact path.
      if (i >= n || v.charCodeAt(i) === 44 || v.charCodeAt(i) === 125 || v.charCodeAt(i) === 93) return -1;
      state = Flow.Value;
      continue;
    }
    state = state === Flow.Entry ? Flow.AfterEntry : Flow.AfterValue;
  }
  return -1;
}

/**
 * Line by line, the shapes the fast path reads: every line is blank, a comment, content
 * of a block scalar (`|`, `>`), or a block entry (`key: value`, `- value`, `- key: value`)
 * whose value ends on the same line. Multi-line plain, quoted and flow scalars are where
 * js-yaml forgives indentation the `yaml` package refuses: those documents go the exact way.
 */
function plainLines(text: string): boolean {
  let blockIndent = -1;
  let contentIndent = -1;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    let i = pos;
    while (i < nl && text.charCodeAt(i) === 32) i++;
    const indent = i - pos;
    const lineEnd = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const lineStart = pos;
    pos = nl + 1;
    if (i >= lineEnd) continue; // blank
    if (blockIndent >= 0) {
      if (indent > blockIndent) {
        // The first content line sets the scalar's indentation; a later line between the two is the exact path's to judge.
        if (contentIndent < 0) contentIndent = indent;
        else if (indent < contentIndent) return false;
        continue;
      }
      blockIndent = -1;
    }
    if (text.charCodeAt(i) === 35) continue; // comment
    if (indent === 0 && text.startsWith("---", i) && (i + 3 === lineEnd || text.charCodeAt(i + 3) === 32)) {
      if (text.slice(i + 3, lineEnd).trim().replace(/^#.*/, "") !== "") return false;
      continue;
    }
    let dashes = 0;
    while (text.charCodeAt(i) === 45 && (i + 1 === lineEnd || text.charCodeAt(i + 1) === 32)) {
      dashes++;
      i += 2;
      while (i < lineEnd && text.charCodeAt(i) === 32) i++;
    }
    if (i >= lineEnd) continue; // `-` alone: its value on the next lines
    const rest = text.slice(i, lineEnd);
    const key = KEY.exec(rest);
    const value = key ? rest.slice(key[0].length) : dashes > 0 ? rest : undefined;
    if (value === undefined) return false;
    if (BLOCK_HEADER.test(value)) {
      blockIndent = i - lineStart;
      contentIndent = -1;
      if (/^[|>][+-]?[1-9]|^[|>][1-9]/.test(value)) return false; // explicit indentation indicators
      continue;
    }
    if (!oneLineValue(value)) return false;
  }
  return true;
}

/**
 * Checks a value js-yaml built against the limits and the keys `yaml` would read
 * otherwise, and puts nulls back. Returns false to decline. Iterative.
 */
function settle(root: { v: unknown }, limits: YamlLimits): boolean {
  let nodes = 0;
  const stack: [Record<string, unknown> | unknown[], number][] = [];
  if (root.v === NULL) root.v = null;
  if (root.v !== null && typeof root.v === "object") stack.push([root.v as Record<string, unknown>, 1]);
  while (stack.length > 0) {
    const [c, depth] = stack.pop()!;
    if (depth > limits.maxDepth) return false;
    nodes++;
    if (Array.isArray(c)) {
      for (let i = 0; i < c.length; i++) {
        let v = c[i];
        if (v === NULL) v = c[i] = null;
        nodes++;
        if (v !== null && typeof v === "object") stack.push([v as Record<string, unknown>, depth + 1]);
      }
    } else {
      const keys = Object.keys(c);
      if (keys.length > limits.maxKeys) return false;
      for (const k of keys) {
        if (oddKey(k)) return false;
        let v = c[k];
        if (v === NULL) v = c[k] = null;
        nodes += 2;
        if (v !== null && typeof v === "object") stack.push([v as Record<string, unknown>, depth + 1]);
      }
    }
    if (nodes > limits.maxExpandedNodes) return false;
  }
  return true;
}

/**
 * The value of one YAML document (`text` holds no other document), or undefined when the
 * fast path declines. `text` may begin with a `---` marker.
 */
export function fastYamlValue(text: string, limits: YamlLimits): { value: unknown } | undefined {
  if (text.length > limits.maxDocumentBytes || DECLINE.test(text) || depthBound(text) > limits.maxDepth || !plainLines(text)) return undefined;
  // Comments alone: the exact path tells an empty document from a null one.
  if (!/^(?!---)[ \t]*[^\s#]/m.test(text)) return undefined;
  const { lib, schema } = jsyaml();
  const root = { v: undefined as unknown };
  try {
    root.v = lib.load(text, { schema, json: false });
  } catch {
    return undefined; // the exact path names the problem and its line
  }
  return settle(root, limits) ? { value: root.v } : undefined;
}
