/**
 * The rule pages (docs/rules/<id>.md, tools/gen-rule-docs.ts) are current, one per rule; and
 * what they say about parameters and Kuscia releases is true on the examples: a rule that
 * declares no parameter (no release dependence) gives the same findings under other
 * parameters (every release), and one that declares them gives different findings somewhere.
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { KUSCIA_RELEASES, parseKusciaVersion, review, ruleDefinitions, type PolicyParameters, type ReviewOptions } from "../../../policy";
import { ruleDocPath } from "../../../policy/ruledocs";
import { generateRulePages, REGENERATE, RULE_DOCS_DIR } from "../../../tools/gen-rule-docs";
import { loadExamples } from "../../helpers/examples";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const NOW = new Date("2027-01-01T00:00:00Z");

describe("rule pages (docs/rules)", function () {

  it(`are current: each page is what \`${REGENERATE}\` writes, and there is no other`, () => {
    const pages = generateRulePages();
    const stale = pages.filter((p) => {
      try {
        return readFileSync(path.join(ROOT, p.file), "utf8") !== p.text;
      } catch {
        return true;
      }
    });
    const expected = new Set(pages.map((p) => path.basename(p.file)));
    const extra = readdirSync(path.join(ROOT, RULE_DOCS_DIR)).filter((f) => f.endsWith(".md") && !expected.has(f));
    assert.deepEqual(
      { stale: stale.map((p) => p.file), extra },
      { stale: [], extra: [] },
      `the rule pages are stale: run \`${REGENERATE}\` and commit docs/rules/`,
    );
  });

  it("has a page for every rule, and an index linking each", () => {
    const defs = ruleDefinitions();
    const index = readFileSync(path.join(ROOT, RULE_DOCS_DIR, "README.md"), "utf8");
    for (const d of defs) {
      assert.match(readFileSync(path.join(ROOT, ruleDocPath(d.id)), "utf8"), new RegExp(`^# \`${d.id.replace(/\./g, "\\.")}\``), d.id);
      assert.ok(index.includes(`](${path.posix.basename(ruleDocPath(d.id))})`), `index links ${d.id}`);
    }
  });

  describe("parameters and releases, as the rules declare them", () => {
    const docs = [...loadExamples("accepted"), ...loadExamples("refused")];
    /** Per rule, the findings (path and message) on every example under `opts`. */
    const findings = (opts: ReviewOptions): Map<string, string[]> => {
      const out = new Map<string, string[]>();
      docs.forEach((d, i) => {
        const r = review(d.object, { now: NOW, ...opts });
        for (const f of [...r.violations, ...r.warnings]) out.set(f.rule, [...(out.get(f.rule) ?? []), `${i} ${f.path} ${f.message}`]);
      });
      return out;
    };
    const same = (a: Map<string, string[]>, b: Map<string, string[]>, rule: string) => JSON.stringify(a.get(rule) ?? []) === JSON.stringify(b.get(rule) ?? []);

    it("declares every parameter a rule's verdict depends on, and none it does not", () => {
      const base = findings({});
      const other = findings({ params: { certificateExpiryWarningDays: 50_000, minRsaKeyBits: 8192 } satisfies PolicyParameters });
      const undeclared = ruleDefinitions().filter((d) => !d.params && !same(base, other, d.id)).map((d) => d.id);
      const unshown = ruleDefinitions().filter((d) => d.params && same(base, other, d.id)).map((d) => d.id);
      assert.deepEqual({ undeclared, unshown }, { undeclared: [], unshown: [] });
    });

    it("declares every rule whose verdict depends on the Kuscia release, and none that does not", () => {
      const byRelease = KUSCIA_RELEASES.map((r) => findings({ kusciaVersion: parseKusciaVersion(r)! }));
      const varies = (id: string) => byRelease.some((f) => !same(f, byRelease[byRelease.length - 1], id));
      const undeclared = ruleDefinitions().filter((d) => !d.releases && varies(d.id)).map((d) => d.id);
      const unshown = ruleDefinitions().filter((d) => d.releases && !varies(d.id)).map((d) => d.id);
      assert.deepEqual({ undeclared, unshown }, { undeclared: [], unshown: [] });
    });
  });
});
