/** provider/README.md names every component the provider hosts: the list is checked, not copied by hand. */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { COMPONENTS } from "../../../provider/components";

const README = path.resolve(__dirname, "..", "..", "..", "..", "provider", "README.md");

describe("provider/README.md", () => {
  it("lists exactly the components the provider hosts", () => {
    const text = readFileSync(README, "utf8");
    // The opening paragraph, up to the first heading after the title.
    const intro = text.split(/\n## /)[0];
    const listed = [...intro.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]);
    const hosted = COMPONENTS.map((c) => c.token.slice(c.token.lastIndexOf(":") + 1));
    assert.deepEqual([...new Set(listed)].sort(), [...hosted].sort());
    assert.equal(listed.length, new Set(listed).size, "each named once");
  });
});
