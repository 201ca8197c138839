import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_YAML_LIMITS, parseYamlDocuments, splitYamlStream, canSplitYamlStream } from "../../../policy/yaml";
import { fastYamlValue } from "../../../policy/yaml-fast";
import { rng } from "../../helpers/rng";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const corpus = ["accepted", "refused"].flatMap((d) => {
  const dir = path.join(ROOT, "examples", "manifests", d);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => readFileSync(path.join(dir, f), "utf8"));
});

/** What the exact path reads: values of non-empty documents, or the first problem's message. */
function exact(text: string): unknown[] | string {
  const out: unknown[] = [];
  for (const d of parseYamlDocuments(text)) {
    if (d.problem) return "problem";
    if (!d.empty) out.push(d.value);
  }
  return out;
}

function split(text: string): unknown[] | string {
  const out: unknown[] = [];
  for (const d of splitYamlStream(text)) {
    if (d.problem) return "problem";
    if (!d.empty) out.push(d.value);
  }
  return out;
}

const PIECES = [" ", "\n", "- ", ": ", "#", "'", '"', "\\", "|", ">", "|-", "[", "]", "{", "}", ",", "?", "&a ", "*a", "!!str ", "~", "null", "0o17", "0x1F", "1e3", ".5", "+1", "-0", ".inf", ".NaN", "True", "yes", "1_000", "0b11", "2024-01-01", "---", "...", "\t", "\r\n", "  ", "<<: ", "%YAML 1.1\n", "\uFEFF", "a:b", "key: ", "k: v\n", "__proto__: 1\n", ": x", "- - x"];

describe("YAML fast path: never a different answer from the exact path", function () {

  it("reads every example document exactly as the exact path does", () => {
    for (const text of corpus) {
      assert.ok(canSplitYamlStream(text));
      assert.deepEqual(split(text), exact(text));
    }
  });

  it("takes the fast path for ordinary manifests (it is not always declining)", () => {
    const text = corpus.join("\n---\n");
    let fast = 0;
    let all = 0;
    for (const d of splitYamlStream(text)) {
      if (d.empty) continue;
      all++;
      if (fastYamlValue(text.slice(d.start, d.end), { ...DEFAULT_YAML_LIMITS })) fast++;
    }
    assert.ok(fast > all * 0.8, `${fast} of ${all}`);
  });

  it("agrees with the exact path on core-schema scalars, keys and nulls", () => {
    const cases = ["a: ~\nb: null\nc: Null\nd:\ne: NULL\n", "a: [1, +2, -0, 0o17, 0x1F, 1e3, .5, 1., .inf, -.Inf, .NaN, 1_000, 0b11, 017, 2024-01-01]\n", "a: [true, True, TRUE, false, yes, no, on, off, y, n]\n", "1: a\n2.0: b\ntrue: c\n", "~: a\n", "null: a\n", "? a\n: b\n", "[a, b]: c\n", "{a: 1}: b\n", "'': a\n", "a: 'it''s'\nb: \"\\u00e9\\t\\x41\"\n", "a: |\n  x\n  y\n\nb: >\n  folded\n  text\n\n  para\n", "a: |-\n  x\nb: |+\n  y\n\n", "a: |2\n   x\n", "a:\n- 1\n- - 2\n  - 3\n", "a: b\n  c\n", "a: \"b\n  c\"\n", "__proto__: 1\n", "a: 1\na: 2\n", "a: 1 # c\n#d\n", "a: b: c\n", "- a\nb: c\n", "a:\tb\n", "%YAML 1.1\n---\na: yes\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", `k: ${"x".repeat(1100)}\n`, `${"k".repeat(1100)}: v\n`];
    for (const c of cases) {
      const f = fastYamlValue(c, { ...DEFAULT_YAML_LIMITS });
      if (!f) continue; // declined: the exact path answers
      const e = exact(c);
      assert.ok(Array.isArray(e) && e.length <= 1, `fast path read ${JSON.stringify(c)}, the exact path refuses it`);
      assert.deepEqual(f.value, e[0], JSON.stringify(c));
    }
  });

  it("agrees on 20,000 random mutations of the examples", () => {
    const r = rng(20240601);
    const docs = corpus.flatMap((t) => t.split(/^---$/m)).filter((d) => d.trim());
    for (let i = 0; i < 20_000; i++) {
      let t = docs[Math.floor(r() * docs.length)];
      const edits = 1 + Math.floor(r() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(r() * t.length);
        const piece = PIECES[Math.floor(r() * PIECES.length)];
        const drop = r() < 0.5 ? Math.floor(r() * 4) : 0;
        t = t.slice(0, at) + piece + t.slice(at + drop);
      }
      const f = fastYamlValue(t, { ...DEFAULT_YAML_LIMITS });
      if (!f) continue;
      const e = exact(t);
      assert.ok(Array.isArray(e) && e.length <= 1, `fast path read what the exact path refuses: ${JSON.stringify(t)}`);
      assert.deepEqual(f.value, e[0], JSON.stringify(t));
    }
  });
});
