/**
 * Globs of the policy configuration (policy/config/glob.ts): what they match, and that no
 * caller backtracks. A backtracking matcher takes minutes on `*a*a*a*a*b` against a
 * 253-character name; these tests would then run into mocha's timeout.
 */
import { strict as assert } from "node:assert";
import { anyGlob, compileGlob, globToRe2 } from "../../../policy/config/glob";
import { loadPolicyConfiguration, review, type PolicyConfig } from "../../../policy";
import { generateVap } from "../../../vap/generate";

const config = (yaml: string): PolicyConfig => {
  const r = loadPolicyConfiguration(yaml, "policy.yaml");
  if ("errors" in r) throw new Error(r.errors.join("\n"));
  return r.config;
};

/** The hostile input of the issue: a name of 253 `a`s (the longest DNS subdomain) that the pattern never matches. */
const HOSTILE_GLOB = "*a*a*a*a*b";
const LONG_NAME = "a".repeat(253);

describe("policy configuration globs", () => {
  it("match * as any run, ? as one character, and everything else literally", () => {
    const cases: [string, string, boolean][] = [
      ["*", "", true],
      ["*", "anything", true],
      ["team-*", "team-", true],
      ["team-*", "team-a", true],
      ["team-*", "xteam-a", false],
      ["*-prod", "alice-prod", true],
      ["*-prod", "alice-prod-2", false],
      ["a*b*c", "abc", true],
      ["a*b*c", "aXbYc", true],
      ["a*b*c", "acb", false],
      ["a*b*c", "abcc", true],
      ["a*b*c", "abcx", false],
      ["legacy-?", "legacy-1", true],
      ["legacy-?", "legacy-12", false],
      ["?", "", false],
      ["??*", "ab", true],
      ["*?", "", false],
      ["a.b", "a.b", true],
      ["a.b", "axb", false],
      ["a+b(c)[d]", "a+b(c)[d]", true],
      ["**", "x", true],
      ["*ab*ab*", "abab", true],
      ["*ab*ab*", "aba", false],
      ["*aab", "aaab", true],
      ["?-é", "x-é", true],
      ["?", "😀", true],
      [HOSTILE_GLOB, LONG_NAME, false],
      [HOSTILE_GLOB, `${LONG_NAME.slice(1)}b`, true],
    ];
    for (const [glob, s, want] of cases) {
      assert.equal(compileGlob(glob).test(s), want, `${glob} ~ ${JSON.stringify(s)}`);
      // The RE2 source the CEL forms use means the same (checked with JavaScript's engine on these short inputs, with u for code points).
      if (s.length < 64) assert.equal(new RegExp(globToRe2(glob), "u").test(s), want, `RE2 form of ${glob} ~ ${JSON.stringify(s)}`);
    }
  });

  it("an empty or missing list matches everything; exact entries need no pattern", () => {
    assert.equal(anyGlob(undefined)("x"), true);
    assert.equal(anyGlob([])("x"), true);
    assert.equal(anyGlob(["a", "b*"])("a"), true);
    assert.equal(anyGlob(["a", "b*"])("bc"), true);
    assert.equal(anyGlob(["a", "b*"])("c"), false);
  });

  it("an exception with the hostile glob is applied to a 253-character name by every front end's path: review, the webhook's compiled configuration, vap", () => {
    const c = config(`exceptions:\n  - name: hostile\n    reason: r\n    match: {names: ["${HOSTILE_GLOB}"], namespaces: ["${HOSTILE_GLOB}"]}\n    rules: [interop.members]\n`);
    const ic = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: LONG_NAME }, spec: { host: "bob", members: ["bob"] } };
    // review() is what the webhook's workers, review, audit and the policy pack call.
    const r = review(ic, { config: c });
    assert.equal(r.allowed, false, "the glob does not match, so the exception does not apply");
    assert.deepEqual(c.exceptionFor({ kind: "InteropConfig", name: LONG_NAME, namespace: LONG_NAME }, "interop.members", new Date()), undefined);
    const named = { ...ic, metadata: { name: `${LONG_NAME.slice(1)}b` } };
    assert.equal(c.exceptionFor({ kind: "InteropConfig", name: `${LONG_NAME.slice(1)}b`, namespace: `${LONG_NAME.slice(1)}b` }, "interop.members", new Date())?.name, "hostile");
    assert.equal(review(named, { config: c }).allowed, false, "cluster-scoped: its namespace is empty, which the glob does not match");
    // vap turns the exception into a CEL matchCondition (RE2, linear in the API server).
    const policy = generateVap({ config: c }).objects.find((o) => (o.metadata as { name: string }).name === "kuscia-iac.interop.members") as { spec: { matchConditions: { expression: string }[] } };
    assert.ok(policy.spec.matchConditions[0].expression.includes("matches("), policy.spec.matchConditions[0].expression);
  });
});
