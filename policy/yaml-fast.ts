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

let schema: unknown;
function jsyaml(): { lib: JsYaml; schema: unknown } {
  const lib = require("js-yaml") as JsYaml;
  if (!schema) {
    // The `yaml` package's YAML 1.2 core schema (yaml/dist/schema/core), expression for expression.
    const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown) =>
      new lib.Type(tag, { kind: "scalar", resolve: (s) => s !== null && test.test(s), construct: (s) => construct(s ?? "") });
    schema = lib.FAILSAFE_SCHEMA.extend({
      implicit: [
        scalar("tag:yaml.org,2002:null", /^(?:~|[Nn]ull|NULL)?$/, () => NULL),
        scalar("tag:yaml.org,2002:bool", /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === "t" || s[0] === "T"),
        scalar("tag:yaml.org,2002:int", /^0o[0-7]+$|^[-+]?[0-9]+$|^0x[0-9a-fA-F]+$/, (s) => (s.startsWith("0o") ? parseInt(s.substring(2), 8) : s.startsWith("0x") ? parseInt(s.substring(2), 16) : parseInt(s, 10))),
        scalar(
          "tag:yaml.org,2002:float",
          /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$|^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
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
const KEY = /^(?:[A-Za-z0-9_./$][^:#'"]*?|"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')[ ]*:(?: +|$)/;
const BLOCK_HEADER = /^[|>][1-9]?[+-]?[1-9]?[ ]*(?:#.*)?$/;

/** True when a value that starts a line's remainder ends on that line (quotes closed, brackets balanced). */
function oneLineValue(v: string): boolean {
  if (v === "" || v[0] === "#") return true;
  const q = v[0];
  if (q === "'" || q === '"') {
    // A comment after it must be separated by a space (`'x'#c` is an error).
    const m = q === "'" ? /^'(?:[^']|'')*'(?:[ ]+#.*|[ ]*)$/.exec(v) : /^"(?:[^"\\]|\\.)*"(?:[ ]+#.*|[ ]*)$/.exec(v);
    return m !== null;
  }
  if (q === "[" || q === "{") {
    let depth = 0;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c === 91 || c === 123) depth++;
      else if (c === 93 || c === 125) {
        if (--depth === 0) return /^(?:[ ]+#.*|[ ]*)$/.test(v.slice(i + 1));
      } else if (c === 39 || c === 34 || c === 35) return false; // quotes or `#` inside flow: the exact path
    }
    return false;
  }
  return true;
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
