import { strict as assert } from "node:assert";
import { unknownValue as unknownStringValue } from "@pulumi/pulumi/runtime/rpc";
import { describeDoc, loadExamples } from "../../helpers/examples";
import { PACK_NAME, policies } from "../../../policypack/policies";
import { engineArgs, messagesOf, tokensFor } from "./engineArgs";

const mandatory = policies.find((p) => p.enforcementLevel === "mandatory")!;
const advisory = policies.find((p) => p.enforcementLevel === "advisory")!;

function ruleIds(messages: string[]): string[] {
  return messages.map((m) => /^\[([^\]]+)\]/.exec(m)?.[1] ?? `(no rule id in: ${m})`);
}

describe("policypack policies", () => {
  it("has one mandatory and one advisory policy with distinct names", () => {
    assert.ok(mandatory && advisory);
    assert.equal(policies.length, 2);
    assert.notEqual(mandatory.name, advisory.name);
  });

  const refused = loadExamples("refused");
  const accepted = loadExamples("accepted");

  it("finds the examples", () => {
    assert.ok(refused.length > 20 && accepted.length > 10);
    for (const d of refused) assert.ok(d.expectRule, `${describeDoc(d)} has no # rule: comment`);
  });

  for (const d of refused) {
    const obj = d.object as Record<string, unknown>;
    for (const type of tokensFor(obj)) {
      it(`reports ${d.expectRule} for refused ${describeDoc(d)} as ${type}`, async () => {
        const messages = await messagesOf(mandatory, engineArgs(type, obj));
        assert.ok(ruleIds(messages).includes(d.expectRule!), `got ${JSON.stringify(messages)}`);
        // The message names the field, as the rule book does: "<path>: <text>" after the id.
        assert.match(messages[0], /^\[[^\]]+\] \S+: /);
      });
    }
  }

  for (const d of accepted) {
    const obj = d.object as Record<string, unknown>;
    const warns = [...(d.comment ?? "").matchAll(/(?:^|\n)\s*warns:\s*(\S+)/g)].map((m) => m[1]).sort();
    for (const type of tokensFor(obj)) {
      it(`reports no violation${warns.length ? `, only the warnings ${warns.join(", ")},` : ""} for accepted ${describeDoc(d)} as ${type}`, async () => {
        assert.deepEqual(await messagesOf(mandatory, engineArgs(type, obj)), []);
        assert.deepEqual(ruleIds(await messagesOf(advisory, engineArgs(type, obj))).sort(), warns);
      });
    }
  }

  const badDomain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "Alice_1" }, spec: {} };

  it("skips our own components and kinds outside the rule book", async () => {
    for (const type of [`${PACK_NAME}:index:Domain`, "aws:s3/bucket:Bucket", "kubernetes:apiextensions.k8s.io:CustomResourcePatch", "kubernetes:kuscia.secretflow/v1alpha1:DomainPatch"]) {
      assert.deepEqual(await messagesOf(mandatory, engineArgs(type, badDomain)), [], type);
    }
    const otherCr = { ...badDomain, apiVersion: "example.com/v1" };
    assert.deepEqual(await messagesOf(mandatory, engineArgs("kubernetes:apiextensions.k8s.io:CustomResource", otherCr)), []);
  });

  it("takes the kind of a typed resource from its type token", async () => {
    // yaml/v2 passes apiVersion and kind in the props too, but crd2pulumi types need not.
    const { apiVersion: _a, kind: _k, ...bare } = badDomain;
    const messages = await messagesOf(mandatory, engineArgs("kubernetes:kuscia.secretflow/v1alpha1:Domain", bare));
    assert.deepEqual(ruleIds(messages), ["domain.name"]);
  });

  describe("values unknown during preview", () => {
    const cert = { ...badDomain, metadata: { name: "alice" }, spec: { cert: "not a certificate" } };

    it("reports a bad certificate when it is known", async () => {
      assert.ok(ruleIds(await messagesOf(mandatory, engineArgs("kubernetes:apiextensions.k8s.io:CustomResource", cert))).includes("domain.cert"));
    });

    it("holds back findings about a field whose value is not known yet, instead of failing on the proxy", async () => {
      const pending = { ...cert, spec: { cert: unknownStringValue } };
      assert.deepEqual(await messagesOf(mandatory, engineArgs("kubernetes:apiextensions.k8s.io:CustomResource", pending)), []);
    });

    it("still reports findings elsewhere in the object", async () => {
      const pending = { ...cert, metadata: { name: "Alice_1" }, spec: { cert: unknownStringValue } };
      assert.deepEqual(ruleIds(await messagesOf(mandatory, engineArgs("kubernetes:apiextensions.k8s.io:CustomResource", pending))), ["domain.name"]);
    });
  });
});

describe("policypack under a policy configuration (Pulumi policy config)", () => {
  const interop = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "x" }, spec: { host: "bob", members: ["bob"] } };
  const withConfig = (c: object) => ({ ...engineArgs("kubernetes:kuscia.secretflow/v1alpha1:InteropConfig", interop), getConfig: <T extends object>() => c as T });

  it("a rule set to warn moves from the mandatory policy to the advisory one", async () => {
    const c = { policyConfig: { rules: { "interop.members": "warn" } } };
    assert.deepEqual(await messagesOf(mandatory, withConfig(c)), []);
    assert.deepEqual(ruleIds(await messagesOf(advisory, withConfig(c))), ["interop.members"]);
  });

  it("an audited rule is recorded by the advisory policy, marked as audit", async () => {
    const c = { policyConfig: { rules: { "interop.members": "audit" } } };
    assert.deepEqual(await messagesOf(mandatory, withConfig(c)), []);
    assert.match((await messagesOf(advisory, withConfig(c)))[0], /^\[interop\.members\] audit \(audit\): spec\.members/);
  });

  it("an invalid configuration fails the policy with the field named", async () => {
    await assert.rejects(async () => messagesOf(mandatory, withConfig({ policyConfig: { rules: { nope: "warn" } } })), /rules\["nope"\]: names no rule/);
  });
});
