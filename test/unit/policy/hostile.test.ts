import { strict as assert } from "node:assert";
import { review } from "../../../policy";
import { parseYamlDocuments, parseYamlValue } from "../../../policy/yaml";
import { parseSource } from "../../../review/load";

const manyKeys = (n: number, flow: boolean) => (flow ? `{${Array.from({ length: n }, (_, i) => `k${i}: v${i}`).join(", ")}}` : Array.from({ length: n }, (_, i) => `k${i}: v${i}`).join("\n"));
const anchorBomb = (keys: number, refs: number) => `big: &a {${Array.from({ length: keys }, (_, i) => `k${i}: v`).join(", ")}}\n${Array.from({ length: refs }, (_, i) => `r${i}: *a`).join("\n")}\n`;
const laughs = () => ["a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");

/** Hostile kuscia.yaml texts and the limit each must trip (undefined: must parse or fail as plain YAML). */
const HOSTILE: [string, string, RegExp][] = [
  ["40,000 keys in a flow mapping", manyKeys(40_000, true), /maxKeys/],
  ["40,000 keys in a block mapping", manyKeys(40_000, false), /maxKeys/],
  ["5,000 levels of flow sequences", "[".repeat(5000) + "]".repeat(5000), /maxDepth/],
  ["5,000 levels of compact block sequences", "- ".repeat(5000) + "x", /maxDepth/],
  ["5,000 levels of flow mappings", "{a: ".repeat(5000) + "1" + "}".repeat(5000), /maxDepth/],
  ["aliases of a large anchor", anchorBomb(900, 500), /maxExpandedNodes|maxAliases/],
  ["a billion laughs", laughs(), /maxExpandedNodes|maxAliases/],
  ["an alias cycle", "a: &x [1, *x]", /cycle/],
  ["duplicate keys", "domainID: a\nmode: autonomy\ndomainID: b\n", /duplicate key "domainID"/],
  ["a 2 MB string", `domainID: "${"x".repeat(2_000_000)}"`, /maxDocumentBytes/],
  ["binary bytes", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)).toString("latin1"), /./],
];

describe("hostile YAML: bounded, never a crash", function () {

  for (const [what, text, expected] of HOSTILE) {
    it(`kuscia.yaml with ${what} is a nodeconfig.yaml finding naming the problem`, () => {
      const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "n", labels: { "kuscia.secretflow/config": "true" } }, data: { "kuscia.yaml": text } };
      const r = review(cm);
      assert.equal(r.allowed, false);
      const f = r.violations.find((v) => v.rule === "nodeconfig.yaml");
      assert.ok(f, JSON.stringify(r.violations).slice(0, 300));
      assert.match(f.message, expected);
      assert.ok(f.message.length < 500, "the message must not quote the input");
    });
  }

  it("finds duplicates with the linear check, in block and flow mappings", () => {
    assert.match(String((parseYamlValue("{a: 1, b: 2, a: 3}") as { error: string }).error), /duplicate key "a".*\(line 1\)/);
    assert.match(String((parseYamlValue("x:\n  a: 1\n  'a': 2\n") as { error: string }).error), /duplicate key "a".*\(line 3\)/);
    assert.deepEqual(parseYamlValue("a: 1\nb: {a: 2}\n"), { value: { a: 1, b: { a: 2 } } });
  });

  it("keeps aliases under the limits working", () => {
    assert.deepEqual(parseYamlValue("base: &b {x: 1}\nuse: *b\n"), { value: { base: { x: 1 }, use: { x: 1 } } });
  });

  it("reports a problem per document and goes on with the next", () => {
    const out = [...parseYamlDocuments(`a: 1\n---\n${"[".repeat(300)}${"]".repeat(300)}\n---\nb: 2\n`)];
    assert.deepEqual(out.map((d) => (d.problem ? d.problem.limit : d.value)), [{ a: 1 }, "maxDepth", { b: 2 }]);
  });

  it("review's loader refuses the same shapes as a manifest, with the limit and line", () => {
    for (const [what, text] of HOSTILE.slice(0, 7)) {
      const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: ${text.includes("\n") ? `|\n${text.split("\n").map((l) => "    " + l).join("\n")}` : "x"}\nspec: ${text.includes("\n") ? "{}" : text}\n`;
      assert.doesNotThrow(() => {
        try {
          parseSource("h.yaml", doc);
        } catch (e) {
          if (!/^h\.yaml:\d+: /.test((e as Error).message)) throw e;
        }
      }, what);
    }
  });
});
