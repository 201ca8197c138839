/**
 * Existing-violation relief in the ValidatingAdmissionPolicies (vap/generate.ts relief()):
 * never more lenient than the webhook. 21 kinds of UPDATE, each run through the webhook's rule
 * book (review() with the stored object) and through the generated policy of the same rule
 * (the in-process CEL evaluator): a policy never admits an update the webhook refuses, and
 * where it refuses one the webhook admits, the case is one of the documented kind (the update
 * changes a field the rule reads but keeps the stored object's violation).
 */
import { strict as assert } from "node:assert";
import { review } from "../../../policy";
import { fieldsRead, generateVap } from "../../../vap/generate";
import { evalCel } from "../../helpers/cel";

const K = "kuscia.secretflow/v1alpha1";
type Obj = Record<string, any>;

const interop = (members: string[], host = "bob", labels: Record<string, string> = {}) => ({ apiVersion: K, kind: "InteropConfig", metadata: { name: "ic", labels }, spec: { host, members } });
const domain = (spec: Obj, labels: Record<string, string> = {}) => ({ apiVersion: K, kind: "Domain", metadata: { name: "alice", labels }, spec });
const kd = (parties: Obj[], initiator = "alice", annotations: Record<string, string> = {}) => ({
  apiVersion: K,
  kind: "KusciaDeployment",
  metadata: { name: "kd", namespace: "cross-domain", annotations },
  spec: { initiator, inputConfig: "{}", parties },
});
const party = (domainID: string, appImageRef = "img") => ({ domainID, appImageRef });

interface Case {
  what: string;
  rule: string;
  old: Obj;
  now: Obj;
  /** The webhook admits it (with a warning: an existing violation) where a policy refuses it: the update changes a field the rule reads. */
  stricter?: true;
}

const CASES: Case[] = [
  // interop.members
  { what: "label change only; host still a member", rule: "interop.members", old: interop(["bob"]), now: interop(["bob"], "bob", { team: "a" }) },
  { what: "a new bad member added to a list that had one", rule: "interop.members", old: interop(["bob"]), now: interop(["bob", "Bad_Name"]) },
  { what: "the host member replaced by another bad value", rule: "interop.members", old: interop(["bob"]), now: interop(["Bad_Name"]) },
  { what: "a duplicate added next to the host member", rule: "interop.members", old: interop(["bob", "carol"]), now: interop(["bob", "carol", "carol"]) },
  { what: "the violation fixed", rule: "interop.members", old: interop(["bob"]), now: interop(["carol"]) },
  { what: "a good member appended, the host still a member", rule: "interop.members", old: interop(["bob"]), now: interop(["bob", "carol"]), stricter: true },
  { what: "a violation where there was none", rule: "interop.members", old: interop(["carol"]), now: interop(["bob", "carol"]) },
  // domain.role
  { what: "bad role kept, label changed", rule: "domain.role", old: domain({ role: "host" }), now: domain({ role: "host" }, { a: "b" }) },
  { what: "bad role replaced by another bad role", rule: "domain.role", old: domain({ role: "host" }), now: domain({ role: "master" }) },
  { what: "bad role fixed", rule: "domain.role", old: domain({ role: "host" }), now: domain({ role: "partner", cert: "x" }) },
  { what: "bad role kept while another field changes", rule: "domain.role", old: domain({ role: "host" }), now: domain({ role: "host", authCenter: { authenticationType: "Token" } }) },
  // domain.partner-cert
  { what: "partner without cert, unchanged", rule: "domain.partner-cert", old: domain({ role: "partner" }), now: domain({ role: "partner" }, { a: "b" }) },
  { what: "partner without cert, a quota added", rule: "domain.partner-cert", old: domain({ role: "partner" }), now: domain({ role: "partner", resourceQuota: { podMaxCount: 3 } }) },
  { what: "a local domain made partner without cert", rule: "domain.partner-cert", old: domain({}), now: domain({ role: "partner" }) },
  // kd.parties
  { what: "bad party kept, annotation added", rule: "kd.parties", old: kd([party("Bad_ID")]), now: kd([party("Bad_ID")], "alice", { a: "b" }) },
  { what: "a second bad party added", rule: "kd.parties", old: kd([party("Bad_ID")]), now: kd([party("Bad_ID"), party("Other_Bad")]) },
  { what: "a duplicate party added to one with a bad party", rule: "kd.parties", old: kd([party("Bad_ID"), party("alice")]), now: kd([party("Bad_ID"), party("alice"), party("alice")]) },
  { what: "bad party fixed", rule: "kd.parties", old: kd([party("Bad_ID")]), now: kd([party("alice")]) },
  // kd.initiator
  { what: "initiator not a party, unchanged", rule: "kd.initiator", old: kd([party("bob")], "alice"), now: kd([party("bob")], "alice", { a: "b" }) },
  { what: "initiator not a party, changed to another non-party", rule: "kd.initiator", old: kd([party("bob")], "alice"), now: kd([party("bob")], "carol") },
  { what: "initiator not a party, a party added (still not the initiator)", rule: "kd.initiator", old: kd([party("bob")], "alice"), now: kd([party("bob"), party("carol")], "alice"), stricter: true },
];

/** Whether the webhook's rule book admits the UPDATE as far as `rule` goes. */
function webhookAllows(c: Case): boolean {
  return !review(c.now, { operation: "UPDATE", oldObject: c.old }).violations.some((v) => v.rule === c.rule);
}

/** Whether the generated policy of `rule` admits the UPDATE. */
function policyAllows(c: Case): boolean {
  const p = generateVap().objects.find((o) => o.kind === "ValidatingAdmissionPolicy" && (o.metadata as Obj).name === `kuscia-iac.${c.rule}`) as Obj;
  return p.spec.validations.every((v: Obj) => evalCel(v.expression, { object: c.now, oldObject: c.old, request: { operation: "UPDATE" } }) === true);
}

describe("vap: existing-violation relief is never more lenient than the webhook", () => {
  it(`has 21 kinds of UPDATE to compare`, () => assert.equal(CASES.length, 21));

  for (const c of CASES) {
    it(`${c.rule}: ${c.what}`, () => {
      const webhook = webhookAllows(c);
      const policy = policyAllows(c);
      assert.ok(!(policy && !webhook), "the policy admits an update the webhook refuses");
      if (c.stricter) assert.deepEqual([webhook, policy], [true, false], "documented as stricter: the webhook admits it with a warning, the policy refuses");
      else assert.equal(policy, webhook, `webhook ${webhook ? "admits" : "refuses"}, the policy ${policy ? "admits" : "refuses"}`);
    });
  }

  it("relieves only through the fields each validation reads", () => {
    const paths = (e: string) => fieldsRead(e).map((r) => `${r.path.join(".")}${r.presence ? " (set)" : ""}`);
    assert.deepEqual(paths("!has(object.spec) || object.spec.members.all(m, m != object.spec.host) && has(object.metadata.name)"), ["metadata.name (set)", "spec.host", "spec.members"]);
    assert.deepEqual(paths("has(object.spec.members) && object.spec.members.exists(m, m == 'x')"), ["spec.members"]);
    assert.deepEqual(paths("!(has(object.spec) && has(object.spec.role)) || object.spec.role in ['', 'partner']"), ["spec.role"]);
  });
});
