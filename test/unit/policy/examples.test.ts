import { strict as assert } from "node:assert";
import { POLICIES, review, rules } from "../../../policy";
import { kindKey } from "../../../policy/engine";
import { STATUS_SUBRESOURCE } from "../../../policy/schemas/upstream/status-subresource";
import { describeDoc, loadExamples } from "../../helpers/examples";

const accepted = loadExamples("accepted");
const refused = loadExamples("refused");

describe("rule book on the example manifests", () => {
  it("has examples to check", () => {
    assert.ok(accepted.length >= 20, `only ${accepted.length} accepted examples`);
    assert.ok(refused.length >= 50, `only ${refused.length} refused examples`);
  });

  for (const d of accepted) {
    it(`accepts ${describeDoc(d)}`, () => {
      const r = review(d.object);
      assert.deepEqual(r.violations, [], r.violations.map((v) => v.message).join("\n"));
      assert.equal(r.allowed, true);
    });
  }

  for (const d of refused) {
    it(`refuses ${describeDoc(d)} for ${d.expectRule}`, () => {
      assert.ok(d.expectRule, "every refused example names its rule in a `# rule:` comment");
      const r = review(d.object);
      assert.equal(r.known, true);
      assert.equal(r.allowed, false);
      // Each refused example breaks exactly the rule it names, so a rule that starts
      // firing too widely (or stops firing) shows up here.
      assert.deepEqual([...new Set(r.violations.map((v) => v.rule))], [d.expectRule], r.violations.map((v) => v.message).join("\n"));
      for (const v of r.violations) assert.ok(v.message.startsWith(`${v.path || "(object)"}: `), `message names its field: ${v.message}`);
    });
  }

  it("has a refused example for every error rule that a single object can break", () => {
    const covered = new Set(refused.map((d) => d.expectRule));
    // The schema of a kind that has nothing but a status, under the status subresource (Gateway):
    // the API server drops the status of a write of the object itself, so no write breaks it.
    const statusOnly = new Set(
      POLICIES.filter((p) => STATUS_SUBRESOURCE.has(kindKey(p)) && Object.keys((p.schema?.properties ?? {}) as object).every((k) => ["apiVersion", "kind", "metadata", "status"].includes(k))).map((p) => `${p.id}.schema`),
    );
    assert.deepEqual([...statusOnly], ["gateway.schema"]);
    const missing = rules()
      // peer.* compare objects with each other (the policy pack's stack policies): no single object breaks them.
      .filter((r) => r.severity === "error" && !r.id.endsWith(".immutable") && r.id !== "internal.rule-error" && !r.id.startsWith("peer.") && !statusOnly.has(r.id))
      .map((r) => r.id)
      .filter((id) => !covered.has(id));
    assert.deepEqual(missing, []);
  });

  it("has an accepted example of every kind it reviews", () => {
    const kinds = new Set(accepted.map((d) => review(d.object).kind).filter(Boolean));
    const all = new Set(rules().map((r) => r.kind).filter((k) => k !== "*"));
    assert.deepEqual([...all].filter((k) => !kinds.has(k)), []);
  });
});
