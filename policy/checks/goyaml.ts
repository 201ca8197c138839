/**
 * How Kuscia reads kuscia.yaml: gopkg.in/yaml.v3 (v3.0.1) decoding a YAML document into
 * Go structs (cmd/kuscia/confloader/kuscia_config.go: loadConfig). The rule book parses
 * the text with the `yaml` package (YAML 1.2 core schema); this module walks that
 * document and decodes it again the way yaml.v3 does into a given Go type shape
 * (policy/upstream/kuscia-yaml.ts, read from Kuscia's structs), giving
 * - every place where yaml.v3 refuses the value (a list where the struct has a string, a
 *   quoted "true" for a bool, a number too large for an int, ...): Kuscia exits there;
 * - the value Kuscia ends up with (a string field holds the scalar's text, `yes` in a bool
 *   field is true, `1_000` in an int field is 1000, ...), which the other rules check.
 *
 * Followed from yaml.v3: resolve.go (resolve: plain scalars to null, bool, int, float,
 * timestamp or string) and decode.go (decoder.scalar, sequence, mapping, mappingStruct,
 * prepare: custom unmarshalers are not called for null; merge and mappingStruct: merge keys
 * `<<`, which the `yaml` package reads as an ordinary key; scalar: `!!binary`, base64 that
 * yaml.v3 decodes before a string field gets it). Pure.
 */
import type { Document, Node, Scalar, YAMLMap } from "yaml";
import { yamlLib as Y } from "../yaml-lib";
import type { Segment } from "../paths";
import { goStdBase64Decode } from "./gopem";

/** A Go type as yaml.v3 decodes into it; the loader's `--schema` prints these (test/e2e/tools/kuscia/loader/schema.go). */
export interface GoShape {
  kind: "string" | "bool" | "int" | "uint" | "float" | "duration" | "time" | "any" | "iface" | "node" | "ptr" | "slice" | "array" | "map" | "struct" | "custom" | "ref" | "unsupported";
  /** Bit size of an int/uint/float; length of an array. */
  bits?: number;
  /** Go type name of a struct or custom type. */
  type?: string;
  elem?: GoShape;
  key?: GoShape;
  /** A struct's fields by YAML key; `*` is an inline map that takes every other key. */
  fields?: Record<string, GoShape>;
  /** The interface a custom type decodes through. */
  via?: string;
}

export interface GoYamlProblem {
  /** Path of the value inside the document. */
  path: Segment[];
  /** What yaml.v3 refuses, in words; never quotes more than a short scalar. */
  message: string;
}

/**
 * Custom unmarshalers Kuscia's config types use, by Go type name: a decoder for the node,
 * returning the Go value or a problem. Only what the type check needs: value checks of the
 * decoded result (e.g. which protocols exist) belong to the rules that own that field.
 */
export interface CustomDecoder {
  (n: Node | null, path: Segment[], problems: GoYamlProblem[]): unknown;
}

type Resolved =
  | { tag: "null"; value: null }
  | { tag: "bool"; value: boolean }
  | { tag: "int"; value: bigint; unsigned: boolean }
  | { tag: "float"; value: number }
  | { tag: "timestamp"; value: string }
  | { tag: "str"; value: string; binary?: true }
  | { tag: "other"; value: string; name: string };

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_UINT64 = (1n << 64n) - 1n;

const RESOLVE_MAP: Record<string, Resolved> = {};
for (const s of ["true", "True", "TRUE"]) RESOLVE_MAP[s] = { tag: "bool", value: true };
for (const s of ["false", "False", "FALSE"]) RESOLVE_MAP[s] = { tag: "bool", value: false };
for (const s of ["", "~", "null", "Null", "NULL"]) RESOLVE_MAP[s] = { tag: "null", value: null };
for (const s of [".nan", ".NaN", ".NAN"]) RESOLVE_MAP[s] = { tag: "float", value: NaN };
for (const s of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]) RESOLVE_MAP[s] = { tag: "float", value: Infinity };
for (const s of ["-.inf", "-.Inf", "-.INF"]) RESOLVE_MAP[s] = { tag: "float", value: -Infinity };

/** yaml.v3 resolveTable: the first character's hint. */
function hint(c: string): "M" | "." | "D" | "S" | undefined {
  if (c === "+" || c === "-") return "S";
  if (c >= "0" && c <= "9") return "D";
  if ("yYnNtTfFoO~".includes(c)) return "M";
  if (c === ".") return ".";
  return undefined;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64) after yaml.v3 removed underscores. */
function parseGoInt(s: string): { value: bigint; unsigned: boolean } | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  let base = 10;
  let digits = s.slice(i);
  if (/^0[xX]/.test(digits)) [base, digits] = [16, digits.slice(2)];
  else if (/^0[bB]/.test(digits)) [base, digits] = [2, digits.slice(2)];
  else if (/^0[oO]/.test(digits)) [base, digits] = [8, digits.slice(2)];
  else if (/^0./.test(digits)) [base, digits] = [8, digits.slice(1)];
  if (digits === "") return undefined;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base]!;
  if (!valid.test(digits)) return undefined;
  const prefix = { 2: "0b", 8: "0o", 10: "", 16: "0x" }[base]!;
  const mag = BigInt(prefix + digits);
  const v = neg ? -mag : mag;
  if (v >= MIN_INT64 && v <= MAX_INT64) return { value: v, unsigned: false };
  // ParseUint accepts no sign at all.
  if (i === 0 && v <= MAX_UINT64) return { value: v, unsigned: true };
  return undefined;
}

/** yaml.v3 parseTimestamp: only tried when the text starts with four digits and a '-'. */
function isTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  // The formats yaml.v3 tries with time.Parse (allowedTimestampFormats).
  return (
    /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$/.test(s) ||
    /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/.test(s)
  );
}

const SHORT_TAGS: Record<string, string> = {
  "tag:yaml.org,2002:str": "str",
  "tag:yaml.org,2002:int": "int",
  "tag:yaml.org,2002:float": "float",
  "tag:yaml.org,2002:bool": "bool",
  "tag:yaml.org,2002:null": "null",
  "tag:yaml.org,2002:timestamp": "timestamp",
  "tag:yaml.org,2002:binary": "binary",
  "tag:yaml.org,2002:merge": "merge",
  "tag:yaml.org,2002:map": "map",
  "tag:yaml.org,2002:seq": "seq",
};

/** yaml.v3 resolve(tag, in) for one scalar; throws GoYamlError where yaml.v3 calls failf. */
function resolve(tag: string | undefined, text: string): Resolved {
  const short = tag === undefined ? "" : (SHORT_TAGS[tag] ?? tag);
  const resolvable = short === "" || ["str", "int", "float", "bool", "null", "timestamp", "binary"].includes(short);
  if (!resolvable) return { tag: "other", value: text, name: short };
  if (short === "str") return { tag: "str", value: text };
  // decoder.scalar: a !!binary scalar is base64.StdEncoding-decoded before any field gets it,
  // and invalid base64 stops the whole document.
  if (short === "binary") {
    const d = goStdBase64Decode(text);
    if ("error" in d) throw new GoYamlError("!!binary value contains invalid base64 data");
    return { tag: "str", value: goString(d.bytes), binary: true };
  }
  const r = resolvePlain(text, short);
  if (short === "" || short === r.tag) return r;
  if (short === "float" && r.tag === "int") return { tag: "float", value: Number(r.value) };
  throw new GoYamlError(`cannot decode !!${r.tag} \`${shortText(text)}\` as a !!${short}`);
}

function resolvePlain(text: string, short: string): Resolved {
  const h = text === "" ? "M" : hint(text[0]);
  if (h === undefined) return { tag: "str", value: text };
  const hit = RESOLVE_MAP[text];
  if (hit) return hit;
  if (h === ".") {
    const f = goParseFloat(text);
    if (f !== undefined) return { tag: "float", value: f };
  } else if (h === "D" || h === "S") {
    if ((short === "" || short === "timestamp") && isTimestamp(text)) return { tag: "timestamp", value: text };
    const plain = text.replace(/_/g, "");
    const i = parseGoInt(plain);
    if (i) return { tag: "int", ...i };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = Number(plain);
      if (!Number.isNaN(f)) return { tag: "float", value: f };
    }
    // 0b/0o prefixes after a sign: ParseInt(s, 0) already read the unsigned ones.
    const m = /^-0([bo])(.*)$/.exec(plain);
    if (m) {
      const v = parseGoInt(`-0${m[1]}${m[2]}`);
      if (v) return { tag: "int", ...v };
    }
  }
  return { tag: "str", value: text };
}

/** strconv.ParseFloat for the texts yaml.v3 gives it ('.'-led: `.5`, `.5e3`); undefined where Go refuses. */
function goParseFloat(s: string): number | undefined {
  if (!/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)) return undefined;
  return Number(s);
}

/** A Go string of these bytes, as text: UTF-8 where it is valid, else one character per byte. */
function goString(b: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    return b.toString("latin1");
  }
}

/** yaml.v3's failf: a decode error that stops the whole document. */
class GoYamlError extends Error {}

function shortText(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Whether a value at this path may be a secret (a token, key, password, credential, or a DSN or
 * endpoint that can carry one): its messages then say what the value is, not what it holds. A
 * token has no pattern redaction could find (the new user's `kusciaAPI.token: "sk-..."`).
 */
function secretPath(path: Segment[]): boolean {
  return path.some((s) => typeof s === "string" && /token|key|secret|passw|pwd|credential|cert|dsn|datastore|endpoint|auth/i.test(s));
}

/** What a node is, in yaml.v3's words (`!!seq`, `!!str "x"`), for messages; without `r`, what kind of value only. */
function describeNode(n: Node, r?: Resolved): string {
  if (Y().isSeq(n)) return "a list (!!seq)";
  if (Y().isMap(n)) return "a mapping (!!map)";
  if (!r && Y().isScalar(n)) return "a scalar (not shown: the key may hold a secret)";
  if (!r) return "a value";
  const what = { null: "null", bool: "a boolean", int: "an integer", float: "a number", timestamp: "a timestamp", str: "a string", other: "a tagged value" }[r.tag];
  return `${what} (!!${r.tag === "other" ? r.name : r.tag} ${JSON.stringify(shortText(typeof r.value === "bigint" ? String(r.value) : String(r.value)))})`;
}

function plural(s: GoShape): string {
  const p: Partial<Record<GoShape["kind"], string>> = { string: "strings", bool: "booleans", int: "integers", uint: "non-negative integers", float: "numbers", struct: "mappings", ref: "mappings", map: "mappings", slice: "lists", duration: "durations" };
  return s.kind === "ptr" ? plural(s.elem ?? { kind: "any" }) : (p[s.kind] ?? "values");
}

function expected(s: GoShape): string {
  switch (s.kind) {
    case "string":
      return "a string";
    case "bool":
      return "a boolean (true or false, unquoted)";
    case "int":
      return `an integer (Go int${s.bits ?? 64})`;
    case "uint":
      return `a non-negative integer (Go uint${s.bits ?? 64})`;
    case "float":
      return "a number";
    case "duration":
      return 'a duration such as "30s" (Go time.Duration)';
    case "time":
      return "a timestamp";
    case "slice":
    case "array":
      return `a list (of ${plural(s.elem ?? { kind: "any" })})`;
    case "map":
    case "struct":
    case "ref":
      return "a mapping";
    case "ptr":
      return expected(s.elem ?? { kind: "any" });
    default:
      return "another value";
  }
}

export interface DecodeOptions {
  /** Named struct shapes for `ref` (recursive types). */
  refs?: Record<string, GoShape>;
  /** Decoders of custom types by Go type name; a custom type without one is decoded as any. */
  customs?: Record<string, CustomDecoder>;
  /** The document, to resolve aliases. */
  doc?: Document.Parsed;
}

/**
 * Decodes `n` into `shape` as yaml.v3 would. Returns the Go value (JSON-like: structs and
 * maps as objects, ints as numbers, absent struct fields left out) and every problem
 * yaml.v3 reports (it goes on after a type error, as yaml.v3 does, and stops at the first
 * error that aborts its decoding).
 */
export function goDecode(n: Node | null | undefined, shape: GoShape, path: Segment[], opts: DecodeOptions = {}): { value: unknown; problems: GoYamlProblem[] } {
  const problems: GoYamlProblem[] = [];
  let value: unknown;
  try {
    value = decode(n ?? null, shape, path, problems, opts, 0);
  } catch (e) {
    if (!(e instanceof GoYamlError)) throw e;
    problems.push({ path, message: e.message });
  }
  return { value, problems };
}

function decode(n: Node | null, shape: GoShape, path: Segment[], problems: GoYamlProblem[], opts: DecodeOptions, depth: number): unknown {
  if (depth > 200) throw new GoYamlError("nesting too deep");
  if (n !== null && Y().isAlias(n)) {
    const target = opts.doc ? n.resolve(opts.doc) : undefined;
    return decode((target as Node | undefined) ?? null, shape, path, problems, opts, depth + 1);
  }
  if (shape.kind === "ref") {
    const target = shape.type ? opts.refs?.[shape.type] : undefined;
    return decode(n, target ?? { kind: "any" }, path, problems, opts, depth + 1);
  }
  // yaml.v3 decoder.prepare: null leaves the zero value, and unmarshalers are not called.
  if (n === null || isNullNode(n)) return undefined;
  if (shape.kind === "ptr") return decode(n, shape.elem ?? { kind: "any" }, path, problems, opts, depth + 1);
  if (shape.kind === "custom") {
    const dec = shape.type ? opts.customs?.[shape.type] : undefined;
    return dec ? dec(n, path, problems) : plainValue(n);
  }
  if (shape.kind === "any" || shape.kind === "node") return plainValue(n);
  if (shape.kind === "iface" || shape.kind === "unsupported") {
    // A Go interface with methods (kubernetes.Interface, ...), a func: yaml.v3 sets a value
    // of its own type there and reflect panics, which takes Kuscia down.
    problems.push({ path, message: `is set, but Kuscia's field here is ${shape.type ?? "a Go interface"}, which no YAML value fits (yaml.v3 fails or panics on it); remove the key` });
    return undefined;
  }
  const bad = (r?: Resolved) => {
    problems.push({ path, message: `found ${describeNode(n, secretPath(path) ? undefined : r)}, expected ${expected(shape)}: yaml.v3 cannot decode it into Kuscia's ${goTypeName(shape)} field` });
    return undefined;
  };
  if (Y().isScalar(n)) {
    // encoding.TextUnmarshaler (yaml.v3 decoder.scalar hands it the text): math/big.Int,
    // net.IP, x509.OID, deep inside agent fields nobody sets in kuscia.yaml. Their own
    // parsers are not followed: any scalar is taken.
    if (shape.via === "encoding.TextUnmarshaler") return textOf(n);
    return scalar(n, shape, path, problems, bad);
  }
  if (Y().isSeq(n)) {
    if (shape.kind === "slice" || shape.kind === "array") {
      if (shape.kind === "array" && n.items.length !== shape.bits) throw new GoYamlError(`invalid array: want ${shape.bits} elements but got ${n.items.length}`);
      return n.items.map((item, i) => decode(item as Node | null, shape.elem ?? { kind: "any" }, [...path, i], problems, opts, depth + 1));
    }
    return bad();
  }
  if (Y().isMap(n)) {
    if (shape.kind === "struct" || shape.kind === "map") {
      const out: Record<string, unknown> = {};
      mappingInto(n, shape, out, undefined, path, problems, opts, depth);
      return out;
    }
    return bad();
  }
  return bad();
}

/**
 * yaml.v3 mappingStruct and mapping, with merge: the mapping's own keys first, then the value
 * of its last `<<` key (a mapping, or a list of mappings, aliases included), whose keys only
 * fill what is not set yet: the mapping's own keys win, then the first merged mapping, and
 * merges inside merged mappings come last. `merged` holds the keys set so far while merging.
 */
function mappingInto(n: YAMLMap, shape: GoShape, out: Record<string, unknown>, merged: Set<string> | undefined, path: Segment[], problems: GoYamlProblem[], opts: DecodeOptions, depth: number): void {
  if (depth > 200) throw new GoYamlError("nesting too deep");
  const fields = shape.fields ?? {};
  const seen = new Set<string>();
  let mergeNode: Node | null | undefined;
  for (const pair of n.items) {
    if (!Y().isPair(pair)) continue;
    if (isMergeKey(pair.key as Node | null)) {
      mergeNode = pair.value as Node | null;
      continue;
    }
    let key: string;
    if (shape.kind === "struct") {
      const k = keyText(pair.key as Node | null, [...path], problems, opts);
      if (k === undefined) continue;
      if (seen.has(k)) throw new GoYamlError(`mapping key ${JSON.stringify(k)} already defined`);
      seen.add(k);
      key = k;
    } else {
      const k = decode(pair.key as Node | null, shape.key ?? { kind: "string" }, path, problems, opts, depth + 1);
      key = k === undefined ? "" : String(k);
    }
    if (merged) {
      if (merged.has(key)) continue;
      merged.add(key);
    }
    if (shape.kind === "map") {
      out[key] = decode(pair.value as Node | null, shape.elem ?? { kind: "any" }, [...path, key], problems, opts, depth + 1);
      continue;
    }
    const f = fields[key] ?? fields["*"];
    if (!f) continue; // yaml.v3 ignores keys the struct does not have
    const v = decode(pair.value as Node | null, fields[key] ? f : (f.elem ?? { kind: "any" }), [...path, key], problems, opts, depth + 1);
    if (v !== undefined) out[key] = v;
  }
  if (mergeNode === undefined) return;
  // decoder.merge: the keys already set are the parent mapping's own (every one, as text).
  const set = merged ?? new Set(n.items.flatMap((p) => (Y().isPair(p) && !isMergeKey(p.key as Node | null) ? [mergeKeyText(p.key as Node | null, opts)] : [])));
  for (const m of mergeSources(mergeNode, opts)) mappingInto(m, shape, out, set, path, problems, opts, depth + 1);
}

/** yaml.v3 isMerge: a plain `<<` without a tag, or one tagged !!merge. */
function isMergeKey(k: Node | null): boolean {
  if (k === null || !Y().isScalar(k) || textOf(k) !== "<<") return false;
  if (k.tag !== undefined && k.tag !== "!") return SHORT_TAGS[k.tag] === "merge";
  return isPlainStyle(k);
}

function mergeKeyText(k: Node | null, opts: DecodeOptions): string {
  const t = k !== null && Y().isAlias(k) ? ((opts.doc ? k.resolve(opts.doc) : undefined) as Node | undefined) : k;
  return t && Y().isScalar(t) && !isNullNode(t) ? textOf(t) : "";
}

/** The mappings a `<<` value merges, in order; yaml.v3 failWantMap for anything else. */
function mergeSources(v: Node | null, opts: DecodeOptions): YAMLMap[] {
  const deref = (x: Node | null): Node | null => (x !== null && Y().isAlias(x) ? (((opts.doc ? x.resolve(opts.doc) : undefined) as Node | undefined) ?? null) : x);
  const want = "map merge requires map or sequence of maps as the value";
  const m = deref(v);
  if (m !== null && Y().isMap(m)) return [m];
  if (m === null || !Y().isSeq(m) || (v !== null && Y().isAlias(v))) throw new GoYamlError(want);
  return m.items.map((item) => {
    const x = deref(item as Node | null);
    if (x === null || !Y().isMap(x)) throw new GoYamlError(want);
    return x;
  });
}

/** A mapping key as yaml.v3 reads it for a struct: decoded into a string (a scalar's text). */
function keyText(k: Node | null, path: Segment[], problems: GoYamlProblem[], opts: DecodeOptions): string | undefined {
  if (k === null) return "";
  if (Y().isAlias(k)) return keyText((opts.doc ? (k.resolve(opts.doc) as Node | undefined) : undefined) ?? null, path, problems, opts);
  if (Y().isScalar(k)) return isNullNode(k) ? "" : textOf(k);
  problems.push({ path, message: "a key is a list or mapping: yaml.v3 cannot decode it into a field name" });
  return undefined;
}

function goTypeName(s: GoShape): string {
  switch (s.kind) {
    case "int":
      return `int${s.bits === 64 ? "" : (s.bits ?? "")}`;
    case "uint":
      return `uint${s.bits === 64 ? "" : (s.bits ?? "")}`;
    case "float":
      return `float${s.bits ?? 64}`;
    case "slice":
      return `[]${goTypeName(s.elem ?? { kind: "any" })}`;
    case "map":
      return `map[${goTypeName(s.key ?? { kind: "string" })}]${goTypeName(s.elem ?? { kind: "any" })}`;
    case "struct":
    case "ref":
      return s.type ? s.type.replace(/^.*\//, "") : "struct";
    case "duration":
      return "time.Duration";
    case "ptr":
      return `*${goTypeName(s.elem ?? { kind: "any" })}`;
    default:
      return s.kind;
  }
}

function isNullNode(n: Node): boolean {
  if (!Y().isScalar(n)) return false;
  if (!isPlainStyle(n)) return n.tag !== undefined && SHORT_TAGS[n.tag] === "null";
  if (n.tag !== undefined && SHORT_TAGS[n.tag] !== "null") return false;
  return RESOLVE_MAP[textOf(n)]?.tag === "null";
}

/** A scalar's text as yaml.v3's Node.Value holds it (before resolution). */
function textOf(n: Scalar): string {
  if (typeof n.source === "string") return n.source;
  return n.value === null || n.value === undefined ? "" : String(n.value);
}

function isPlainStyle(n: Scalar): boolean {
  return n.type === undefined || n.type === "PLAIN";
}

/** yaml.v3 Node.indicatedString: quoted or block style without a tag, or tagged !!str. */
function resolvedOf(n: Scalar): Resolved {
  const text = textOf(n);
  const tagged = n.tag !== undefined && n.tag !== "!";
  if (!tagged && !isPlainStyle(n)) return { tag: "str", value: text };
  return resolve(tagged ? n.tag : undefined, text);
}

const YES = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]);
const NO = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF"]);

/** Go's int64(f) on amd64 (CVTTSD2SI): truncation, and 0x8000000000000000 when out of range or NaN. */
function goFloatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/** Go's uint64(f) on amd64: below 2^63 through int64, above it by subtracting 2^63 first. */
function goFloatToUint64(f: number): bigint {
  if (Number.isNaN(f)) return 1n << 63n;
  if (f < 2 ** 63) return BigInt.asUintN(64, goFloatToInt64(f));
  if (f >= 2 ** 64 || !Number.isFinite(f)) return 1n << 63n;
  return BigInt(Math.trunc(f - 2 ** 63)) + (1n << 63n);
}

function fitsInt(v: bigint, bits: number): boolean {
  const b = BigInt(bits);
  return v >= -(1n << (b - 1n)) && v <= (1n << (b - 1n)) - 1n;
}

function fitsUint(v: bigint, bits: number): boolean {
  return v >= 0n && v <= (1n << BigInt(bits)) - 1n;
}

function scalar(n: Scalar, shape: GoShape, path: Segment[], problems: GoYamlProblem[], bad: (r?: Resolved) => undefined): unknown {
  const r = resolvedOf(n);
  if (r.tag === "null") return undefined;
  switch (shape.kind) {
    case "string":
      return r.tag === "str" && r.binary ? r.value : textOf(n);
    case "bool":
      if (r.tag === "bool") return r.value;
      if (r.tag === "str" && YES.has(r.value)) return true;
      if (r.tag === "str" && NO.has(r.value)) return false;
      return bad(r);
    case "int": {
      const bits = shape.bits ?? 64;
      let v: bigint | undefined;
      if (r.tag === "int") v = !r.unsigned || r.value <= MAX_INT64 ? r.value : undefined;
      else if (r.tag === "float" && r.value <= 2 ** 63) v = goFloatToInt64(r.value);
      if (v === undefined || !fitsInt(v, bits)) return bad(r);
      return Number(v);
    }
    case "uint": {
      const bits = shape.bits ?? 64;
      let v: bigint | undefined;
      if (r.tag === "int") v = r.value >= 0n ? r.value : undefined;
      else if (r.tag === "float" && r.value <= 2 ** 64) v = goFloatToUint64(r.value);
      if (v === undefined || !fitsUint(v, bits)) return bad(r);
      return Number(v);
    }
    case "float":
      if (r.tag === "int") return Number(r.value);
      if (r.tag === "float") return r.value;
      return bad(r);
    case "duration":
      if (r.tag === "str" && parseGoDuration(r.value) !== undefined) return r.value;
      return bad(r);
    case "time":
      if (r.tag === "timestamp") return r.value;
      return bad(r);
    default:
      void problems;
      void path;
      return bad(r);
  }
}

/** Go's time.ParseDuration: [-+]?(\d*(\.\d*)?(ns|us|µs|μs|ms|s|m|h))+ or "0"; nanoseconds, undefined when refused. */
export function parseGoDuration(s: string): number | undefined {
  let t = s;
  let neg = false;
  if (t[0] === "-" || t[0] === "+") {
    neg = t[0] === "-";
    t = t.slice(1);
  }
  if (t === "0") return 0;
  if (t === "") return undefined;
  const unit: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
  const re = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  while (t !== "") {
    const m = re.exec(t);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) return undefined;
    total += Number(`${m[1] || "0"}.${m[2] ?? "0"}`) * unit[m[3]];
    t = t.slice(m[0].length);
  }
  if (total > 2 ** 63) return undefined;
  return neg ? -total : total;
}

/** The plain JS value of a node (for `any` fields and unknown custom types). */
function plainValue(n: Node): unknown {
  return (n as { toJSON?: () => unknown }).toJSON?.() ?? null;
}

/**
 * YAML that the `yaml` package reads but libyaml (which yaml.v3 ports) refuses. Returns the
 * problem, or undefined:
 * - a mapping entry with no key in block style (`: value` on a line of its own; yaml.v3: "did
 *   not find expected key");
 * - a plain scalar holding `?` inside a flow collection (`{endpoint: https://h:1080?x=1}`):
 *   yaml.v3's scanner (scannerc.go, yaml_parser_scan_plain_scalar) ends a plain scalar at any
 *   of `,?[]{}` in flow context, YAML 1.1's indicators, where YAML 1.2 ends it at `,[]{}` only;
 *   the rest of the text then fails to parse ("did not find expected ',' or '}'"). Found by
 *   the differential test against Kuscia's loader (seed 1084571029). The other four end a
 *   plain scalar in both, so `?` is the whole difference.
 */
export function libyamlRefuses(doc: Document.Parsed): string | undefined {
  let found: string | undefined;
  const walk = (n: unknown, depth: number, inFlow: boolean): void => {
    if (found || depth > 200 || n === null || typeof n !== "object") return;
    if (Y().isMap(n)) {
      const flow = inFlow || n.flow === true;
      for (const pair of n.items) {
        const k = pair.key as Node | null;
        if (!n.flow && (k === null || (Y().isScalar(k) && k.value === null && textOf(k) === "" && k.range?.[0] === k.range?.[1]))) {
          found = "a mapping entry has no key (`: value`), which yaml.v3 refuses (did not find expected key)";
          return;
        }
        walk(pair.key, depth + 1, flow);
        walk(pair.value, depth + 1, flow);
      }
    } else if (Y().isSeq(n)) {
      const flow = inFlow || n.flow === true;
      for (const item of n.items) walk(item, depth + 1, flow);
    } else if (inFlow && Y().isScalar(n) && isPlainStyle(n) && textOf(n).includes("?")) {
      found = "a plain (unquoted) value inside `{}` or `[]` holds `?`, where yaml.v3 ends it (did not find expected ',' or '}'): quote the value, or write the mapping in block style";
    }
  };
  walk(doc.contents, 0, false);
  return found;
}

/** Scalar text of a node for custom decoders that unmarshal into a string; undefined when it is a list or mapping. */
export function scalarText(n: Node): string | undefined {
  if (!Y().isScalar(n)) return undefined;
  // Unmarshalled into a Go string: a !!binary scalar is decoded first (and may stop the document).
  const r = resolvedOf(n);
  return r.tag === "str" && r.binary ? r.value : textOf(n);
}
