import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");

// The e2e suites run in the order .mocharc.e2e.json lists them (grouped by the Go-built tools
// they need, so that on a cold machine each group runs while the next group's tools build; see
// .ci/run). A list, unlike a glob, can forget a suite: this test keeps it whole.
describe("layout: .mocharc.e2e.json lists every end-to-end suite once", () => {
  it("each test/e2e/*.test.ts, and nothing else, in the order's spec", () => {
    const spec = JSON.parse(readFileSync(path.join(REPO, ".mocharc.e2e.json"), "utf8")).spec as string[];
    const listed = spec.map((s) => path.basename(s, ".test.js"));
    const suites = readdirSync(path.join(REPO, "test", "e2e")).filter((f) => f.endsWith(".test.ts")).map((f) => path.basename(f, ".test.ts"));
    assert.deepEqual([...listed].sort(), [...new Set(listed)].sort(), "listed twice");
    assert.deepEqual([...listed].sort(), suites.sort(), "the list and test/e2e/*.test.ts differ");
    for (const s of spec) assert.match(s, /^dist\/test\/e2e\/[a-z0-9-]+\.test\.js$/, s);
  });
});
