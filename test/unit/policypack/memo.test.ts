/**
 * The pack reviews a resource once, not once per policy: Pulumi's analyzer server calls every
 * policy of the pack (one per rule, ~140) with the same resource in turn, each time with its
 * props freshly deserialized; the policies share one review per resource and inputs.
 */
import { strict as assert } from "node:assert";
import { Secret, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { loadExamples } from "../../helpers/examples";
import { DEFAULTS_POLICY, REVIEW_MEMO_SIZE, buildPolicies, type Reviewer } from "../../../policypack/policies";
import { review } from "../../../policy";
import { engineArgs, typedToken, type Reported } from "./engineArgs";

type Obj = Record<string, unknown>;
type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** The rule book's review, counting its calls per object name. */
function counting(): { reviewer: Reviewer; calls: Map<string, number>; total: () => number } {
  const calls = new Map<string, number>();
  const reviewer: Reviewer = (obj, opts) => {
    const name = String(((obj as Obj).metadata as Obj | undefined)?.name);
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return review(obj, opts);
  };
  return { reviewer, calls, total: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}

/** What the analyzer server hands one policy: new args around props deserialized anew (a deep copy). */
function fresh(obj: Obj, name: string): ResourceValidationArgs {
  return engineArgs(typedToken(obj), structuredClone(obj), name);
}

/** One policy's validation of one resource, as the analyzer server makes it; returns what it reported. */
async function validate(p: Policy, args: ResourceValidationArgs): Promise<Reported[]> {
  const out: Reported[] = [];
  if (!("validateResource" in p) || !p.validateResource || p.enforcementLevel === "disabled") return out;
  for (const v of [p.validateResource].flat()) await v(args, ((m: string) => out.push({ policy: p.name, level: p.enforcementLevel ?? "mandatory", message: m })) as never);
  return out;
}

/** Uniquely named copies of the accepted examples of Kuscia kinds. */
function resources(n: number): { obj: Obj; name: string }[] {
  const kinds = loadExamples("accepted")
    .map((d) => d.object as Obj)
    .filter((o) => String(o.apiVersion).startsWith("kuscia.secretflow/"));
  assert.ok(kinds.length >= 5, "accepted Kuscia examples");
  return Array.from({ length: n }, (_, i) => {
    const obj = structuredClone(kinds[i % kinds.length]);
    const name = `memo-${i}`;
    obj.metadata = { ...(obj.metadata as Obj), name };
    return { obj, name };
  });
}

describe("policypack: one review per resource, shared by every policy", () => {
  it("the engine's order (each resource through every policy in turn): each resource reviewed once", async () => {
    const c = counting();
    const policies = buildPolicies(undefined, { review: c.reviewer });
    const rs = resources(12);
    let reported = 0;
    for (const r of rs) for (const p of policies) reported += (await validate(p, fresh(r.obj, r.name))).length;
    // Dozens of policies match each kind: reviewed once per policy, the count would be that many times higher.
    assert.equal(policies.filter((p) => "validateResource" in p).length > 100, true);
    assert.deepEqual([...c.calls.entries()].sort(), rs.map((r) => [r.name, 1] as [string, number]).sort());
    assert.equal(c.total(), rs.length);
    assert.ok(reported >= 0);
  });

  it("resources interleaved (policy by policy across resources, as concurrent analyses would be): still once each", async () => {
    const c = counting();
    const policies = buildPolicies(undefined, { review: c.reviewer });
    const rs = resources(REVIEW_MEMO_SIZE);
    for (const p of policies) for (const r of rs) await validate(p, fresh(r.obj, r.name));
    assert.equal(c.total(), rs.length);
    assert.ok([...c.calls.values()].every((n) => n === 1));
  });

  it("gives each policy the verdicts an unshared review gives", async () => {
    const shared = buildPolicies();
    const rs = [...resources(6), ...loadExamples("refused").slice(0, 20).map((d, i) => ({ obj: d.object as Obj, name: `refused-${i}` }))];
    for (const r of rs) {
      for (const [i, p] of shared.entries()) {
        // A policy list of its own for each call: nothing shared with any other call.
        const alone = buildPolicies()[i];
        assert.deepEqual(await validate(p, fresh(r.obj, r.name)), await validate(alone, fresh(r.obj, r.name)), `${p.name} on ${r.name}`);
      }
    }
  });

  it("a changed input (the remediation's output, an up after its preview) is reviewed anew, and its verdict is the new one", async () => {
    const c = counting();
    const policies = buildPolicies(undefined, { review: c.reviewer });
    const domainPolicy = policies.find((p) => p.name === "domain.partner-cert")!;
    const partner = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "bob" }, spec: { role: "partner", interConnProtocols: ["kuscia"] } };
    assert.equal((await validate(domainPolicy, fresh(partner, "bob"))).length, 1);
    const local = { ...partner, spec: { role: "", interConnProtocols: ["kuscia"] } };
    assert.deepEqual(await validate(domainPolicy, fresh(local, "bob")), []);
    assert.equal(c.calls.get("bob"), 2);
  });

  it("the remediation (secrets as Secret instances) and the validations of the same input share one review", async () => {
    const c = counting();
    const policies = buildPolicies(undefined, { review: c.reviewer });
    const defaults = policies.find((p) => p.name === DEFAULTS_POLICY) as ResourceValidationPolicy;
    const domain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "alice" }, spec: { role: "", interConnProtocols: ["kuscia"] } };
    const type = typedToken(domain);
    assert.equal(await defaults.remediateResource!(engineArgs(type, { ...structuredClone(domain), spec: new Secret(structuredClone(domain.spec)) } as never, "alice")), undefined);
    for (const p of policies) await validate(p, fresh(domain, "alice"));
    assert.equal(c.calls.get("alice"), 1);
  });

  it("memory stays bounded: past REVIEW_MEMO_SIZE resources the oldest are forgotten", async () => {
    const c = counting();
    const [p] = buildPolicies(undefined, { review: c.reviewer }).filter((x) => x.name === "internal.rule-error");
    const rs = resources(REVIEW_MEMO_SIZE + 1);
    for (const r of rs) await validate(p, fresh(r.obj, r.name));
    await validate(p, fresh(rs[0].obj, rs[0].name));
    assert.equal(c.calls.get(rs[0].name), 2);
    await validate(p, fresh(rs[rs.length - 1].obj, rs[rs.length - 1].name));
    assert.equal(c.calls.get(rs[rs.length - 1].name), 1);
  });
});
