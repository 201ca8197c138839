import { strict as assert } from "node:assert";
import { closest, editDistance, Suggestions } from "../../../policy/suggest";

describe("did you mean (policy/suggest.ts)", () => {
  it("measures edit distance: insertions, deletions, substitutions", () => {
    assert.equal(editDistance("", ""), 0);
    assert.equal(editDistance("kd.tempate", "kd.template"), 1);
    assert.equal(editDistance("domain.nme", "domain.name"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("abc", ""), 3);
  });

  it("lists the closest names, nearest first, ties in the given order", () => {
    const known = ["domain.name", "domain.cert", "kd.template", "kd.template.working-dir", "kd.initiator"];
    assert.deepEqual(closest("kd.tempalte", known, 2), ['"kd.template"', '"kd.initiator"']);
    assert.deepEqual(closest("domain.nam", known, 1), ['"domain.name"']);
  });

  it("suggests for the first few unknown names of an input only", () => {
    const s = new Suggestions(["a.b", "c.d"], 2);
    assert.equal(s.hint("a.c"), '; closest: "a.b", "c.d"');
    assert.equal(s.hint("c.c"), '; closest: "c.d", "a.b"');
    assert.equal(s.hint("a.b.c"), "");
  });
});
