/**
 * Lines of paths inside a document the fast path read (policy/yaml-fast.ts), without the
 * `yaml` package. A finding names a field by its path; review reports the field's line,
 * which it used to find by parsing the document again, exactly (review/load.ts lineIn),
 * for every document with a finding: on the benchmark stream that was a fifth of review's
 * time, mostly for findings on the object itself (path "") or on a key.
 *
 * The fast path accepts only block YAML whose every line is blank, a comment, content of
 * a block scalar, or a block entry (`key: value`, `- value`, `- key: value`) whose value
 * ends on that line. Over such a text one pass over the lines gives the line each node
 * starts on, which is what lineIn reports (the `yaml` package's node.range[0]). Anything
 * else (a key that is not a plain string, a null value, a scalar on a line of its own, an
 * indentation the pass does not expect) makes the answer undefined, and the caller takes
 * the exact path. test/unit/policy/yaml-lines.test.ts holds every answer equal to the
 * exact path's, for every path of every example and of random mutations.
 */
import { BLOCK_HEADER, KEY, fastYamlValue, plainIsString } from "./yaml-fast";
import type { Segment } from "./paths";
import type { YamlLimits } from "./yaml-limits";

/** A node of the document: its 1-based line within the text, and what the walk needs of it. */
export type LineNode =
  | { t: "map"; line: number; keys: Map<string, LineNode>; odd: boolean }
  | { t: "seq"; line: number; items: LineNode[] }
  /** A one-line scalar or flow collection: every node inside it is on its line. */
  | { t: "leaf"; line: number }
  /** A block scalar (`|` literal or `>` folded). */
  | { t: "block"; line: number; literal: boolean }
  /** A value this pass does not place (null, or on a later line): the exact path answers. */
  | { t: "unknown"; line: number };

interface Open {
  node: Extract<LineNode, { t: "map" | "seq" }>;
  /** Column of the container's keys or dashes. */
  col: number;
}

/** Where an entry's value goes once its lines are seen: a key of a map or the next item of a sequence. */
interface Pending {
  put(n: LineNode): void;
  /** The column of the entry (a value must be indented further, or be a `- ` sequence at a key's column). */
  col: number;
  isKey: boolean;
}

/**
 * The position tree of `text`, a document the fast path accepted (it may start with a
 * `---` line), or undefined when the text has a shape this pass does not place. Linear in
 * the text.
 */
export function lineTree(text: string): LineNode | undefined {
  let root: LineNode | undefined;
  const stack: Open[] = [];
  let pending: Pending | undefined;
  /** Lines more indented than this after a block scalar's header are its content (-1: none). */
  let blockCol = -1;
  let line = 0;
  let sawMarker = false;
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    const lineStart = pos;
    const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    pos = nl + 1;
    line++;
    let i = lineStart;
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (i >= end) continue; // blank
    const col = i - lineStart;
    if (blockCol >= 0) {
      if (col > blockCol) continue; // block scalar content
      blockCol = -1;
    }
    if (text.charCodeAt(i) === 35) continue; // comment
    if (!root && !pending && !sawMarker && col === 0 && text.startsWith("---", i)) {
      // The document's marker: nothing may follow it on its line but a comment.
      if (!/^---[ ]*(?:#.*)?$/.test(text.slice(i, end))) return undefined;
      sawMarker = true;
      continue;
    }
    const isDash = text.charCodeAt(i) === 45 && (i + 1 === end || text.charCodeAt(i + 1) === 32);
    // The value of an entry whose line ended after its `:` or `-` is a container starting on
    // a later line, more indented (or a `- ` sequence at a key's column); else it is null.
    if (pending && !(col > pending.col || (col === pending.col && pending.isKey && isDash))) {
      pending.put({ t: "unknown", line });
      pending = undefined;
    }
    let into: Open["node"];
    if (pending || !root) {
      // A container opening on this line: the pending entry's value, or the document's.
      into = isDash ? { t: "seq", line, items: [] } : { t: "map", line, keys: new Map(), odd: false };
      if (pending) pending.put(into);
      else root = into;
      pending = undefined;
      stack.push({ node: into, col });
    } else {
      // A further entry of an open container: close the ones this line is left of.
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top.col > col || (top.col === col && top.node.t === "seq" && !isDash)) stack.pop();
        else break;
      }
      const top = stack[stack.length - 1];
      if (!top || top.col !== col || (top.node.t === "seq") !== isDash) return undefined;
      into = top.node;
    }
    const r = entry(text, i, end, col, line, into, stack);
    if (!r) return undefined;
    pending = r.pending;
    blockCol = r.blockCol;
  }
  // An entry with nothing after it: a null value.
  pending?.put({ t: "unknown", line });
  return root;
}

/**
 * One entry of `container` starting at `text[i]` (column `col`, line `line`): `key: value`
 * of a map, or `- value` of a sequence, whose value may open further containers on the same
 * line (`- - x`, `- key: v`). Returns the entry still waiting for its value on later lines
 * and the column block scalar content must exceed, or undefined for a shape this pass does
 * not place.
 */
function entry(text: string, i: number, end: number, col: number, line: number, container: Open["node"], stack: Open[]): { pending?: Pending; blockCol: number } | undefined {
  let into = container;
  let at = i;
  let c = col;
  for (;;) {
    let slot: Pending;
    if (into.t === "seq") {
      // `-` then spaces: the item starts at the next character, or on a later line.
      at++;
      while (at < end && text.charCodeAt(at) === 32) at++;
      const items = into.items;
      slot = { put: (n) => void items.push(n), col: c, isKey: false };
    } else {
      const rest = text.slice(at, end);
      const k = KEY.exec(rest);
      if (!k) return undefined;
      const raw = k[0].replace(/[ ]*:[ ]*$/, "");
      const key = keyText(raw);
      const keys = into.keys;
      const map = into;
      if (key === undefined) map.odd = true;
      slot = { put: (n) => void (key !== undefined && keys.set(key, n)), col: c, isKey: true };
      at += k[0].length;
    }
    if (at >= end || text.charCodeAt(at) === 35) return { pending: slot, blockCol: -1 };
    const value = text.slice(at, end);
    if (BLOCK_HEADER.test(value)) {
      slot.put({ t: "block", line, literal: value[0] === "|" });
      // Content lines are those more indented than the entry's container.
      return { blockCol: c };
    }
    const isDash = text.charCodeAt(at) === 45 && (at + 1 === end || text.charCodeAt(at + 1) === 32);
    if (into.t === "seq" && (isDash || KEY.test(value))) {
      // A container opening inside a sequence item, on the item's line.
      const node: Open["node"] = isDash ? { t: "seq", line, items: [] } : { t: "map", line, keys: new Map(), odd: false };
      slot.put(node);
      c = at - (text.lastIndexOf("\n", at - 1) + 1);
      stack.push({ node, col: c });
      into = node;
      continue;
    }
    slot.put({ t: "leaf", line });
    return { blockCol: -1 };
  }
}

/** A key as the `yaml` package reads it, when it is a string without escapes; undefined otherwise. */
function keyText(raw: string): string | undefined {
  const q = raw[0];
  if (q === '"') return raw.includes("\\") ? undefined : raw.slice(1, -1);
  if (q === "'") return raw.slice(1, -1).replace(/''/g, "'");
  return plainIsString(raw) ? raw : undefined;
}

/**
 * The 1-based line (within the text `root` came from) that review reports for the path
 * `segs`, as review/load.ts lineIn does: the deepest node of the path that exists; inside
 * a literal block scalar (`|`) holding YAML, the line of the path in that YAML (embedded:
 * the scalar's string value, `value` at the scalar). Undefined when the answer needs the
 * exact path. `value` is the document's value (as the fast path read it); `limits` the
 * parsing limits the exact path would apply to an embedded text.
 */
export function lineOfPath(root: LineNode, value: unknown, segs: readonly Segment[], limits: YamlLimits): number | undefined {
  let node = root;
  let v = value;
  let i = 0;
  for (; i < segs.length; i++) {
    if (node.t === "leaf") return node.line; // everything inside a one-line flow collection is on its line
    if (node.t === "block") break;
    if (node.t === "unknown") return undefined;
    const next = child(node, segs[i]);
    if (next === undefined) break;
    if (next === null) return undefined;
    node = next;
    v = v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[segs[i] as string] : undefined;
  }
  if (node.t === "unknown") return undefined;
  if (i < segs.length && node.t === "block" && node.literal) {
    // lineIn parses the embedded text (review/load.ts embeddedLine); the fast path reads it, or the exact path answers.
    if (typeof v !== "string") return undefined;
    const inner = embeddedLine(v, segs.slice(i), limits);
    return inner === undefined ? undefined : node.line + inner;
  }
  return node.line;
}

/**
 * The child a path segment names, as the `yaml` package's get(key) finds it: in a map, the
 * pair whose key equals the segment; in a sequence, the item at the segment read as an index
 * (YAMLSeq asItemIndex: a numeric string counts). Undefined when there is none; null when a
 * map has keys this pass could not read (the exact path answers).
 */
function child(node: Extract<LineNode, { t: "map" | "seq" }>, seg: Segment): LineNode | undefined | null {
  if (node.t === "map") {
    if (typeof seg !== "string") return node.odd ? null : undefined;
    const c = node.keys.get(seg);
    return c ?? (node.odd ? null : undefined);
  }
  let idx: unknown = seg;
  if (idx && typeof idx === "string") idx = Number(idx);
  return typeof idx === "number" && Number.isInteger(idx) && idx >= 0 ? node.items[idx] : undefined;
}

/**
 * review/load.ts embeddedLine for a text the fast path reads: the line of the deepest node
 * of the path that exists, or of the text's top node; undefined when the fast path declines
 * the text or this pass cannot place it.
 */
function embeddedLine(text: string, segs: readonly Segment[], limits: YamlLimits): number | undefined {
  if (!fastYamlValue(text, limits)) return undefined;
  const root = lineTree(text);
  if (!root || root.t === "unknown") return undefined;
  let node: LineNode = root;
  let found: LineNode | undefined;
  for (const s of segs) {
    if (node.t !== "map" && node.t !== "seq") break;
    const next = child(node, s);
    if (next === null) return undefined;
    if (next === undefined) break;
    node = next;
    found = next;
  }
  const at = found ?? root;
  return at.t === "unknown" ? undefined : at.line;
}
