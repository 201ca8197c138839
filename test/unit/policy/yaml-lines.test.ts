/**
 * policy/yaml-lines.ts places paths of documents the fast path read without the `yaml`
 * package: every line a review reports must be the one the exact path reports (review/load.ts
 * lineIn over the document parsed by the `yaml` package). Differential, over every path
 * (every node, a missing key under every mapping, an index past every sequence, paths into
 * YAML held in literal block scalars) of every example document and of random mutations.
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { readDocs } from "../../../review/load";
import { DEFAULT_YAML_LIMITS, splitYamlStream } from "../../../policy/yaml";
import { fastYamlValue } from "../../../policy/yaml-fast";
import { lineOfPath, lineTree } from "../../../policy/yaml-lines";
import { dotted, type Segment } from "../../../policy/paths";
import { mutate, rng } from "../../helpers/rng";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const corpus = ["accepted", "refused"].flatMap((d) => {
  const dir = path.join(ROOT, "examples", "manifests", d);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => readFileSync(path.join(dir, f), "utf8"));
});

/** Every path of `v` and a few that do not exist, and paths into YAML held in multi-line strings. */
function pathsOf(v: unknown, prefix: Segment[] = [], out: Segment[][] = [], depth = 0): Segment[][] {
  out.push(prefix);
  if (depth > 40) return out;
  if (Array.isArray(v)) {
    v.forEach((x, i) => pathsOf(x, [...prefix, i], out, depth + 1));
    out.push([...prefix, v.length], [...prefix, "0"], [...prefix, "x"]);
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out, depth + 1);
    out.push([...prefix, "no-such-key"], [...prefix, 0]);
  } else if (typeof v === "string" && v.includes("\n")) {
    const inner = fastYamlValue(v, { ...DEFAULT_YAML_LIMITS });
    if (inner) for (const p of pathsOf(inner.value, [], [], depth + 1)) out.push([...prefix, ...p]);
    out.push([...prefix, "no-such-key"]);
  }
  return out;
}

/**
 * Compares review's lines (split, fast path, yaml-lines) with the exact path's for every path
 * of every document of `text`. Returns how many answers yaml-lines gave itself.
 */
function compare(text: string): { placed: number; asked: number } {
  let fast: ReturnType<typeof readDocs> extends Iterable<infer T> ? T[] : never;
  let exact: typeof fast;
  try {
    fast = [...readDocs("t.yaml", text)];
  } catch {
    fast = [];
  }
  try {
    exact = [...readDocs("t.yaml", text, { exact: true })];
  } catch {
    exact = [];
  }
  // Only where both read the same documents: the fast path's own equality is yaml-fast.test.ts's.
  if (fast.length !== exact.length || fast.length === 0) return { placed: 0, asked: 0 };
  let placed = 0;
  let asked = 0;
  const docs = [...splitYamlStream(text)].filter((d) => !d.empty);
  for (let i = 0; i < fast.length; i++) {
    // Lists yield several objects per document: count yaml-lines' own answers only without them.
    const sd = fast.length === docs.length ? docs[i] : undefined;
    const tree = sd?.fast ? lineTree(text.slice(sd.start, sd.end)) : undefined;
    for (const segs of pathsOf(exact[i].object)) {
      const p = dotted(segs);
      asked++;
      if (tree && sd && lineOfPath(tree, sd.value, segs, { ...DEFAULT_YAML_LIMITS }) !== undefined) placed++;
      assert.equal(fast[i].lineOf(p), exact[i].lineOf(p), `${JSON.stringify(p)} in ${JSON.stringify(text.length > 3000 ? text.slice(0, 3000) + "..." : text)}`);
    }
  }
  return { placed, asked };
}

const PIECES = ["\n", "  ", "- ", ": ", "#", "# c\n", "'", '"', "|", "|-\n", ">", "[", "]", "{a: 1}", "[1, 2]", ",", "~", "null", "1", "true", "---\n", "\r\n", "k: v\n", "  k: v\n", "- k: v\n", "-\n", "k:\n", "\n\n", "'q': 1\n", '"q\\"": 1\n', "0: x\n", "x: |\n  a: 1\n  b: [2]\n"];

describe("YAML lines without the yaml package: the lines of the exact path", function () {
  it("places every path of every example document as the exact path does, and places most of them itself", () => {
    let placed = 0;
    let asked = 0;
    for (const text of corpus) {
      const r = compare(text);
      placed += r.placed;
      asked += r.asked;
    }
    assert.ok(asked > 5000, `only ${asked} paths`);
    assert.ok(placed > asked * 0.9, `yaml-lines placed ${placed} of ${asked} paths`);
  });

  it("places paths in hand-written shapes: compact sequences, nested items, block scalars, comments, markers, CRLF", () => {
    // Kubernetes objects (review reads nothing else): a kind first, the shape under test after it.
    const K = "apiVersion: v1\nkind: T\n";
    const cases = [
      K + "a:\n- 1\n- b: 2\n  c:\n  - 3\n-\n  - 4\nd: 5\n",
      "---\n# head\n" + K + "a:\n  # inside\n  b: 1\n\n  c: |\n    x: 1\n    y:\n      z: 2\n  d: >\n    folded\ne: [1, {f: 2}]\n",
      "--- # c\n" + K + "a: 1\n",
      K + "a:\n  b:\nc: 1\n",
      K + "a:\n",
      K + "s:\n- - - x\n    - y\n  - z\n- w\n",
      K + "s:\n  - a: 1\n    b:\n      c: 2\n  - |\n    literal: yes\n",
      K + "'a': 1\n\"b\": 2\nc d: 3\n1: x\ntrue: y\n",
      "apiVersion: v1\r\nkind: T\r\na: 1\r\nb:\r\n  c: 2\r\n",
      K + "k: |\n  - 1\n  - a: [b]\n",
      K + "k: |-\n  a: 1\n\n\nj: 2\n",
      K + "k: |\n  # only a comment\nj: 1\n",
      K + "k: |\n  not: [valid\nj: 1\n",
      K + "metadata:\n  name: x\ndata:\n  kuscia.yaml: |\n    domainID: a\n    protocol: NOTLS\n    agent:\n      provider:\n        - k: 1\n",
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
    ];
    let placed = 0;
    for (const c of cases) placed += compare(c).placed;
    assert.ok(placed > 100, `placed ${placed}`);
  });

  it("agrees on 5,000 random mutations of the examples", () => {
    const r = rng(20260107);
    const docs = corpus.flatMap((t) => t.split(/^---$/m)).filter((d) => d.trim());
    let placed = 0;
    for (let i = 0; i < 5_000; i++) {
      const t = mutate(docs[Math.floor(r() * docs.length)], r, PIECES);
      placed += compare(t).placed;
    }
    assert.ok(placed > 10_000, `placed only ${placed}`);
  });
});
