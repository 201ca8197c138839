import { strict as assert } from "node:assert";
import { applyPatch, deepClone } from "fast-json-patch";
import { review, type PatchOperation } from "../../../policy";
import { loadExamples, describeDoc } from "../../helpers/examples";
import { UPDATE_EXAMPLES } from "../../../tools/update-examples";

const K = "kuscia.secretflow/v1alpha1";
const kd = (initiator: string) => ({
  apiVersion: K,
  kind: "KusciaDeployment",
  metadata: { name: "s", namespace: "cross-domain" },
  spec: { initiator, inputConfig: "{}", parties: [{ domainID: "alice", appImageRef: "img" }, { domainID: "bob", appImageRef: "img" }] },
});

describe("updates and deletes", () => {
  // The rule pages show these same updates (tools/update-examples.ts).
  for (const { what, before, after, rule } of UPDATE_EXAMPLES) {
    it(`refuses a change of ${what}`, () => {
      const r = review(after, { operation: "UPDATE", oldObject: before });
      assert.equal(r.allowed, false);
      assert.ok(r.violations.some((v) => v.rule === rule), JSON.stringify(r.violations));
      assert.match(r.violations.find((v) => v.rule === rule)!.message, /is immutable: it was/);
    });
    it(`accepts an update that keeps ${what}`, () => {
      assert.equal(review(before, { operation: "UPDATE", oldObject: before }).allowed, true);
    });
  }

  it("accepts the changes upstream itself makes: Domain role (KusciaAPI UpdateDomain), KusciaDeployment initiator, DomainRoute endpoints, IflearnerJob role", () => {
    const partner = { apiVersion: K, kind: "Domain", metadata: { name: "carol" }, spec: { role: "partner" } };
    const local = { apiVersion: K, kind: "Domain", metadata: { name: "carol" }, spec: { role: "" } };
    assert.deepEqual(review(local, { operation: "UPDATE", oldObject: partner }).violations, []);
    assert.deepEqual(review(kd("bob"), { operation: "UPDATE", oldObject: kd("alice") }).violations, []);
    const dr = (destination: string) => ({ apiVersion: K, kind: "DomainRoute", metadata: { name: "alice-bob", namespace: "alice" }, spec: { source: "alice", destination, authenticationType: "None" } });
    assert.deepEqual(review(dr("carol"), { operation: "UPDATE", oldObject: dr("bob") }).violations, []);
    const job = (role: string) => ({
      apiVersion: "git.iflytek.com/v1",
      kind: "IflearnerJob",
      metadata: { name: "job" },
      spec: { role, host: "server.iflearner.com", template: { spec: { containers: [{ name: "c", image: "i" }] } } },
    });
    assert.deepEqual(review(job("client"), { operation: "UPDATE", oldObject: job("server") }).violations, []);
  });

  it("accepts the product docs' InteropConfig update (a new member)", () => {
    const before = { apiVersion: K, kind: "InteropConfig", metadata: { name: "alice-2-bob" }, spec: { host: "bob", members: ["alice"] } };
    const after = { ...before, spec: { host: "bob", members: ["alice", "alice-mock"] } };
    assert.equal(review(after, { operation: "UPDATE", oldObject: before }).allowed, true);
  });

  it("allows every delete, even of an object that would be refused", () => {
    for (const d of loadExamples("refused")) assert.equal(review(d.object, { operation: "DELETE" }).allowed, true);
  });
});

describe("defaults", () => {
  const apply = (o: unknown, patch: PatchOperation[]) => applyPatch(deepClone(o), patch as never, true, false).newDocument;

  it("fills interConnProtocols on a Domain that has none", () => {
    const r = review({ apiVersion: K, kind: "Domain", metadata: { name: "dave" }, spec: {} });
    assert.deepEqual(r.patch, [{ op: "add", path: "/spec/interConnProtocols", value: ["kuscia"] }]);
  });

  it("fills a party template's strategy with RollingUpdate 25%/25%", () => {
    const o = kd("alice");
    (o.spec.parties[0] as Record<string, unknown>).template = { replicas: 2 };
    const out = apply(o, review(o).patch) as typeof o;
    assert.deepEqual((out.spec.parties[0] as Record<string, unknown>).template, { replicas: 2, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } });
    assert.equal((out.spec.parties[1] as Record<string, unknown>).template, undefined, "no template, no default: replicas and strategy then come from the AppImage");
  });

  it("leaves a Recreate strategy alone", () => {
    const o = kd("alice");
    (o.spec.parties[0] as Record<string, unknown>).template = { strategy: { type: "Recreate" } };
    assert.deepEqual(review(o).patch, []);
  });

  it("every example's patch applies, is accepted, and is idempotent", () => {
    let patched = 0;
    for (const d of [...loadExamples("accepted"), ...loadExamples("refused")]) {
      const r = review(d.object);
      if (r.patch.length === 0) continue;
      patched++;
      const out = apply(d.object, r.patch);
      const again = review(out);
      assert.deepEqual(again.patch, [], "applying the defaults twice changes nothing");
      // Only a refused example marked `repaired` turns accepted: its rule asks for what the defaults add (kd.template.working-dir).
      assert.equal(again.allowed, d.repaired ? true : r.allowed, d.repaired ? `${describeDoc(d)}: the defaults repair it` : "defaults never change the verdict");
    }
    assert.ok(patched >= 3, `only ${patched} examples get defaults`);
  });
});
