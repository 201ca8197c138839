/** docs/vap.md's list of the rules a ValidatingAdmissionPolicy enforces is the table of policy/vap, not a copy that drifts. */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { vapCoverage } from "../../../policy/vap";

const PAGE = path.resolve(__dirname, "..", "..", "..", "..", "docs", "vap.md");

/** The table as docs/vap.md shows it: one row per kind, the rules in the rule book's order. */
export function vapRulesTable(): string {
  const byKind = new Map<string, string[]>();
  for (const c of vapCoverage()) {
    if (!c.cel) continue;
    const kind = c.kind.split("/").pop()!;
    byKind.set(kind, [...(byKind.get(kind) ?? []), `\`${c.rule}\``]);
  }
  return ["| kind | rules a policy enforces |", "|---|---|", ...[...byKind].map(([k, v]) => `| ${k} | ${v.join(", ")} |`)].join("\n");
}

describe("docs/vap.md: rules inside the API server", () => {
  it("lists exactly the rules with a CEL form", () => {
    const text = readFileSync(PAGE, "utf8");
    const m = /<!-- vap-rules:[^>]*-->\n([\s\S]*?)\n<!-- \/vap-rules -->/.exec(text);
    assert.ok(m, "docs/vap.md has the vap-rules block");
    assert.equal(m[1], vapRulesTable());
  });
});
