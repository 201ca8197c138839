/** What counts as a front end disagreeing with the rule book, within what the front end can show. */
import { strict as assert } from "node:assert";
import { compareFrontend, FULL_VIEW, type FrontendView } from "../../../policytest/compare";
import type { Observation } from "../../../policytest/observe";

const obs = (o: Partial<Observation>): Observation => ({ outcome: "allowed", violations: [], warnings: [], audits: [], exceptions: [], patch: [], messages: [], ...o });
const PATCH = [{ op: "add" as const, path: "/spec/x", value: 1 }];

describe("kuscia-iac test: front-end comparison", () => {
  it("a full view (the webhook) must match outcome, every list and the patch", () => {
    const book = obs({ outcome: "warned", warnings: ["a.w"], patch: PATCH });
    assert.deepEqual(compareFrontend(FULL_VIEW, book, book), []);
    assert.deepEqual(compareFrontend(FULL_VIEW, book, obs({ outcome: "allowed", patch: PATCH })), ["outcome: the rule book warned, the front end allowed", "warnings: the rule book has [a.w], the front end none (missing a.w)"]);
    assert.deepEqual(compareFrontend(FULL_VIEW, book, obs({ outcome: "warned", warnings: ["a.w"] })), [`patch: the rule book ${JSON.stringify(PATCH)}, the front end []`]);
    assert.deepEqual(compareFrontend(FULL_VIEW, obs({ outcome: "refused", violations: ["a", "b"] }), obs({ outcome: "refused", violations: ["a"] })), ["violations: the rule book has [a, b], the front end [a] (missing b)"]);
    assert.deepEqual(compareFrontend(FULL_VIEW, obs({ outcome: "audited", audits: ["a"], exceptions: ["e"] }), obs({ outcome: "audited", audits: ["a"] })), ["exceptions: the rule book has [e], the front end none (missing e)"]);
  });

  it("a restricted view (the API server's CEL) compares only its rules, one refusing rule, no audits", () => {
    const view: FrontendView = { rules: new Set(["cel.a", "cel.b"]), firstViolationOnly: true, existingSilent: true, sees: new Set(["violations", "warnings"]), patch: "object" };
    // The book refuses for a rule without a CEL form: the policies admit; that is no disagreement.
    assert.deepEqual(compareFrontend(view, obs({ outcome: "refused", violations: ["cert"] }), obs({})), []);
    // One refusing rule among the book's is enough; one the book does not report is not.
    assert.deepEqual(compareFrontend(view, obs({ outcome: "refused", violations: ["cel.a", "cel.b"] }), obs({ outcome: "refused", violations: ["cel.b"] })), []);
    assert.deepEqual(compareFrontend(view, obs({ outcome: "refused", violations: ["cel.a"] }), obs({ outcome: "refused", violations: ["cel.b"] })), ["violations: the front end refuses with [cel.b], which the rule book does not report (it reports [cel.a])"]);
    assert.deepEqual(compareFrontend(view, obs({ outcome: "refused", violations: ["cel.a"] }), obs({})), ["outcome: the rule book refuses ([cel.a]), the front end admits"]);
    // Audits are not shown by the API server; warnings of its rules are.
    assert.deepEqual(compareFrontend(view, obs({ outcome: "audited", audits: ["cel.a"] }), obs({})), []);
    assert.deepEqual(compareFrontend(view, obs({ outcome: "warned", warnings: ["cel.a", "other"] }), obs({})), ["warnings: the rule book has [cel.a], the front end none (missing cel.a)"]);
    // An existing violation an UPDATE keeps passes silently in a policy.
    assert.deepEqual(compareFrontend(view, obs({ outcome: "warned", warnings: ["cel.a"], existing: ["cel.a"] }), obs({})), []);
    // The object after mutation, unless the book refuses (no defaults for a refused object).
    assert.deepEqual(compareFrontend(view, obs({}), obs({}), { want: { spec: { x: 1 } }, got: { spec: {} } }), ['object after admission: expected {"spec":{"x":1}}, the front end made {"spec":{}}']);
    assert.deepEqual(compareFrontend(view, obs({ outcome: "refused", violations: ["cert"] }), obs({}), { want: { spec: {} }, got: { spec: { x: 1 } } }), []);
  });
});
